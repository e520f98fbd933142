import { serviceProviderMetadata } from "../domain/identity/saml.server";
import { Refusal } from "../platform/refusal";

/** The SAML service provider's metadata, at a stable address for the identity provider's administrator. */
export function loader() {
  try {
    return new Response(serviceProviderMetadata(), {
      headers: { "Content-Type": "application/samlmetadata+xml; charset=utf-8" },
    });
  } catch (error) {
    if (error instanceof Refusal)
      return new Response(`${error.message}\n`, {
        status: error.status,
        headers: { "Content-Type": "text/plain" },
      });
    throw error;
  }
}
