import { createCipheriv, createHash, createHmac, hkdfSync } from "node:crypto";
import { and, eq, inArray, isNotNull, sql } from "drizzle-orm";
import { getDb } from "../../../db/client";
import { policies, policyFeedback, policyFeedbackReplies } from "../../../db/schema";
import { DAY_MS } from "../../platform/time";

/**
 * The public digest of the owners' replies to anonymous feedback (issue 23, "No request names a
 * signer"): its author reads them without any request that names the item. Every view of My
 * feedback and of the receipt page downloads the same digest, cookieless; the author's device finds
 * its own entry by the receipt code it holds and opens it there (app/browser/feedback-replies.ts says
 * how lookup, key and ciphertext are made — this module makes the same ones with node:crypto).
 *
 * One entry per anonymous item whose latest owner's reply is less than 90 days old, ordered by its
 * lookup (random to anyone without the code). Only the code's holder and the server (which keeps the
 * replies anyway) can read one; times are days.
 *
 * The IV is synthetic — HMAC-SHA256 of the plaintext under a key derived from the item's secretHash,
 * first 12 bytes — not drawn at random: the digest is then a function of the database, byte for byte
 * the same for every requester (which anyone can check), and an IV repeats only with the very same
 * plaintext under the same key, which then encrypts to the very same ciphertext (it tells nothing).
 */

export const REPLIES_WINDOW_MS = 90 * DAY_MS;
const LOOKUP_PREFIX = "undersigned/v1/feedback-lookup:";
const KEY_INFO = "undersigned/v1/feedback-replies-key";
const IV_INFO = "undersigned/v1/feedback-replies-iv";

export type FeedbackRepliesDigest = { entries: Array<[string, string]> };

const day = (date: Date) => date.toISOString().slice(0, 10);

/** The first 16 hex characters of SHA-256("undersigned/v1/feedback-lookup:" + secretHash). */
export const repliesLookupOf = (secretHash: string) =>
  createHash("sha256").update(`${LOOKUP_PREFIX}${secretHash}`).digest("hex").slice(0, 16);

const derive = (secretHash: string, info: string) =>
  Buffer.from(hkdfSync("sha256", Buffer.from(secretHash, "hex"), Buffer.alloc(0), info, 32));

/** AES-256-GCM under HKDF(secretHash bytes): base64url(IV ‖ ciphertext ‖ tag). */
function seal(secretHash: string, plaintext: string): string {
  const iv = createHmac("sha256", derive(secretHash, IV_INFO)).update(plaintext).digest().subarray(0, 12);
  const cipher = createCipheriv("aes-256-gcm", derive(secretHash, KEY_INFO), iv);
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString("base64url");
}

export function feedbackRepliesDigest(now: number): FeedbackRepliesDigest {
  const db = getDb();
  const latest = sql<number>`max(${policyFeedbackReplies.createdAt})`;
  const replied = db
    .select({ feedbackId: policyFeedbackReplies.feedbackId })
    .from(policyFeedbackReplies)
    .innerJoin(policyFeedback, eq(policyFeedback.id, policyFeedbackReplies.feedbackId))
    .where(and(eq(policyFeedback.anonymous, true), isNotNull(policyFeedback.replySecretHash)))
    .groupBy(policyFeedbackReplies.feedbackId)
    .having(sql`${latest} >= ${now - REPLIES_WINDOW_MS}`)
    .all()
    .map((row) => row.feedbackId);
  if (!replied.length) return { entries: [] };
  const items = db
    .select({
      id: policyFeedback.id,
      secretHash: policyFeedback.replySecretHash,
      body: policyFeedback.body,
      rating: policyFeedback.rating,
      createdAt: policyFeedback.createdAt,
      policyTitle: policies.title,
      policySlug: policies.slug,
    })
    .from(policyFeedback)
    .innerJoin(policies, eq(policies.id, policyFeedback.policyId))
    .where(inArray(policyFeedback.id, replied))
    .all();
  const replies = new Map<number, Array<{ bodyHtml: string; at: string }>>();
  for (const reply of db
    .select({
      feedbackId: policyFeedbackReplies.feedbackId,
      bodyHtml: policyFeedbackReplies.bodyHtml,
      createdAt: policyFeedbackReplies.createdAt,
    })
    .from(policyFeedbackReplies)
    .where(inArray(policyFeedbackReplies.feedbackId, replied))
    .orderBy(policyFeedbackReplies.id)
    .all()) {
    const list = replies.get(reply.feedbackId) ?? [];
    list.push({ bodyHtml: reply.bodyHtml, at: day(reply.createdAt) });
    replies.set(reply.feedbackId, list);
  }
  const entries: Array<[string, string]> = [];
  for (const item of items) {
    if (!item.secretHash) continue;
    const plaintext = JSON.stringify({
      policyTitle: item.policyTitle,
      policySlug: item.policySlug,
      body: item.body,
      rating: item.rating,
      sentOn: day(item.createdAt),
      replies: replies.get(item.id) ?? [],
    });
    entries.push([repliesLookupOf(item.secretHash), seal(item.secretHash, plaintext)]);
  }
  entries.sort(([a, aSealed], [b, bSealed]) => (a === b ? (aSealed < bSealed ? -1 : 1) : a < b ? -1 : 1));
  return { entries };
}
