import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { oidcLogoutUrl } from "../domain/identity/oidc.server";
import { redirectWithFlash } from "../web/flash.server";
import { wordsFor } from "../web/reader.server";
import { clearSessionCookie, revokeSession } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

/** Signing out changes data, so only POST does it; a GET just goes home. */
export const loader = () => redirect("/");

/**
 * Ends the Undersigned session; one started at the company's OpenID Provider goes on to the
 * provider's own sign-out (RP-initiated logout) when it advertises one, which comes back home.
 */
export async function action({ request }: ActionFunctionArgs) {
  // In the words the person read until now (the session is gone once revoked).
  const { t } = await wordsFor(request);
  const method = await revokeSession(request);
  const providerLogout = method === "oidc" ? await oidcLogoutUrl() : null;
  return redirectWithFlash(
    providerLogout ?? "/",
    { kind: "info", message: t("identity.signedOut") },
    { headers: { "Set-Cookie": await clearSessionCookie() } },
  );
}
