/** How a person proved who they are: an emailed link, or the company's identity provider. */
export const SIGN_IN_METHODS = ["email", "oidc", "saml"] as const;
export type SignInMethod = (typeof SIGN_IN_METHODS)[number];

/** The identity-provider protocols a person can be linked through. */
export const PROVIDER_PROTOCOLS = ["oidc", "saml"] as const;
export type ProviderProtocol = (typeof PROVIDER_PROTOCOLS)[number];
