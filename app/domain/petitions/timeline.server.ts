import { and, asc, eq, inArray, isNotNull, sql } from "drizzle-orm";
import type { AnySQLiteColumn } from "drizzle-orm/sqlite-core";
import { getDb, preparedStatements } from "../../../db/client";
import {
  commitments,
  commitmentUpdates,
  milestones,
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

/**
 * Every petition page reads its timeline, and the notifications read many at once: prepared once per
 * connection, each for a JSON array of petition ids, so a list of petitions costs one query per source.
 */
const inPetitions = (column: AnySQLiteColumn) =>
  sql`${column} in (select value from json_each(${sql.placeholder("ids")}))`;
const statements = preparedStatements((db) => ({
  milestones: db
    .select({
      petitionId: milestones.petitionId,
      threshold: milestones.threshold,
      reachedAt: milestones.reachedAt,
      responseRequired: milestones.responseRequired,
    })
    .from(milestones)
    .where(and(inPetitions(milestones.petitionId), isNotNull(milestones.reachedAt)))
    .orderBy(asc(milestones.threshold))
    .prepare(),
  updateTimes: db
    .select({ petitionId: petitionUpdates.petitionId, id: petitionUpdates.id, at: petitionUpdates.createdAt })
    .from(petitionUpdates)
    .where(and(inPetitions(petitionUpdates.petitionId), eq(petitionUpdates.kind, "update")))
    .orderBy(asc(petitionUpdates.id))
    .prepare(),
  invalidations: db
    .select()
    .from(signatureInvalidations)
    .where(inPetitions(signatureInvalidations.petitionId))
    .orderBy(asc(signatureInvalidations.id))
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
    text: reader ? eventInWords({ words }, reader) : text,
    ...(href ? { href } : {}),
  }));
}

/** What an event says in a reader's words (its dates as UTC days, as every page dates events). */
export const eventInWords = (
  { words: { key, values = {} } }: Pick<PetitionEvent, "words">,
  { t, format }: { t: Translate; format: Formatter },
) =>
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
  return petitionsEvents([petition]).get(petition.id) ?? [];
}

/** petitionEvents of many petitions, one query per source for all of them: by petition id. */
export function petitionsEvents(list: Petition[]): Map<number, PetitionEvent[]> {
  const db = getDb();
  const byPetition = new Map<number, PetitionEvent[]>();
  if (!list.length) return byPetition;
  const add = (petitionId: number, event: PetitionEvent) => byPetition.get(petitionId)?.push(event);
  for (const petition of list) {
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
    byPetition.set(petition.id, events);
  }
  const ids = { ids: JSON.stringify(list.map((p) => p.id)) };
  for (const m of statements().milestones.all(ids)) {
    if (!m.reachedAt) continue;
    add(m.petitionId, {
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
  const responses = responsesToPetitions(list.map((p) => p.id));
  // An announcement may answer several petitions: its version and commitments are news of each.
  const answered = new Map<number, number[]>();
  for (const r of responses) {
    if (!r.publishedAt) continue;
    answered.set(r.announcementId, [...(answered.get(r.announcementId) ?? []), r.petitionId]);
    add(r.petitionId, {
      kind: "response",
      key: `response-${r.announcementId}`,
      at: r.publishedAt,
      text: `Leadership responded: ${STANCE_LABELS[r.stance]} — “${r.title}”`,
      words: { key: "petition.timeline.response", values: { stance: r.stance, title: r.title } },
      href: `/announcements/${r.slug}`,
    });
  }
  const announcementIds = [...new Set(responses.map((r) => r.announcementId))];
  if (announcementIds.length) {
    const versions = db
      .select({
        id: policyVersions.id,
        announcementId: policyVersions.announcementId,
        version: policyVersions.version,
        publishedAt: policyVersions.publishedAt,
        effectiveAt: policyVersions.effectiveAt,
        title: policies.title,
        slug: policies.slug,
      })
      .from(policyVersions)
      .innerJoin(policies, eq(policies.id, policyVersions.policyId))
      .where(inArray(policyVersions.announcementId, announcementIds))
      .orderBy(asc(policyVersions.id))
      .all();
    for (const v of versions) {
      for (const petitionId of answered.get(v.announcementId ?? -1) ?? [])
        add(petitionId, {
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
        announcementId: commitments.announcementId,
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
      for (const petitionId of answered.get(u.announcementId) ?? [])
        add(petitionId, {
          kind: "commitment",
          key: `commitment-update-${u.id}`,
          at: u.at,
          text: `Commitment “${u.text}”: ${COMMITMENT_STATUS_LABELS[u.status]}`,
          words: { key: "petition.timeline.commitment", values: { text: u.text, status: u.status } },
        });
    }
  }
  for (const u of statements().updateTimes.all(ids)) {
    add(u.petitionId, {
      kind: "update",
      key: `update-${u.id}`,
      at: u.at,
      text: "Update from the organizers",
      words: { key: "petition.timeline.update" },
      href: "#updates",
    });
  }
  // A moderator's act, said in counts and a category: never who signed, nor the moderator's words.
  for (const i of statements().invalidations.all(ids)) {
    add(i.petitionId, {
      kind: "invalidation",
      key: `invalidation-${i.id}`,
      at: i.invalidatedAt,
      text: `${i.count.toLocaleString("en")} signatures invalidated by a moderator: ${INVALIDATION_REASON_LABELS[i.reason]}`,
      words: { key: "petition.timeline.invalidation", values: { count: i.count, reason: i.reason } },
    });
  }
  for (const petition of list) {
    if (petition.closedAt)
      add(petition.id, {
        at: petition.closedAt,
        text: "Closed",
        words: { key: "petition.timeline.closed" },
        kind: "closed",
        key: "closed",
      });
    if (petition.wonAt)
      add(petition.id, {
        at: petition.wonAt,
        text: "Won — its creator declared victory",
        words: { key: "petition.timeline.won" },
        kind: "won",
        key: "won",
      });
  }
  for (const events of byPetition.values()) events.sort((a, b) => a.at.getTime() - b.at.getTime());
  return byPetition;
}
