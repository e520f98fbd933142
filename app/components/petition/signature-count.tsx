import { Link } from "@remix-run/react";
import { useEffect, useState } from "react";
import { formatDateTime } from "../format";
import { MilestoneProgress } from "../petition-bits";
import { KeyFingerprint } from "../transparency-bits";
import { ApproveResponseButton } from "./moderator-panel";
import type { PetitionPageData } from "./page-data";

/** While open, the count refreshes from the cheap count endpoint. */
function useLiveCount(slug: string, initial: number, live: boolean) {
  const [count, setCount] = useState(initial);
  useEffect(() => setCount(initial), [initial]);
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(async () => {
      const response = await fetch(`/api/petitions/${slug}/count`).catch(() => null);
      if (response?.ok) setCount(((await response.json()) as { signatureCount: number }).signatureCount);
    }, 15_000);
    return () => clearInterval(timer);
  }, [slug, live]);
  return count;
}

/** The petition's count (live while it is open), how it splits, its signing key and its milestones. */
export function SignatureCount({
  petition,
  milestones,
  nextThreshold,
  publicCount,
  anonymousCount,
  keyFingerprint,
}: Pick<PetitionPageData, "milestones" | "nextThreshold"> & {
  petition: Pick<PetitionPageData["petition"], "slug" | "state" | "signatureCount">;
  publicCount: number;
  anonymousCount: number;
  keyFingerprint: string | null;
}) {
  const count = useLiveCount(petition.slug, petition.signatureCount, petition.state === "open");
  return (
    <section className="card" aria-labelledby="count-title">
      <h2 id="count-title" className="sr-only">
        Signatures
      </h2>
      <p className="big-count" aria-live="polite">
        {count.toLocaleString("en")} <span className="muted">signatures</span>
      </p>
      <p className="muted">
        {publicCount.toLocaleString("en")} public · {anonymousCount.toLocaleString("en")} anonymous ·{" "}
        <Link to={`/petitions/${petition.slug}/signers`}>Signers</Link>
      </p>
      {keyFingerprint ? (
        <KeyFingerprint fingerprint={keyFingerprint} label="This petition's signing key" />
      ) : null}
      <MilestoneProgress count={count} next={nextThreshold} />
      <h3>Milestones</h3>
      <ul className="milestones">
        {milestones.map((m) => (
          <li key={m.threshold}>
            {m.threshold.toLocaleString("en")} signatures
            {m.responseRequired ? ` — leadership must respond within ${m.responseDays} days` : ""}
            {m.pendingApproval
              ? ` — its creator asks for a response within ${m.responseDays} days (awaiting a moderator's approval)`
              : ""}
            {m.reachedAt ? <span className="muted"> · reached {formatDateTime(m.reachedAt)}</span> : null}
            {m.id !== null ? <ApproveResponseButton milestoneId={m.id} /> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
