import { and, asc, eq, inArray, sql } from "drizzle-orm";
import { getDb, preparedStatements } from "../../../db/client";
import {
  commitments,
  commitmentUpdates,
  petitionUpdates,
  policies,
  policyVersions,
  signatureInvalidations,
} from "../../../db/schema";
import type { Formatter } from "../../i18n/format";
import type { MessageKey, Translate } from "../../i18n/translate";
import { startOfDay } from "../../platform/time";
import { COMMITMENT_STATUS_LABELS, STANCE_LABELS } from "../../vocabulary/announcements";
import { INVALIDATION_REASON_LABELS } from "../../vocabulary/petitions";
import { responsesToPetitions } from "../announcements/reads.server";
import { listMilestones } from "./reads.server";
import type { Petition } from "./rights.server";

export type TimelineEvent = { at: Date; text: string; href?: string };

/** What an event says, as a catalog message: the page writes it in its reader's words (dates as UTC days). */
type EventWords = { key: MessageKey; values?: Record<string, string | number | boolean | Date> };

/**
 * What happened, at its exact time, with `key`: a name for it made of data that never changes (kind
 * and row id, or threshold), unique within the petition — what the Atom feed makes entry ids of.
 */
export type PetitionEvent = TimelineEvent & {
  words: EventWords;
  kind:
    | "created"
    | "opened"
    | "milestone"
    | "response"
    | "policy-version"
    | "commitment"
    | "update"
    | "invalidation"
    | "closed"
    | "won";
  key: string;
};

/** Every petition page reads its timeline: prepared once per connection. */
const statements = preparedStatements((db) => ({
  updateTimes: db
    .select({ id: petitionUpdates.id, at: petitionUpdates.createdAt })
    .from(petitionUpdates)
    .where(
      and(eq(petitionUpdates.petitionId, sql.placeholder("petitionId")), eq(petitionUpdates.kind, "update")),
    )
    .prepare(),
  invalidations: db
    .select()
    .from(signatureInvalidations)
    .where(eq(signatureInvalidations.petitionId, sql.placeholder("petitionId")))
    .prepare(),
}));

/**
 * One petition's story, oldest first: created, opened, each milestone, each response (with its stance),
 * each policy version a response published, each commitment status change, each bulk invalidation
 * (how many, and why as a category), closed — each dated by day.
 */
export function petitionTimeline(
  petition: Petition,
  reader?: { t: Translate; format: Formatter },
): TimelineEvent[] {
  // Dated by day: the page shows days, and loader data goes whole.
  return petitionEvents(petition).map(({ at, text, words, href }) => ({
    at: new Date(startOfDay(at.getTime())),
    // In the reader's words for the page; without a reader, the English every feed id was made of.
    text: reader ? said(words, reader) : text,
    ...(href ? { href } : {}),
  }));
}

/** An event in a reader's words (dates as UTC days). */
export const said = ({ key, values = {} }: EventWords, { t, format }: { t: Translate; format: Formatter }) =>
  t(
    key,
    Object.fromEntries(
      Object.entries(values).map(([name, value]) => [
        name,
        value instanceof Date ? format.utcDay(value) : value,
      ]),
    ),
  );

/** The timeline's events at their exact times, oldest first, each with its kind and stable key. */
export function petitionEvents(petition: Petition): PetitionEvent[] {
  const db = getDb();
  const events: PetitionEvent[] = [
    {
      at: petition.createdAt,
      text: "Petition created",
      words: { key: "petition.timeline.created" },
      kind: "created",
      key: "created",
    },
  ];
  if (petition.openedAt)
    events.push({
      at: petition.openedAt,
      text: "Opened for signatures",
      words: { key: "petition.timeline.opened" },
      kind: "opened",
      key: "opened",
    });
  for (const m of listMilestones(petition.id)) {
    if (!m.reachedAt) continue;
    events.push({
      kind: "milestone",
      key: `milestone-${m.threshold}`,
      at: m.reachedAt,
      text: `Reached ${m.threshold.toLocaleString("en")} signatures${m.responseRequired ? " — leadership must respond" : ""}`,
      words: {
        key: "petition.timeline.milestone",
        values: { threshold: m.threshold, respond: m.responseRequired ? "yes" : "no" },
      },
    });
  }
  const responses = responsesToPetitions([petition.id]);
  for (const r of responses) {
    if (!r.publishedAt) continue;
    events.push({
      kind: "response",
      key: `response-${r.announcementId}`,
      at: r.publishedAt,
      text: `Leadership responded: ${STANCE_LABELS[r.stance]} — “${r.title}”`,
      words: { key: "petition.timeline.response", values: { stance: r.stance, title: r.title } },
      href: `/announcements/${r.slug}`,
    });
  }
  const announcementIds = responses.map((r) => r.announcementId);
  if (announcementIds.length) {
    const versions = db
      .select({
        id: policyVersions.id,
        version: policyVersions.version,
        publishedAt: policyVersions.publishedAt,
        effectiveAt: policyVersions.effectiveAt,
        title: policies.title,
        slug: policies.slug,
      })
      .from(policyVersions)
      .innerJoin(policies, eq(policies.id, policyVersions.policyId))
      .where(inArray(policyVersions.announcementId, announcementIds))
      .all();
    for (const v of versions) {
      events.push({
        kind: "policy-version",
        key: `policy-version-${v.id}`,
        at: v.publishedAt,
        text: `${v.title}: version ${v.version} published, effective ${v.effectiveAt.toISOString().slice(0, 10)}`,
        words: {
          key: "petition.timeline.policyVersion",
          values: { title: v.title, version: v.version, effective: v.effectiveAt },
        },
        href: `/policies/${v.slug}`,
      });
    }
    const updates = db
      .select({
        id: commitmentUpdates.id,
        at: commitmentUpdates.at,
        status: commitmentUpdates.status,
        text: commitments.text,
      })
      .from(commitmentUpdates)
      .innerJoin(commitments, eq(commitments.id, commitmentUpdates.commitmentId))
      .where(inArray(commitments.announcementId, announcementIds))
      .orderBy(asc(commitmentUpdates.id))
      .all();
    for (const u of updates) {
      events.push({
        kind: "commitment",
        key: `commitment-update-${u.id}`,
        at: u.at,
        text: `Commitment “${u.text}”: ${COMMITMENT_STATUS_LABELS[u.status]}`,
        words: { key: "petition.timeline.commitment", values: { text: u.text, status: u.status } },
      });
    }
  }
  for (const u of statements().updateTimes.all({ petitionId: petition.id })) {
    events.push({
      kind: "update",
      key: `update-${u.id}`,
      at: u.at,
      text: "Update from the organizers",
      words: { key: "petition.timeline.update" },
      href: "#updates",
    });
  }
  // A moderator's act, said in counts and a category: never who signed, nor the moderator's words.
  for (const i of statements().invalidations.all({ petitionId: petition.id })) {
    events.push({
      kind: "invalidation",
      key: `invalidation-${i.id}`,
      at: i.invalidatedAt,
      text: `${i.count.toLocaleString("en")} signatures invalidated by a moderator: ${INVALIDATION_REASON_LABELS[i.reason]}`,
      words: { key: "petition.timeline.invalidation", values: { count: i.count, reason: i.reason } },
    });
  }
  if (petition.closedAt)
    events.push({
      at: petition.closedAt,
      text: "Closed",
      words: { key: "petition.timeline.closed" },
      kind: "closed",
      key: "closed",
    });
  if (petition.wonAt)
    events.push({
      at: petition.wonAt,
      text: "Won — its creator declared victory",
      words: { key: "petition.timeline.won" },
      kind: "won",
      key: "won",
    });
  return events.sort((a, b) => a.at.getTime() - b.at.getTime());
}
