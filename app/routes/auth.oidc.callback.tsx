import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { completeOidcSignIn } from "../domain/identity/oidc.server";
import { redirectWithFlash } from "../web/flash.server";
import { clearPendingOidc, readPendingOidc } from "../web/provider-cookie.server";
import { pageRefusal } from "../web/refusal-reply.server";
import { clientIp } from "../web/request.server";
import { safeRedirect } from "../web/safe-redirect";
import { commitSessionCookie } from "../web/session.server";
import { signedInMessage } from "../web/signed-in.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

// A redirect, or a refusal's answer (`{ error }`, in the reader's words): the brand alone.
export const meta: MetaFunction = () => [{ title: "Undersigned" }, { name: "robots", content: "noindex" }];

/**
 * Where the OpenID Provider sends the browser back (a GET, by the protocol). Only a code that
 * exchanges, an ID token that verifies and a state that is this browser's sign in; anything else is
 * a 4xx page. The pending sign-in works once: the first callback presenting it uses it up on the
 * server (and the cookie is cleared), so a copy of the cookie is worth nothing.
 */
export async function loader({ request, context }: LoaderFunctionArgs) {
  const pending = await readPendingOidc(request);
  const headers = new Headers({ "Set-Cookie": await clearPendingOidc() });
  try {
    const result = await completeOidcSignIn(new URL(request.url).search, pending, clientIp(context));
    headers.append("Set-Cookie", await commitSessionCookie(result.sessionToken));
    const target = safeRedirect(result.redirectTo);
    return redirectWithFlash(
      result.needsName ? `/welcome?${new URLSearchParams({ redirectTo: target })}` : target,
      { kind: "success", message: signedInMessage(request, result.sessionToken) },
      { headers },
    );
  } catch (error) {
    return pageRefusal(error, request, headers);
  }
}

export { ProviderProblem as default } from "../components/provider-problem";
