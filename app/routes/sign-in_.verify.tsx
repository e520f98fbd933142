import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { completeSignIn, peekSignInToken } from "../domain/identity/sign-in.server";
import { useT } from "../i18n/translate";
import { redirectWithFlash } from "../web/flash.server";
import { wordsFor } from "../web/reader.server";
import { readForm } from "../web/request.server";
import { safeRedirect } from "../web/safe-redirect";
import { commitSessionCookie } from "../web/session.server";
import { signedInMessage } from "../web/signed-in.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.title ?? "Undersigned" },
  { name: "robots", content: "noindex" },
];

const tokenSchema = z.string().min(20).max(200);

/** GET only reads: mail scanners that open the link must not consume it. */
export async function loader({ request }: LoaderFunctionArgs) {
  const token = tokenSchema.safeParse(new URL(request.url).searchParams.get("token"));
  const pending = token.success ? peekSignInToken(token.data) : null;
  const { t } = await wordsFor(request);
  return json({
    title: t("common.pageTitle", { page: t("identity.verify.title") }),
    token: token.success ? token.data : "",
    email: pending?.email ?? null,
  });
}

export async function action({ request }: ActionFunctionArgs) {
  const token = tokenSchema.safeParse((await readForm(request)).get("token"));
  // A refusal is in the browser's words, like the page that asked.
  const { t } = await wordsFor(request);
  const result = token.success ? completeSignIn(token.data) : ({ ok: false, reason: "invalid" } as const);
  if (!result.ok) {
    return json(
      {
        error: t(result.reason === "not-allowed" ? "identity.verify.notAllowed" : "identity.verify.expired"),
      },
      { status: 400 },
    );
  }
  const headers = { "Set-Cookie": await commitSessionCookie(result.sessionToken) };
  if (result.needsName) {
    return redirectWithFlash(
      `/welcome?${new URLSearchParams({ redirectTo: safeRedirect(result.redirectTo) })}`,
      { kind: "success", message: signedInMessage(request, result.sessionToken) },
      { headers },
    );
  }
  return redirectWithFlash(
    safeRedirect(result.redirectTo),
    { kind: "success", message: signedInMessage(request, result.sessionToken) },
    { headers },
  );
}

export default function VerifySignIn() {
  const t = useT();
  const { token, email } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  if (actionData?.error || !email) {
    return (
      <section className="card narrow" aria-labelledby="verify-title">
        <h1 id="verify-title">{t("identity.link.unusable")}</h1>
        <p role="alert">{actionData?.error ?? t("identity.verify.expired")}</p>
        <p>
          <Link to="/sign-in">{t("identity.verify.askAgain")}</Link>
        </p>
      </section>
    );
  }
  return (
    <section className="card narrow" aria-labelledby="verify-title">
      <h1 id="verify-title">{t("identity.verify.title")}</h1>
      <p>{t.rich("identity.verify.question", { email, strong: (chunks) => <strong>{chunks}</strong> })}</p>
      <Form method="post">
        <input type="hidden" name="token" value={token} />
        <button type="submit">{t("identity.signIn.title")}</button>
      </Form>
    </section>
  );
}
