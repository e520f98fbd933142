import { Link } from "@remix-run/react";
import { REJECTION_LABELS } from "../../vocabulary/petitions";
import { formatDate } from "../format";
import { ResponseStatus, StateBadge } from "../petition-bits";
import { SanitizedHtml } from "../sanitized-html";
import type { PetitionPageData } from "./page-data";

/** The petition page's head: its title, state and what is said about it before anything else. */
export function PetitionHead({
  data,
}: {
  data: Pick<
    PetitionPageData,
    "petition" | "viewer" | "creatorName" | "responseDueAt" | "overdue" | "responded"
  > & { updates: Array<{ id: number; kind: string; createdAt: string | number; bodyHtml: string }> };
}) {
  const { petition, viewer } = data;
  return (
    <div className="petition-head">
      <p>
        <Link to="/petitions">← Petitions</Link>
      </p>
      <h1 id="petition-title">{petition.title}</h1>
      <p className="meta">
        <StateBadge state={petition.state} hidden={petition.hidden} won={petition.won} />{" "}
        <ResponseStatus dueAt={data.responseDueAt} overdue={data.overdue} responded={data.responded} />{" "}
        Started by {data.creatorName}
        {petition.category ? ` · ${petition.category}` : ""}
        {petition.openedAt ? ` · opened ${formatDate(petition.openedAt)}` : ""}
        {petition.state === "open" && petition.closesAt ? ` · closes ${formatDate(petition.closesAt)}` : ""}
        {petition.closedAt ? ` · closed ${formatDate(petition.closedAt)}` : ""}
      </p>
      {viewer.canSeeDashboard ? (
        <p>
          <Link to={`/petitions/${petition.slug}/dashboard`}>Organizer dashboard</Link>
        </p>
      ) : null}
      {viewer.isInvited ? (
        <p className="flash flash-info">
          You are invited to co-organize this petition.{" "}
          <Link to={`/petitions/${petition.slug}/invitation`}>Answer the invitation</Link>
        </p>
      ) : null}
      {data.updates
        .filter((u) => u.kind === "victory")
        .map((u) => (
          <section key={u.id} className="card victory" aria-labelledby="victory-title">
            <h2 id="victory-title">Won</h2>
            <p className="meta">
              Its creator declared victory on{" "}
              <time dateTime={new Date(u.createdAt).toISOString()}>{formatDate(u.createdAt)}</time>.
            </p>
            <SanitizedHtml html={u.bodyHtml} />
          </section>
        ))}
      {petition.state === "rejected" && petition.rejectionReason ? (
        <p className="flash flash-error">
          Not approved: {REJECTION_LABELS[petition.rejectionReason]}. {petition.rejectionNote}
        </p>
      ) : null}
      {petition.hidden ? (
        <p className="flash flash-error">Hidden by moderators: {petition.hiddenReason}</p>
      ) : null}
    </div>
  );
}
