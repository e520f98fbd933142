import { Link } from "@remix-run/react";
import { useFormat } from "../../i18n/format";
import { useT } from "../../i18n/translate";
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
  const t = useT();
  const format = useFormat();
  return (
    <div className="petition-head">
      <p>
        <Link to="/petitions">{t("petition.head.back")}</Link>
      </p>
      <h1 id="petition-title">{petition.title}</h1>
      <p className="meta">
        <StateBadge state={petition.state} hidden={petition.hidden} won={petition.won} />{" "}
        <ResponseStatus dueAt={data.responseDueAt} overdue={data.overdue} responded={data.responded} />{" "}
        {t("petition.head.startedBy", { name: data.creatorName })}
        {petition.category ? ` · ${petition.category}` : ""}
        {/* Opened and closed are kept to their UTC day; the closing time is a moment that matters. */}
        {petition.openedAt
          ? ` · ${t("petition.head.opened", { day: format.utcDay(petition.openedAt) })}`
          : ""}
        {petition.state === "open" && petition.closesAt
          ? ` · ${t("petition.head.closes", { at: format.dateTime(petition.closesAt) })}`
          : ""}
        {petition.closedAt
          ? ` · ${t("petition.head.closed", { day: format.utcDay(petition.closedAt) })}`
          : ""}
      </p>
      {viewer.canSeeDashboard ? (
        <p>
          <Link to={`/petitions/${petition.slug}/dashboard`}>{t("petition.head.dashboard")}</Link>
        </p>
      ) : null}
      {viewer.isInvited ? (
        <p className="flash flash-info">
          {t("petition.head.invited")}{" "}
          <Link to={`/petitions/${petition.slug}/invitation`}>{t("petition.head.answerInvitation")}</Link>
        </p>
      ) : null}
      {data.updates
        .filter((u) => u.kind === "victory")
        .map((u) => (
          <section key={u.id} className="card victory" aria-labelledby="victory-title">
            <h2 id="victory-title">{t("petition.badge.won")}</h2>
            <p className="meta">
              {t.rich("petition.head.victoryDeclared", {
                day: <time dateTime={new Date(u.createdAt).toISOString()}>{format.utcDay(u.createdAt)}</time>,
              })}
            </p>
            <SanitizedHtml html={u.bodyHtml} />
          </section>
        ))}
      {petition.state === "rejected" && petition.rejectionReason ? (
        <p className="flash flash-error">
          {t("petition.head.notApproved", { reason: petition.rejectionReason })} {petition.rejectionNote}
        </p>
      ) : null}
      {petition.hidden ? (
        <p className="flash flash-error">{t("petition.head.hidden", { reason: petition.hiddenReason })}</p>
      ) : null}
    </div>
  );
}
