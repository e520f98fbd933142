import { Link, useActionData, useLoaderData } from "@remix-run/react";

/** The page a refused sign-in through the identity provider shows (its status is the refusal's). */
export function ProviderProblem() {
  const loaderData = useLoaderData() as { error?: string } | null;
  const actionData = useActionData() as { error?: string } | undefined;
  const error = actionData?.error ?? loaderData?.error ?? "This sign-in could not be completed.";
  return (
    <section className="card narrow" aria-labelledby="provider-problem-title">
      <h1 id="provider-problem-title">You are not signed in</h1>
      <p role="alert">{error}</p>
      <p>
        <Link to="/sign-in">Back to sign-in</Link>
      </p>
    </section>
  );
}
