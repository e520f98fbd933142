/**
 * `npm run idp`: the local OpenID Provider the tests use, with the demo company's named accounts, on
 * 127.0.0.1 (IDP_PORT, default 4000). Prints the variables that point Undersigned at it.
 */
import { startLocalIdp } from "./local-idp";
import { DEMO_ACCOUNTS } from "./seed.server";

const appUrl = (process.env.APP_URL ?? `http://localhost:${process.env.PORT ?? 3000}`).replace(/\/+$/, "");
const port = Number(process.env.IDP_PORT ?? 4000);
const clientId = "undersigned-local";
const clientSecret = "local-development-secret-not-for-production";
const loopback = [appUrl, appUrl.replace("localhost", "127.0.0.1"), appUrl.replace("127.0.0.1", "localhost")];
const origins = [...new Set(loopback)];

const idp = await startLocalIdp({
  port,
  clientId,
  clientSecret,
  redirectUris: origins.map((origin) => `${origin}/auth/oidc/callback`),
  postLogoutRedirectUris: origins.map((origin) => `${origin}/`),
  accounts: DEMO_ACCOUNTS.map((account) => ({
    sub: account.email.split("@")[0] ?? account.email,
    email: account.email,
    name: account.name,
    department: account.department,
    locality: account.location,
    groups: account.roles.map((role) => `undersigned-${role}s`),
  })),
});

console.log(`A local OpenID Provider is listening on ${idp.issuer} with the demo accounts.

In another terminal, start Undersigned with:

  OIDC_ISSUER=${idp.issuer} OIDC_CLIENT_ID=${clientId} OIDC_CLIENT_SECRET=${clientSecret} npm start

(optionally COMPANY_NAME="Demo Company", and IDP_ROLE_GROUPS=admin=undersigned-admins,moderator=undersigned-moderators
to let the provider's groups give those roles). Then open ${new URL("/sign-in", appUrl).href} and choose "Sign in with …".
Ctrl-C stops the provider.`);

const stop = async () => {
  await idp.stop();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
