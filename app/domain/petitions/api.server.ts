import { and, desc, eq, inArray, isNull, type SQL, sql } from "drizzle-orm";
import { getDb } from "../../../db/client";
import { petitions } from "../../../db/schema";
import { anonymousBatchSettings } from "../../platform/anonymity/batches.server";
import { petitionUrl } from "../../platform/site/addresses.server";
import { countByVisibility, publicWithoutToken } from "./counts.server";
import { petitionKeyView } from "./petition-keys.server";
import { findPetition, ftsQuery, type listMilestones, matchesSearch } from "./reads.server";
import { isPublic, type Petition } from "./rights.server";

/** The public JSON API's view of petitions (docs/api.md): public petitions only, no person named. */

export const API_STATES = ["open", "closed", "archived"] as const;
export const API_PAGE_SIZE = 50;

/** Public petitions only, newest first, keyset-paginated by id. */
export function listPetitionsForApi(filter: {
  state?: (typeof API_STATES)[number];
  q?: string;
  cursor?: number;
}) {
  const conditions: SQL[] = [inArray(petitions.state, [...API_STATES]), isNull(petitions.hiddenAt)];
  if (filter.state) conditions.push(eq(petitions.state, filter.state));
  const query = filter.q ? ftsQuery(filter.q) : null;
  if (query) conditions.push(matchesSearch(query));
  if (filter.cursor) conditions.push(sql`${petitions.id} < ${filter.cursor}`);
  const rows = getDb()
    .select()
    .from(petitions)
    .where(and(...conditions))
    .orderBy(desc(petitions.id))
    .limit(API_PAGE_SIZE + 1)
    .all();
  const page = rows.slice(0, API_PAGE_SIZE);
  return {
    petitions: page.map((p) => toApiPetition(p, null)),
    nextCursor: rows.length > API_PAGE_SIZE ? (page.at(-1)?.id ?? null) : null,
  };
}

/** The API's view of a petition: no person is named but the petition itself. */
export function toApiPetition(
  petition: Petition,
  milestoneRows: ReturnType<typeof listMilestones> | null,
  responses: Array<{
    announcementId: number;
    stance: string;
    publishedAt: Date | null;
    url: string;
    milestoneThresholds: number[];
  }> = [],
) {
  const url = petitionUrl(petition.slug);
  return {
    id: petition.id,
    slug: petition.slug,
    url,
    title: petition.title,
    summary: petition.summary,
    category: petition.category,
    state: petition.state,
    signatureCount: petition.signatureCount,
    createdAt: petition.createdAt.toISOString(),
    openedAt: petition.openedAt?.toISOString() ?? null,
    closesAt: petition.closesAt?.toISOString() ?? null,
    closedAt: petition.closedAt?.toISOString() ?? null,
    ...(milestoneRows
      ? {
          body: petition.body,
          milestones: milestoneRows.map((m) => ({
            threshold: m.threshold,
            reachedAt: m.reachedAt?.toISOString() ?? null,
            responseRequired: m.responseRequired,
            responseDueAt: m.responseDueAt?.toISOString() ?? null,
            // The published announcements that answered this milestone.
            responses: responses
              .filter((r) => r.milestoneThresholds.includes(m.threshold))
              .map((r) => ({
                announcementId: r.announcementId,
                stance: r.stance,
                publishedAt: r.publishedAt?.toISOString() ?? null,
                url: r.url,
              })),
          })),
          ledger: { length: petition.ledgerLength, head: petition.ledgerHead },
          ...anonymityOf(petition.id),
        }
      : {}),
  };
}

/** A public petition by id or slug, or undefined (drafts, hidden and rejected ones are not public). */
export function findPublicPetition(idOrSlug: string): Petition | undefined {
  const petition = findPetition(idOrSlug);
  return petition && isPublic(petition) ? petition : undefined;
}

/**
 * What anyone needs to check the petition's anonymous signatures: its blind-signing key (which
 * signers' browsers pin), how many tokens were issued (anonymous signatures and public ones with a
 * token never exceed it), how many public signatures carry none, and the count split into public and
 * anonymous.
 */
function anonymityOf(petitionId: number) {
  const key = petitionKeyView(petitionId);
  const counts = countByVisibility(petitionId);
  return {
    signatures: { public: counts.publicCount, anonymous: counts.anonymousCount },
    anonymity: key
      ? {
          scheme: "RSABSSA-SHA384-PSS-Randomized (RFC 9474)",
          publicKey: key.publicKey,
          fingerprint: key.fingerprint,
          // As of the last batch boundary: it moves only there, with the anonymous count.
          tokensIssued: key.tokensIssued,
          // Standing public signatures made without a token: the most by which the count can exceed
          // the number of people who signed (verify-anonymous prints it).
          publicWithoutToken: publicWithoutToken(petitionId),
          // Public signatures that spent a token, as of the same boundary as tokensIssued: anonymous
          // signatures and these never exceed it (verify-anonymous checks).
          publicWithToken: key.publicWithToken,
          // The batch settings in force: how finely an anonymous signature can be dated.
          batch: anonymousBatchSettings(),
          keyCreatedOn: key.createdOn.toISOString().slice(0, 10),
          keyRetiredOn: key.retiredOn?.toISOString().slice(0, 10) ?? null,
          issuanceFrozenOn: key.issuanceFrozenOn?.toISOString().slice(0, 10) ?? null,
        }
      : null,
  };
}
