import { and, desc, eq, isNull } from "drizzle-orm";
import { getDb } from "../../../db/client";
import { petitionOrganizers, petitions, signatures } from "../../../db/schema";
import type { Formatter } from "../../i18n/format";
import type { Translate } from "../../i18n/translate";
import { petitionPath } from "../../platform/site/addresses.server";
import { dayOf } from "../../platform/time";
import { openObligations } from "../announcements/obligations.server";
import { listAnnouncements } from "../announcements/reads.server";
import { can } from "../identity/permissions.server";
import type { User } from "../identity/sessions.server";
import { listPetitions, readableByAnyone } from "./reads.server";
import type { Petition } from "./rights.server";
import { eventInWords, petitionsEvents } from "./timeline.server";

/**
 * The signed-in home page: what is open, what awaits leadership, what happened to what this person
 * signed publicly or organizes, and new memos. Reads only.
 *
 * What the server knows of a person's signatures is their public ones: an anonymous signature is
 * stored with no person (docs/anonymity.md), and the legacy anonymous rows that still carry one are
 * never asked for here — the query names `visibility = 'public'`. The browser's wallet knows the
 * anonymous ones; the page points to it.
 */

/** How many of each the home page shows; each section links to the whole list. */
export const HOME_LIMITS = { open: 5, awaiting: 5, events: 8, yourPetitions: 30, memos: 4 } as const;

/** Events that are news to a signer or an organizer: not the creation, which they know. */
export const NEWS: ReadonlySet<string> = new Set([
  "opened",
  "milestone",
  "response",
  "policy-version",
  "commitment",
  "update",
  "closed",
  "won",
]);

type Relation = "signed" | "organize";

/**
 * The petitions this person signed publicly (standing or not withdrawn) or organizes, most recently
 * changed first. Signed ones only while anyone may read them (a hidden one is not theirs to see);
 * their own ones in any state.
 */
function yourPetitions(userId: number): Array<{ petition: Petition; relation: Relation }> {
  const db = getDb();
  const organized = db
    .select({ petition: petitions })
    .from(petitionOrganizers)
    .innerJoin(petitions, eq(petitions.id, petitionOrganizers.petitionId))
    .where(eq(petitionOrganizers.personId, userId))
    .orderBy(desc(petitions.updatedAt), desc(petitions.id))
    .limit(HOME_LIMITS.yourPetitions)
    .all()
    .map(({ petition }) => ({ petition, relation: "organize" as const }));
  const signed = db
    .select({ petition: petitions })
    .from(signatures)
    .innerJoin(petitions, eq(petitions.id, signatures.petitionId))
    .where(
      and(
        eq(signatures.personId, userId),
        eq(signatures.visibility, "public"),
        isNull(signatures.withdrawnAt),
        readableByAnyone,
      ),
    )
    .orderBy(desc(petitions.updatedAt), desc(petitions.id))
    .limit(HOME_LIMITS.yourPetitions)
    .all()
    .map(({ petition }) => ({ petition, relation: "signed" as const }));
  const seen = new Set(organized.map((p) => p.petition.id));
  return [...organized, ...signed.filter((p) => !seen.has(p.petition.id))];
}

/** Unanswered response obligations, one line per petition (its earliest due date), soonest first. */
function awaitingLeadership(now: number) {
  const byPetition = new Map<number, ReturnType<typeof openObligations>[number]>();
  for (const obligation of openObligations(now)) {
    if (!byPetition.has(obligation.petition.id)) byPetition.set(obligation.petition.id, obligation);
  }
  const all = [...byPetition.values()];
  return {
    total: all.length,
    overdue: all.filter((o) => o.overdue).length,
    petitions: all.slice(0, HOME_LIMITS.awaiting).map((o) => ({
      slug: o.petition.slug,
      title: o.petition.title,
      signatureCount: o.petition.signatureCount,
      threshold: o.threshold,
      dueAt: dayOf(o.dueAt),
      overdue: o.overdue,
    })),
  };
}

/** The page's words are its reader's: each news line is said in their language. */
export function homeFeed(user: User, reader: { t: Translate; format: Formatter }, now = Date.now()) {
  const mine = yourPetitions(user.id);
  const timelines = petitionsEvents(mine.map((m) => m.petition));
  const events = mine
    .flatMap(({ petition, relation }) =>
      (timelines.get(petition.id) ?? [])
        .filter((e) => NEWS.has(e.kind))
        .map((e) => ({
          key: `${petition.id}-${e.key}`,
          // By day, as every page dates a petition's events (loader data reaches the browser whole).
          at: e.at.getTime(),
          on: dayOf(e.at),
          text: eventInWords(e, reader),
          href: e.href?.startsWith("#") ? petitionPath(petition.slug, e.href.slice(1)) : e.href,
          petition: { slug: petition.slug, title: petition.title },
          relation,
        })),
    )
    .sort((a, b) => b.at - a.at)
    .slice(0, HOME_LIMITS.events)
    .map(({ at: _at, ...event }) => event);
  // Their own petitions before they open: where each stands (no event says it yet).
  const notYetOpen = mine
    .filter(
      ({ petition, relation }) =>
        relation === "organize" &&
        ["draft", "collecting", "awaiting_moderation", "rejected"].includes(petition.state),
    )
    .map(({ petition }) => ({ slug: petition.slug, title: petition.title, state: petition.state }));
  const open = (sort: "signatures" | "newest") =>
    listPetitions({ list: "open", sort, page: 1 }, HOME_LIMITS.open);
  const mostSigned = open("signatures");
  return {
    open: { total: mostSigned.total, mostSigned: mostSigned.petitions, newest: open("newest").petitions },
    awaiting: awaitingLeadership(now),
    // Leadership answers obligations from their own page.
    answersObligations: can(user, "view:obligations"),
    yours: { events, notYetOpen, following: mine.length },
    memos: listAnnouncements({ page: 1, includeUnpublished: false })
      .announcements.slice(0, HOME_LIMITS.memos)
      .map((a) => ({ slug: a.slug, title: a.title, publishedAt: dayOf(a.publishedAt) })),
  };
}
