import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { z } from "zod";
import { completeSamlSignIn } from "../domain/identity/saml.server";
import { redirectWithFlash } from "../web/flash.server";
import { clearPendingSaml, readPendingSaml, samlBrowserBinding } from "../web/provider-cookie.server";
import { wordsFor } from "../web/reader.server";
import { pageRefusal } from "../web/refusal-reply.server";
import { clientIp, readForm } from "../web/request.server";
import { safeRedirect } from "../web/safe-redirect";
import { commitSessionCookie } from "../web/session.server";
import { signedInMessage } from "../web/signed-in.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.title ?? "Undersigned" },
  { name: "robots", content: "noindex" },
];

/**
 * Nothing to do on a GET (the page only answers POSTs). Not a redirect: after a refused POST Remix
 * runs this loader to render the refusal, and a redirect would hide it.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const { t } = await wordsFor(request);
  return json({ title: t("common.pageTitle", { page: t("identity.provider.signingIn") }) });
}

// The answer's size is the domain's to judge (over 64 KB, saying why); the form is read up to 1 MB,
// room for the largest answer percent-encoded, and not further.
const MAX_FORM_BYTES = 1024 * 1024;

const schema = z.object({
  SAMLResponse: z.string().min(1),
  RelayState: z.string().max(2000).optional(),
});

/**
 * The assertion consumer (POST binding). The identity provider's page posts here from its own
 * origin, so the server's cross-site check lets this one path through: the signed assertion, for
 * this audience and address, answering a request of ours, once, is the proof.
 */
export async function action({ request, context }: ActionFunctionArgs) {
  const parsed = schema.safeParse(Object.fromEntries(await readForm(request, MAX_FORM_BYTES)));
  if (!parsed.success)
    return json({ error: (await wordsFor(request)).t("identity.provider.notAnAnswer") }, { status: 400 });
  // Under https the answer must be to the request this browser started (its cookie works once).
  const bound = samlBrowserBinding();
  const headers = new Headers(bound ? { "Set-Cookie": await clearPendingSaml() } : {});
  try {
    const result = await completeSamlSignIn(parsed.data.SAMLResponse, {
      ip: clientIp(context),
      browserRequestId: bound ? await readPendingSaml(request) : undefined,
    });
    headers.append("Set-Cookie", await commitSessionCookie(result.sessionToken));
    const target = safeRedirect(parsed.data.RelayState);
    return redirectWithFlash(
      result.needsName ? `/welcome?${new URLSearchParams({ redirectTo: target })}` : target,
      { kind: "success", message: signedInMessage(request, result.sessionToken) },
      // 303: the browser follows with a GET, from our own origin.
      { status: 303, headers },
    );
  } catch (error) {
    return pageRefusal(error, request, headers);
  }
}

export { ProviderProblem as default } from "../components/provider-problem";
