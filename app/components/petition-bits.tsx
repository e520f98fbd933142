import { Link } from "@remix-run/react";
import { useFormat } from "../i18n/format";
import { useT } from "../i18n/translate";
import type { Stance } from "../vocabulary/announcements";
import type { PetitionState } from "../vocabulary/petitions";
import { SanitizedHtml } from "./sanitized-html";

export function StateBadge({
  state,
  hidden,
  won,
}: {
  state: PetitionState;
  hidden?: boolean;
  won?: string | Date | boolean | null;
}) {
  const t = useT();
  const tone = state === "open" ? "badge-ok" : state === "rejected" ? "badge-bad" : "badge-warn";
  return (
    <>
      <span className={`badge ${tone}`}>{t(`petition.state.${state}`)}</span>
      {won ? <span className="badge badge-ok">{t("petition.badge.won")}</span> : null}
      {hidden ? <span className="badge badge-bad">{t("petition.badge.hidden")}</span> : null}
    </>
  );
}

/** "awaiting response — due DATE, TIME ZONE", "overdue" or "responded (stance)", on pages and in lists. */
export function ResponseStatus({
  dueAt,
  overdue,
  responded,
}: {
  dueAt: string | Date | null;
  overdue: boolean;
  responded?: { stance: Stance; announcementSlug: string } | null;
}) {
  const t = useT();
  const format = useFormat();
  if (!dueAt && responded) {
    return (
      <a className="badge badge-ok" href={`/announcements/${responded.announcementSlug}`}>
        {t("petition.response.responded", { stance: responded.stance })}
      </a>
    );
  }
  if (!dueAt) return null;
  return overdue ? (
    <span className="badge badge-bad">{t("petition.response.overdue", { due: format.dateTime(dueAt) })}</span>
  ) : (
    <span className="badge badge-warn">
      {t("petition.response.awaiting", { due: format.dateTime(dueAt) })}
    </span>
  );
}

export type PetitionCard = {
  slug: string;
  title: string;
  summary: string;
  state: PetitionState;
  signatureCount: number;
  closesAt: string | Date | null;
  responseDueAt: string | Date | null;
  overdue: boolean;
  responded?: { stance: Stance; announcementSlug: string } | null;
  wonAt?: string | Date | null;
};

export function PetitionList({ petitions }: { petitions: PetitionCard[] }) {
  const t = useT();
  const format = useFormat();
  if (!petitions.length) return <p>{t("petition.list.empty")}</p>;
  return (
    <ul className="petition-list">
      {petitions.map((p) => (
        <li key={p.slug} className="card">
          <h2 className="petition-title">
            <Link to={`/petitions/${p.slug}`}>{p.title}</Link>
          </h2>
          <p>{p.summary}</p>
          <p className="meta">
            {t.rich("petition.list.signatures", {
              count: p.signatureCount,
              strong: (chunks) => <strong>{chunks}</strong>,
            })}{" "}
            <StateBadge state={p.state} won={p.wonAt} />{" "}
            <ResponseStatus dueAt={p.responseDueAt} overdue={p.overdue} responded={p.responded} />
            {p.state === "open" && p.closesAt ? (
              <span className="muted">
                {" "}
                · {t("petition.list.closes", { at: format.dateTime(p.closesAt) })}
              </span>
            ) : null}
          </p>
        </li>
      ))}
    </ul>
  );
}

/** Progress toward the next milestone, as a native, accessible progress bar. */
export function MilestoneProgress({ count, next }: { count: number; next: number | null }) {
  const t = useT();
  if (next === null) return <p className="muted">{t("petition.milestones.allReached")}</p>;
  return (
    <div className="progress">
      <label htmlFor="milestone-progress">{t("petition.milestones.progress", { count, next })}</label>
      <progress id="milestone-progress" max={next} value={Math.min(count, next)} />
    </div>
  );
}

export type UpdateItem = {
  id: number;
  kind: "update" | "victory";
  bodyHtml: string;
  createdAt: string | Date;
  authorName: string | null;
};

/** Organizers' updates, newest first (the petition page shows days, the dashboard times). */
export function UpdateList({ updates, withTime = false }: { updates: UpdateItem[]; withTime?: boolean }) {
  const t = useT();
  const format = useFormat();
  return (
    <ol className="updates">
      {updates.map((u) => (
        <li key={u.id}>
          <p className="meta">
            {t.rich("petition.update.byline", {
              kind: u.kind,
              author: u.authorName ?? t("petition.update.anOrganizer"),
              time: (
                // Kept to the minute for organizers, to the UTC day on the petition page.
                <time dateTime={new Date(u.createdAt).toISOString()}>
                  {withTime ? format.dateTime(u.createdAt) : format.utcDay(u.createdAt)}
                </time>
              ),
            })}
          </p>
          <SanitizedHtml html={u.bodyHtml} />
        </li>
      ))}
    </ol>
  );
}
