import { stringify } from "csv-stringify/sync";
import { and, asc, count, eq, gte, isNull, lt, or, sql } from "drizzle-orm";
import { getDb, preparedStatements } from "../../../db/client";
import { anonymousSignatures, milestones, outbox, people, petitions, signatures } from "../../../db/schema";
import { type Breakdown, type Group, suppressSmallGroups } from "../../platform/anonymity/small-groups";
import { keptValue } from "../../platform/runtime/kept-values.server";
import { say } from "../../platform/said";
import { inEnglish } from "../../platform/said-english";
import { actorOf, recordAudit } from "../../platform/security/audit.server";
import { DAY_MS, dayOf, HOUR_MS, minuteOf } from "../../platform/time";
import type { MailKind } from "../../vocabulary/mail-kinds";
import { discussionActivity } from "../discussion/queue.server";
import type { User } from "../identity/sessions.server";
import { listOrganizers } from "./organizers.server";
import { projectNextMilestone, RATE_WINDOW_MS } from "./projection";
import type { Petition } from "./rights.server";
import {
  bucketStarts,
  chooseResolution,
  fillSeries,
  HOURLY_SPAN_MS,
  type Resolution,
} from "./signature-series";
import { dashboardRights } from "./standing.server";
import { listPetitionUpdates, UPDATE_INTERVAL_MS, updateRecipientCount } from "./updates.server";

/**
 * The organizer dashboard: how a petition is doing, for its organizers, moderators and admins.
 * Everything about signers is a count; breakdowns by department and location are of public signers
 * (through small-group suppression), anonymous signers one total beside them.
 */

const standing = (petitionId: number) =>
  and(
    eq(signatures.petitionId, petitionId),
    isNull(signatures.withdrawnAt),
    isNull(signatures.invalidatedAt),
  );

const startOfDay = (t: number) => Math.floor(t / DAY_MS) * DAY_MS;

/** Signed before `at`, and neither withdrawn nor invalidated before it. */
const standingAt = (at: number) => {
  const then = new Date(at);
  return and(
    lt(signatures.createdAt, then),
    or(isNull(signatures.withdrawnAt), gte(signatures.withdrawnAt, then)),
    or(isNull(signatures.invalidatedAt), gte(signatures.invalidatedAt, then)),
  );
};

/**
 * A petition's standing signatures made in [from, to): a range of signatures_standing_created_idx,
 * plus its standing anonymous ones counted in that range (by their batch's time).
 */
export const COUNT_STANDING_BETWEEN = `select count(*) from signatures where petition_id = @petition
  and withdrawn_at is null and invalidated_at is null and created_at >= @from and created_at < @to`;
export const COUNT_ANONYMOUS_BETWEEN = `select count(*) from anonymous_signatures where petition_id = @petition
  and standing = 1 and counted_at >= @from and counted_at < @to`;

const statements = preparedStatements((db) => {
  const signed = db.$client
    .prepare<{ petition: number; from: number; to: number }, number>(COUNT_STANDING_BETWEEN)
    .pluck();
  const anonymous = db.$client
    .prepare<{ petition: number; from: number; to: number }, number>(COUNT_ANONYMOUS_BETWEEN)
    .pluck();
  return {
    countBetween: {
      get: (petition: number, from: number, to: number) =>
        (signed.get({ petition, from, to }) ?? 0) + (anonymous.get({ petition, from, to }) ?? 0),
    },
  };
});

const countSince = (petitionId: number, since: number): number =>
  statements().countBetween.get(petitionId, since, Number.MAX_SAFE_INTEGER) ?? 0;

/**
 * Standing signatures per bucket. `hour` shows the first three days after opening (when signatures
 * rush in); `day` the whole life of the petition. The cumulative line ends at the count the bucket
 * range covers.
 */
export function signatureSeries(petition: Petition, resolution: Resolution | undefined, now = Date.now()) {
  const from = (petition.openedAt ?? petition.createdAt).getTime();
  const end = Math.min(now, petition.closedAt?.getTime() ?? now);
  const chosen = resolution ?? chooseResolution(from, end);
  const size = chosen === "hour" ? HOUR_MS : DAY_MS;
  // The first 72 whole hours, from the hour it opened in.
  const to =
    chosen === "hour" ? Math.min(end, Math.floor(from / HOUR_MS) * HOUR_MS + HOURLY_SPAN_MS - 1) : end;
  const starts = bucketStarts(from, to, chosen);
  const first = starts[0] ?? from;
  // A count per bucket, each a range of the standing-signatures index (migration 0013): a few
  // hundred such ranges at most, 5× faster than one GROUP BY, which sorts every signature.
  const { countBetween } = statements();
  const counts = new Map(
    starts.map((start) => [start, countBetween.get(petition.id, start, start + size) ?? 0]),
  );
  const before = countBetween.get(petition.id, 0, first) ?? 0;
  return { resolution: chosen, points: fillSeries(starts, counts, before), bucketMs: size };
}

type BreakdownPetition = Pick<Petition, "id" | "createdAt">;

/**
 * Colleagues in the directory (active ones) for the groups a breakdown shows, and for its folded
 * groups combined: what each group's public signers are a share of. Read from the directory, not from
 * anyone's signature; folded groups only as their sum, like their signers.
 */
export type Headcounts = { shown: Record<string, number>; folded: number | null };

type Breakdowns = {
  asOf: number;
  /** Standing anonymous signatures at asOf: one number, never broken down. */
  anonymous: number;
  department: ReturnType<typeof suppressSmallGroups>;
  location: ReturnType<typeof suppressSmallGroups>;
  headcounts: { department: Headcounts; location: Headcounts };
};

/** The headcounts a breakdown's rows are shares of (see Headcounts). */
function headcountsOf(breakdown: Breakdown, byLabel: ReadonlyMap<string, number>): Headcounts {
  const shown: Record<string, number> = {};
  let folded = 0;
  for (const row of breakdown.rows) {
    const n = byLabel.get(row.label) ?? 0;
    if (row.shown) shown[row.label] = n;
    else folded += n;
  }
  return { shown, folded: breakdown.folded === null ? null : folded };
}

/**
 * Breakdowns are the public signatures as they stood at midnight UTC, so they change once a day; they
 * read every public signature (165 ms at 80,000 signers), so each petition's is kept for its day, one
 * value for every worker process (platform/kept-values). Departments and locations are those each
 * signature recorded when it was made, not the directory's now: a directory import that moves a
 * signer moves no count (it moved an anonymous signer's department when breakdowns read the
 * directory). The directory gives only the list of groups shown, signed in or not. (The petition's
 * creation time is in the key for databases the seed CLI resets under a running server.)
 */
export function signerBreakdowns(petition: BreakdownPetition, now = Date.now()): Promise<Breakdowns> {
  const asOf = startOfDay(now);
  return keptValue(`breakdowns:${petition.id}:${asOf}:${petition.createdAt.getTime()}`, () =>
    countBreakdowns(petition, asOf),
  );
}

function countBreakdowns(petition: BreakdownPetition, asOf: number): Breakdowns {
  // One pass over the public signers, grouped by both, folded into each breakdown here. Anonymous
  // signatures have no department or location: they are one total beside the breakdowns.
  // Each signature's department and location as they were when it was made (signing.server.ts): a
  // directory edit since moves nothing here.
  const rows = getDb()
    .select({
      department: sql<string>`coalesce(${signatures.department}, '')`,
      location: sql<string>`coalesce(${signatures.location}, '')`,
      total: count(),
    })
    .from(signatures)
    .where(and(eq(signatures.petitionId, petition.id), eq(signatures.visibility, "public"), standingAt(asOf)))
    .groupBy(sql`1`, sql`2`)
    .all();
  const anonymous =
    (getDb()
      .select({ n: count() })
      .from(signatures)
      .where(
        and(eq(signatures.petitionId, petition.id), eq(signatures.visibility, "anonymous"), standingAt(asOf)),
      )
      .get()?.n ?? 0) +
    (getDb()
      .select({ n: count() })
      .from(anonymousSignatures)
      .where(
        and(
          eq(anonymousSignatures.petitionId, petition.id),
          eq(anonymousSignatures.standing, true),
          lt(anonymousSignatures.countedAt, new Date(asOf)),
        ),
      )
      .get()?.n ?? 0);
  // Every department and location of the directory (people who left included: they may have
  // signed), signed in or not: a group listed only once someone in it signed would tell that
  // someone in it did.
  const directory = getDb()
    .select({
      department: sql<string>`coalesce(${people.department}, '')`,
      location: sql<string>`coalesce(${people.location}, '')`,
      active: sql<number>`sum(${people.active})`,
    })
    .from(people)
    .groupBy(sql`1`, sql`2`)
    .all();
  const groups = (label: (row: { department: string; location: string }) => string): Group[] => {
    const byLabel = new Map<string, Group>();
    for (const row of directory) {
      const name = label(row) || "Not recorded";
      byLabel.set(name, { label: name, total: 0, anonymous: 0 });
    }
    for (const row of rows) {
      const name = label(row) || "Not recorded";
      const group = byLabel.get(name) ?? { label: name, total: 0, anonymous: 0 };
      group.total += row.total;
      byLabel.set(name, group);
    }
    return [...byLabel.values()];
  };
  const headcount = (label: (row: { department: string; location: string }) => string) => {
    const byLabel = new Map<string, number>();
    for (const row of directory) {
      const name = label(row) || "Not recorded";
      byLabel.set(name, (byLabel.get(name) ?? 0) + row.active);
    }
    return byLabel;
  };
  const department = suppressSmallGroups(groups((row) => row.department));
  const location = suppressSmallGroups(groups((row) => row.location));
  return Object.freeze({
    asOf,
    anonymous,
    department,
    location,
    headcounts: {
      department: headcountsOf(
        department,
        headcount((row) => row.department),
      ),
      location: headcountsOf(
        location,
        headcount((row) => row.location),
      ),
    },
  });
}

/**
 * The petition's emails by kind and state: counts only, never recipients. Chat posts carry the
 * petition too (so the sender can drop one for a petition no longer public), but they are not emails.
 */
export function petitionMailState(petitionId: number) {
  return getDb()
    .select({ kind: outbox.kind, status: outbox.status, n: count() })
    .from(outbox)
    .where(and(eq(outbox.petitionId, petitionId), isNull(outbox.chatChannelId)))
    .groupBy(outbox.kind, outbox.status)
    .orderBy(asc(outbox.kind))
    .all()
    .filter((m): m is typeof m & { kind: PetitionMailKind } => !m.kind.startsWith("notification."));
}

/**
 * Notification emails carry no petition (how many follow one by choice is not the organizers' to
 * count): never a kind of this list.
 */
type PetitionMailKind = Exclude<MailKind, `notification.${string}`>;

export async function petitionDashboard(
  petition: Petition,
  options: { resolution?: Resolution },
  now = Date.now(),
) {
  const milestoneRows = getDb()
    .select()
    .from(milestones)
    .where(eq(milestones.petitionId, petition.id))
    .orderBy(asc(milestones.threshold))
    .all();
  const next = milestoneRows.find((m) => m.threshold > petition.signatureCount) ?? null;
  const recent = countSince(petition.id, now - RATE_WINDOW_MS);
  const open = petition.state === "open" && !petition.hiddenAt;
  return {
    count: petition.signatureCount,
    // Today's and the week's signatures while it takes them; a closed petition's say when it closed.
    recent: open ? { today: countSince(petition.id, startOfDay(now)), lastWeek: recent } : null,
    closedOn: dayOf(petition.closedAt),
    series: signatureSeries(petition, options.resolution, now),
    milestones: milestoneRows.map((m) => ({
      threshold: m.threshold,
      // To the minute, as the page shows it.
      reachedAt: minuteOf(m.reachedAt),
      responseRequired: m.responseRequired,
    })),
    projection: projectNextMilestone({
      count: petition.signatureCount,
      nextThreshold: next?.threshold ?? null,
      recentSignatures: recent,
      openedAt: petition.openedAt?.getTime() ?? null,
      closesAt: petition.closesAt?.getTime() ?? null,
      open,
      now,
    }),
    nextThreshold: next?.threshold ?? null,
    breakdowns: await signerBreakdowns(petition, now),
    discussion: discussionActivity({ type: "petition", id: petition.id }, now),
    mail: petitionMailState(petition.id),
  };
}

/** Everything the dashboard page shows, for this viewer (who may see it: dashboardRefusal in rights.server.ts). */
export async function organizerDashboard(
  petition: Petition,
  user: User,
  options: { resolution?: Resolution },
  now = Date.now(),
) {
  const rights = dashboardRights(petition, user);
  const updates = listPetitionUpdates(petition.id);
  const lastUpdate = updates.find((u) => u.kind === "update");
  // The list is to the minute: the next slot opens within the minute after this one.
  const nextUpdateAt = lastUpdate ? lastUpdate.createdAt.getTime() + UPDATE_INTERVAL_MS + 60_000 : null;
  return {
    petition: {
      slug: petition.slug,
      title: petition.title,
      state: petition.state,
      hidden: Boolean(petition.hiddenAt),
      won: petition.wonAt !== null,
    },
    dashboard: await petitionDashboard(petition, options, now),
    updates,
    // Names only; person ids only for the creator, whose remove buttons post them.
    organizers: listOrganizers(petition.id).map((o, index) => ({
      key: `${o.role}-${index}`,
      name: o.name,
      role: o.role,
      personId: rights.canRemove && o.role !== "creator" ? o.id : null,
    })),
    viewer: rights,
    nextUpdateAt: nextUpdateAt && nextUpdateAt > now ? nextUpdateAt : null,
    // Said before posting: how many colleagues an update goes to by email.
    updateRecipients: rights.canPostUpdate ? updateRecipientCount(petition.id) : null,
  };
}

/** Spreadsheet apps run cells that start like a formula; a leading quote makes them text. */
const defuse = (value: string) => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);

/**
 * The signers export: public signers' names, departments and signing days; anonymous signers only
 * as one count row (their people are never selected); an erased signer as the signers page shows one,
 * `formerColleague` with no department (the reader's words; English by default). Recorded in the
 * audit log.
 */
export function exportSigners(
  petition: Petition,
  user: User,
  now = Date.now(),
  formerColleague = inEnglish(say("my-data.formerColleague")),
): string {
  const db = getDb();
  return db.transaction(
    (tx) => {
      const rows = tx
        .select({
          name: people.name,
          department: signatures.department,
          signedAt: signatures.createdAt,
          erasedAt: people.erasedAt,
        })
        .from(signatures)
        .innerJoin(people, eq(people.id, signatures.personId))
        .where(and(standing(petition.id), eq(signatures.visibility, "public")))
        .orderBy(asc(signatures.createdAt), asc(signatures.id))
        .all();
      const total =
        tx.select({ n: petitions.signatureCount }).from(petitions).where(eq(petitions.id, petition.id)).get()
          ?.n ?? 0;
      const anonymous = total - rows.length;
      recordAudit(
        tx,
        actorOf(user),
        "petition.signers.export",
        { type: "petition", id: petition.id },
        { publicRows: rows.length, anonymous, at: new Date(now).toISOString() },
      );
      return stringify(
        [
          ...rows.map((r) => ({
            name: r.erasedAt ? formerColleague : defuse(r.name ?? ""),
            department: r.erasedAt ? "" : defuse(r.department ?? ""),
            signed_on: r.signedAt.toISOString().slice(0, 10),
            visibility: "public",
            count: 1,
          })),
          { name: "", department: "", signed_on: "", visibility: "anonymous", count: anonymous },
        ],
        { header: true, columns: ["name", "department", "signed_on", "visibility", "count"] },
      );
    },
    { behavior: "immediate" },
  );
}

export const exportFileName = (petition: Pick<Petition, "slug">, now = Date.now()) =>
  `${petition.slug}-signers-${new Date(now).toISOString().slice(0, 10)}.csv`;
