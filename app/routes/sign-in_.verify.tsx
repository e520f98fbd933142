import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { completeSignIn, peekSignInToken } from "../domain/identity/sign-in.server";
import { redirectWithFlash } from "../web/flash.server";
import { readForm } from "../web/request.server";
import { safeRedirect } from "../web/safe-redirect";
import { commitSessionCookie } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction = () => [
  { title: "Finish signing in · Undersigned" },
  { name: "robots", content: "noindex" },
];

const tokenSchema = z.string().min(20).max(200);

/** GET only reads: mail scanners that open the link must not consume it. */
export async function loader({ request }: LoaderFunctionArgs) {
  const token = tokenSchema.safeParse(new URL(request.url).searchParams.get("token"));
  const pending = token.success ? peekSignInToken(token.data) : null;
  return json({ token: token.success ? token.data : "", email: pending?.email ?? null });
}

export async function action({ request }: ActionFunctionArgs) {
  const token = tokenSchema.safeParse((await readForm(request)).get("token"));
  const result = token.success ? completeSignIn(token.data) : ({ ok: false, reason: "invalid" } as const);
  if (!result.ok) {
    return json(
      {
        error:
          result.reason === "not-allowed"
            ? "This address may no longer sign in. If you think that is wrong, ask an administrator."
            : "This sign-in link has expired or was already used.",
      },
      { status: 400 },
    );
  }
  const headers = { "Set-Cookie": await commitSessionCookie(result.sessionToken) };
  if (result.needsName) {
    return redirectWithFlash(
      `/welcome?${new URLSearchParams({ redirectTo: safeRedirect(result.redirectTo) })}`,
      { kind: "success", message: "You are signed in." },
      { headers },
    );
  }
  return redirectWithFlash(
    safeRedirect(result.redirectTo),
    { kind: "success", message: "You are signed in." },
    { headers },
  );
}

export default function VerifySignIn() {
  const { token, email } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  if (actionData?.error || !email) {
    return (
      <section className="card narrow" aria-labelledby="verify-title">
        <h1 id="verify-title">This link cannot be used</h1>
        <p role="alert">{actionData?.error ?? "This sign-in link has expired or was already used."}</p>
        <p>
          <Link to="/sign-in">Ask for a new sign-in link</Link>
        </p>
      </section>
    );
  }
  return (
    <section className="card narrow" aria-labelledby="verify-title">
      <h1 id="verify-title">Finish signing in</h1>
      <p>
        Sign in to Undersigned as <strong>{email}</strong>?
      </p>
      <Form method="post">
        <input type="hidden" name="token" value={token} />
        <button type="submit">Sign in</button>
      </Form>
    </section>
  );
}
