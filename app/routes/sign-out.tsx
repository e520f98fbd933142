import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { redirectWithFlash } from "../web/flash.server";
import { clearSessionCookie, revokeSession } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

/** Signing out changes data, so only POST does it; a GET just goes home. */
export const loader = () => redirect("/");

export async function action({ request }: ActionFunctionArgs) {
  await revokeSession(request);
  return redirectWithFlash(
    "/",
    { kind: "info", message: "You are signed out." },
    { headers: { "Set-Cookie": await clearSessionCookie() } },
  );
}
