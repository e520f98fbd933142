import { Link } from "@remix-run/react";
import { useEffect, useState } from "react";
import { useFormat } from "../../i18n/format";
import { useT } from "../../i18n/translate";
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
  const t = useT();
  return (
    <section className="card count-card" aria-labelledby="count-title">
      <h2 id="count-title" className="sr-only">
        {t("signing.count.heading")}
      </h2>
      <p className="big-count" aria-live="polite">
        {t.rich("signing.count.total", { count, muted: (chunks) => <span className="muted">{chunks}</span> })}
      </p>
      <p className="muted">
        {t.rich("signing.count.split", {
          publicCount,
          anonymousCount,
          link: (chunks) => <Link to={`/petitions/${slug}/signers`}>{chunks}</Link>,
        })}
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
  const t = useT();
  const format = useFormat();
  return (
    <section className="card" aria-labelledby="milestones-title">
      <h2 id="milestones-title">{t("signing.milestones.title")}</h2>
      <MilestoneProgress count={count} next={nextThreshold} />
      <ul className="milestones">
        {milestones.map((m) => (
          <li key={m.threshold}>
            {t("signing.milestones.milestone", {
              threshold: m.threshold,
              response: m.responseRequired ? "required" : m.pendingApproval ? "pending" : "none",
              days: m.responseDays ?? 0,
            })}
            {m.reachedAt ? (
              <span className="muted">
                {" "}
                · {t("signing.milestones.reached", { when: format.dateTime(m.reachedAt) })}
              </span>
            ) : null}
            {m.responseDueAt ? (
              <span className="muted">
                {" "}
                · {t("signing.milestones.responseDue", { when: format.dateTime(m.responseDueAt) })}
              </span>
            ) : null}
            {m.id !== null ? <ApproveResponseButton milestoneId={m.id} /> : null}
          </li>
        ))}
      </ul>
      {keyFingerprint ? (
        <KeyFingerprint fingerprint={keyFingerprint} label={t("signing.milestones.petitionKey")} />
      ) : null}
    </section>
  );
}
