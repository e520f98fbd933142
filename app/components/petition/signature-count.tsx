import { Link } from "@remix-run/react";
import { useEffect, useState } from "react";
import { formatDateTime } from "../format";
import { MilestoneProgress } from "../petition-bits";
import { KeyFingerprint } from "../transparency-bits";
import { ApproveResponseButton } from "./moderator-panel";
import type { PetitionPageData } from "./page-data";

/** While open, the count refreshes from the cheap count endpoint (the page and its Sign bar share it). */
export function useLiveCount(slug: string, initial: number, live: boolean) {
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

/** The petition's count and how it splits: short, at the page's top, just above the sign box. */
export function SignatureCount({
  slug,
  count,
  publicCount,
  anonymousCount,
}: {
  slug: string;
  count: number;
  publicCount: number;
  anonymousCount: number;
}) {
  return (
    <section className="card count-card" aria-labelledby="count-title">
      <h2 id="count-title" className="sr-only">
        Signatures
      </h2>
      <p className="big-count" aria-live="polite">
        {count.toLocaleString("en")} <span className="muted">signatures</span>
      </p>
      <p className="muted">
        {publicCount.toLocaleString("en")} public · {anonymousCount.toLocaleString("en")} anonymous ·{" "}
        <Link to={`/petitions/${slug}/signers`}>Signers</Link>
      </p>
    </section>
  );
}

/** The way to the next milestone, the milestones and the signing key, below what a signer needs first. */
export function Milestones({
  count,
  milestones,
  nextThreshold,
  keyFingerprint,
}: Pick<PetitionPageData, "milestones" | "nextThreshold"> & {
  count: number;
  keyFingerprint: string | null;
}) {
  return (
    <section className="card" aria-labelledby="milestones-title">
      <h2 id="milestones-title">Milestones</h2>
      <MilestoneProgress count={count} next={nextThreshold} />
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
      {keyFingerprint ? (
        <KeyFingerprint fingerprint={keyFingerprint} label="This petition's signing key" />
      ) : null}
    </section>
  );
}
