import { Link } from "@remix-run/react";
import { STANCE_LABELS, type Stance } from "../vocabulary/announcements";
import { type PetitionState, STATE_LABELS } from "../vocabulary/petitions";
import { formatDate, formatDateTime } from "./format";
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
  const tone = state === "open" ? "badge-ok" : state === "rejected" ? "badge-bad" : "badge-warn";
  return (
    <>
      <span className={`badge ${tone}`}>{STATE_LABELS[state]}</span>
      {won ? <span className="badge badge-ok">Won</span> : null}
      {hidden ? <span className="badge badge-bad">Hidden by moderators</span> : null}
    </>
  );
}

/** "awaiting response — due DATE", "overdue" or "responded (stance)", on pages and in lists. */
export function ResponseStatus({
  dueAt,
  overdue,
  responded,
}: {
  dueAt: string | Date | null;
  overdue: boolean;
  responded?: { stance: Stance; announcementSlug: string } | null;
}) {
  if (!dueAt && responded) {
    return (
      <a className="badge badge-ok" href={`/announcements/${responded.announcementSlug}`}>
        Responded — {STANCE_LABELS[responded.stance]}
      </a>
    );
  }
  if (!dueAt) return null;
  return overdue ? (
    <span className="badge badge-bad">Response overdue — was due {formatDate(dueAt)}</span>
  ) : (
    <span className="badge badge-warn">Awaiting response — due {formatDate(dueAt)}</span>
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
  if (!petitions.length) return <p>No petitions here yet.</p>;
  return (
    <ul className="petition-list">
      {petitions.map((p) => (
        <li key={p.slug} className="card">
          <h2 className="petition-title">
            <Link to={`/petitions/${p.slug}`}>{p.title}</Link>
          </h2>
          <p>{p.summary}</p>
          <p className="meta">
            <strong>{p.signatureCount.toLocaleString("en")}</strong> signatures ·{" "}
            <StateBadge state={p.state} won={p.wonAt} />{" "}
            <ResponseStatus dueAt={p.responseDueAt} overdue={p.overdue} responded={p.responded} />
            {p.state === "open" && p.closesAt ? (
              <span className="muted"> · closes {formatDate(p.closesAt)}</span>
            ) : null}
          </p>
        </li>
      ))}
    </ul>
  );
}

/** Progress toward the next milestone, as a native, accessible progress bar. */
export function MilestoneProgress({ count, next }: { count: number; next: number | null }) {
  if (next === null) return <p className="muted">Every milestone has been reached.</p>;
  return (
    <div className="progress">
      <label htmlFor="milestone-progress">
        {count.toLocaleString("en")} of {next.toLocaleString("en")} signatures toward the next milestone
      </label>
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
  return (
    <ol className="updates">
      {updates.map((u) => (
        <li key={u.id}>
          <p className="meta">
            {u.kind === "victory" ? "Victory · " : ""}
            {u.authorName ?? "An organizer"} ·{" "}
            <time dateTime={new Date(u.createdAt).toISOString()}>
              {withTime ? formatDateTime(u.createdAt) : formatDate(u.createdAt)}
            </time>
          </p>
          <SanitizedHtml html={u.bodyHtml} />
        </li>
      ))}
    </ol>
  );
}
