import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { useT } from "../i18n/translate";

/**
 * The page a refused sign-in through the identity provider shows: its status is the refusal's, and
 * its words arrive already written in the reader's language (pageRefusal).
 */
export function ProviderProblem() {
  const t = useT();
  const loaderData = useLoaderData() as { error?: string } | null;
  const actionData = useActionData() as { error?: string } | undefined;
  const error = actionData?.error ?? loaderData?.error ?? t("identity.provider.notCompleted");
  return (
    <section className="card narrow" aria-labelledby="provider-problem-title">
      <h1 id="provider-problem-title">{t("identity.provider.notSignedIn")}</h1>
      <p role="alert">{error}</p>
      <p>
        <Link to="/sign-in">{t("identity.backToSignIn")}</Link>
      </p>
    </section>
  );
}
