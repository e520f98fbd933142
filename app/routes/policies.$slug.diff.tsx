import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { DiffView } from "../components/diff-view";
import { diffVersions, findPolicy } from "../domain/policies/registry.server";
import { say } from "../platform/said";
import { redirectFromFormerAddress } from "../web/former-addresses.server";
import { notFound } from "../web/refusal-reply.server";
import { parseQuery } from "../web/request.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `Changes to ${data?.policy.title ?? "a policy"} · Undersigned` },
];

const version = z.coerce.number().int().min(1).max(100_000);

/** GET /policies/:slug/diff?from=&to= — word-level changes between any two versions. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const policy = findPolicy(params.slug ?? "");
  if (!policy) notFound(say("server.notFound.policy"));
  redirectFromFormerAddress(request, "/policies/", params.slug, policy.slug);
  const { from, to } = parseQuery(request, z.object({ from: version, to: version }));
  const diffHtml = diffVersions(policy.id, from, to);
  if (diffHtml === null) notFound(say("server.notFound.policyVersions", { from, to }));
  return json({ policy: { slug: policy.slug, title: policy.title }, from, to, diffHtml });
}

export default function PolicyDiff() {
  const { policy, from, to, diffHtml } = useLoaderData<typeof loader>();
  return (
    <div className="stack">
      <p>
        <Link to={`/policies/${policy.slug}`}>← {policy.title}</Link>
      </p>
      <h1>
        {policy.title}: version {from} → version {to}
      </h1>
      <p className="muted">
        Version {to} as it reads, with <ins>added text</ins> and <del>removed text</del> marked.
      </p>
      <section className="card">
        <DiffView html={diffHtml} />
      </section>
    </div>
  );
}
