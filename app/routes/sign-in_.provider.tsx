import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { z } from "zod";
import { startOidcSignIn } from "../domain/identity/oidc.server";
import { beginSamlSignIn } from "../domain/identity/saml.server";
import { commitPendingOidc, commitPendingSaml, samlBrowserBinding } from "../web/provider-cookie.server";
import { wordsFor } from "../web/reader.server";
import { pageRefusal } from "../web/refusal-reply.server";
import { clientIp, readForm } from "../web/request.server";
import { safeRedirect } from "../web/safe-redirect";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

/**
 * "Sign in with <company>": sends the browser to the company's identity provider. A POST from the
 * sign-in page (a SAML request is recorded; the OIDC state goes into a short-lived cookie and its
 * hash is recorded, so it works once).
 */
/**
 * Nothing to do on a GET (the page only answers POSTs). Not a redirect: after a refused POST Remix
 * runs this loader to render the refusal, and a redirect would hide it.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const { t } = await wordsFor(request);
  return json({ title: t("common.pageTitle", { page: t("identity.signIn.title") }) });
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Undersigned" }];

const schema = z.object({
  protocol: z.enum(["oidc", "saml"]),
  redirectTo: z.string().max(2000).optional(),
});

export async function action({ request, context }: ActionFunctionArgs) {
  const parsed = schema.safeParse(Object.fromEntries(await readForm(request)));
  if (!parsed.success)
    return json({ error: (await wordsFor(request)).t("identity.provider.choose") }, { status: 400 });
  const redirectTo = safeRedirect(parsed.data.redirectTo, "/");
  try {
    if (parsed.data.protocol === "oidc") {
      const { url, pending } = await startOidcSignIn(redirectTo, clientIp(context));
      return redirect(url, { headers: { "Set-Cookie": await commitPendingOidc(pending) } });
    }
    const { url, requestId } = await beginSamlSignIn(redirectTo, clientIp(context));
    return redirect(
      url,
      samlBrowserBinding() ? { headers: { "Set-Cookie": await commitPendingSaml(requestId) } } : undefined,
    );
  } catch (error) {
    return pageRefusal(error, request);
  }
}

export { ProviderProblem as default } from "../components/provider-problem";
