import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { DiffView } from "../components/diff-view";
import { diffVersions, findPolicy } from "../domain/policies/registry.server";
import { useT } from "../i18n/translate";
import { redirectFromFormerAddress } from "../web/former-addresses.server";
import { wordsFor } from "../web/reader.server";
import { notFound } from "../web/refusal-reply.server";
import { parseQuery } from "../web/request.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Undersigned" }];

const version = z.coerce.number().int().min(1).max(100_000);

/** GET /policies/:slug/diff?from=&to= — word-level changes between any two versions. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { t } = await wordsFor(request);
  const policy = findPolicy(params.slug ?? "");
  if (!policy) notFound(t("policies.notFound"));
  redirectFromFormerAddress(request, "/policies/", params.slug, policy.slug);
  const { from, to } = parseQuery(request, z.object({ from: version, to: version }));
  const diffHtml = diffVersions(policy.id, from, to);
  if (diffHtml === null) notFound(t("policies.diff.noSuchVersion", { from, to }));
  return json({
    title: t("common.pageTitle", { page: t("policies.diff.pageTitle", { policy: policy.title }) }),
    policy: { slug: policy.slug, title: policy.title },
    from,
    to,
    diffHtml,
  });
}

export default function PolicyDiff() {
  const { policy, from, to, diffHtml } = useLoaderData<typeof loader>();
  const t = useT();
  return (
    <div className="stack">
      <p>
        <Link to={`/policies/${policy.slug}`}>← {policy.title}</Link>
      </p>
      <h1>{t("policies.diff.heading", { policy: policy.title, from, to })}</h1>
      <p className="muted">
        {t.rich("policies.diff.legend", {
          to,
          ins: (chunks) => <ins>{chunks}</ins>,
          del: (chunks) => <del>{chunks}</del>,
        })}
      </p>
      <section className="card">
        <DiffView html={diffHtml} />
      </section>
    </div>
  );
}
