import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import {
  confirmLinkRequest,
  peekLinkRequest,
  refuseLinkRequestByToken,
} from "../domain/identity/identity-linking.server";
import { redirectWithFlash } from "../web/flash.server";
import { apiRefusal } from "../web/refusal-reply.server";
import { readForm } from "../web/request.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction = () => [
  { title: "Confirm a company sign-in · Undersigned" },
  { name: "robots", content: "noindex" },
];

const tokenSchema = z.string().min(20).max(200);

/** GET only reads: mail scanners that open the link must not use it up. */
export async function loader({ request }: LoaderFunctionArgs) {
  const token = tokenSchema.safeParse(new URL(request.url).searchParams.get("token"));
  return json({
    token: token.success ? token.data : "",
    request: token.success ? peekLinkRequest(token.data) : null,
  });
}

const schema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("confirm"), token: tokenSchema }),
  z.object({ intent: z.literal("refuse"), token: tokenSchema }),
]);

/**
 * The emailed link's buttons: connect the company account to this address ("confirm"), or throw the
 * request away ("refuse"). Nobody is signed in here: the company sign-in does that next.
 */
export async function action({ request }: ActionFunctionArgs) {
  const parsed = schema.safeParse(Object.fromEntries(await readForm(request)));
  if (!parsed.success)
    return json({ error: "This link is incomplete. Open it again from the email." }, { status: 400 });
  try {
    if (parsed.data.intent === "confirm") {
      const { companyName } = confirmLinkRequest(parsed.data.token);
      return redirectWithFlash("/sign-in", {
        kind: "success",
        message: `Your ${companyName} account is connected. Sign in with ${companyName} to continue.`,
      });
    }
    refuseLinkRequestByToken(parsed.data.token);
    return redirectWithFlash("/sign-in", {
      kind: "info",
      message:
        "Nothing was connected, and the request is gone. Please tell your administrator that another account carries your address.",
    });
  } catch (error) {
    return apiRefusal(error);
  }
}

export default function ConfirmCompanySignIn() {
  const { token, request } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  if (actionData?.error || !request) {
    return (
      <section className="card narrow" aria-labelledby="link-title">
        <h1 id="link-title">This link cannot be used</h1>
        <p role="alert">
          {actionData?.error ?? "This link has expired or was already used. Sign in again to get a new one."}
        </p>
        <p>
          <Link to="/sign-in">Back to sign-in</Link>
        </p>
      </section>
    );
  }
  const company = request.companyName;
  return (
    <section className="card narrow" aria-labelledby="link-title">
      <h1 id="link-title">Was this you?</h1>
      <p>
        Someone signed in with the {company} account{" "}
        <strong>{request.accountName ?? "without a name"}</strong> (account id <code>{request.subject}</code>)
        and asked to use it for Undersigned as <strong>{request.email}</strong>
        {request.replacing ? `, instead of the ${company} account connected now` : ""}.
      </p>
      <p>
        Only confirm if that was you, just now. If it was not, someone else's account carries your address.
      </p>
      <Form method="post">
        <input type="hidden" name="token" value={token} />
        <button type="submit" name="intent" value="confirm">
          Yes, connect this {company} account
        </button>{" "}
        <button type="submit" name="intent" value="refuse" className="secondary">
          This wasn’t me
        </button>
      </Form>
    </section>
  );
}
