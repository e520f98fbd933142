import { createHash } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { getDb } from "../../../db/client";
import { blindKeys, policies, policyFeedback } from "../../../db/schema";
import { flushBatch, holdForBatch, isHeld, takeDueBatches } from "../../platform/anonymity/batches.server";
import { unusedRowId } from "../../platform/anonymity/random-ids.server";
import {
  issueToken,
  retireScopeKey,
  scopeKey,
  verifyScopeToken,
} from "../../platform/anonymity/token-issuance.server";
import { feedbackScope, isoWeek, parseTokenMessage } from "../../platform/anonymity/token-messages";
import { renderMarkdown } from "../../platform/content/markdown.server";
import { enforceRateLimits } from "../../platform/security/rate-limits.server";
import { DAY_MS, MINUTE_MS, startOfDay } from "../../platform/time";
import type { User } from "../identity/sessions.server";
import { FeedbackError } from "./feedback.server";
import { FEEDBACK_LIMITS } from "./feedback-forms";
import { versionInForce } from "./registry.server";

/**
 * Anonymous policy feedback, stored with no author at all: sent without a session, limited by a
 * blind token per policy per week (one each colleague's browser fetches for every policy), held in
 * memory and written in shuffled batches dated by day. Its author reads the owners' replies with a
 * secret their browser keeps — also shown once as a receipt code — whose hash is all that is stored:
 * in the public digest of replies (feedback-replies-digest.server.ts), which only that secret opens.
 */

const QUEUE = "anonymous-feedback";
const GROUP = "all";
export const ANONYMOUS_FEEDBACK_LIMITS = { perAddress: { limit: 30, windowMs: 10 * MINUTE_MS } };

type HeldFeedback = {
  policyId: number;
  body: string;
  bodyHtml: string;
  rating: number | null;
  secretHash: string;
  tokenId: string;
  heldAt: number;
};

const sha256 = (value: Buffer | string) => createHash("sha256").update(value).digest("hex");

/** The receipt code's shape: 32 random bytes, base64url (what the browser makes). */
const SECRET = /^[A-Za-z0-9_-]{43}$/;
export const secretHashOf = (secret: string) => sha256(`feedback-secret:${secret}`);

/** The public key of a policy's feedback tokens this week, for the browser to blind against. */
export function feedbackKey(policyId: number, now = Date.now()) {
  if (!getDb().select({ id: policies.id }).from(policies).where(eq(policies.id, policyId)).get()) {
    throw new FeedbackError("There is no such policy.", 404);
  }
  const scope = feedbackScope(policyId, isoWeek(now));
  const key = scopeKey(getDb(), scope);
  if (!key) {
    throw new FeedbackError(
      "This week's key for anonymous feedback is being made: try again in a minute.",
      503,
    );
  }
  return { scope, publicKey: key.publicKey, fingerprint: key.fingerprint };
}

/** A signed-in colleague's one anonymous-feedback token for this policy this week. */
export function issueFeedbackToken(
  policyId: number,
  user: User,
  blindedMessage: Buffer,
  now = Date.now(),
): Buffer {
  const { scope } = feedbackKey(policyId, now);
  return getDb().transaction((tx) => issueToken(tx, scope, user.id, blindedMessage, now), {
    behavior: "immediate",
  });
}

/**
 * Anonymous feedback: verified now (a valid token of this policy for this week or the last, not
 * spent), written with the next batch. Idempotent by its secret.
 */
export async function sendAnonymousFeedback(
  input: {
    policyId: number;
    body: string;
    rating?: number;
    secret: string;
    message: string;
    signature: string;
    ip: string | null;
  },
  now = Date.now(),
): Promise<{ state: "pending" | "stored" }> {
  if (input.ip) {
    await enforceRateLimits(
      [[`anonymous-feedback:ip:${input.ip}`, ANONYMOUS_FEEDBACK_LIMITS.perAddress]],
      (wait) => `Too much anonymous feedback from this network. Please wait ${wait}.`,
      now,
    );
  }
  if (!SECRET.test(input.secret))
    throw new FeedbackError(
      "This feedback's receipt code is malformed: send it again from the policy's page.",
      400,
    );
  const secretHash = secretHashOf(input.secret);
  if (storedBySecret(secretHash)) return { state: "stored" };
  const body = input.body.trim();
  if (!body) throw new FeedbackError("Write your feedback.");
  if (body.length > FEEDBACK_LIMITS.body) throw new FeedbackError("At most 5,000 characters.");
  if (!/^[A-Za-z0-9_-]{1,700}$/.test(input.message) || !/^[A-Za-z0-9_-]{1,700}$/.test(input.signature)) {
    throw new FeedbackError("The token is malformed.", 400);
  }
  const message = Buffer.from(input.message, "base64url");
  const scope = parseTokenMessage(message)?.scope;
  const weeks = [isoWeek(now), isoWeek(now - 7 * DAY_MS)].map((w) => feedbackScope(input.policyId, w));
  if (!scope || !weeks.includes(scope)) {
    throw new FeedbackError("This token is not for this policy's feedback this week.", 400);
  }
  if (!verifyScopeToken(getDb(), scope, message, Buffer.from(input.signature, "base64url"))) {
    throw new FeedbackError("This token's signature is not valid.", 400);
  }
  const tokenId = sha256(message);
  if (
    getDb()
      .select({ id: policyFeedback.id })
      .from(policyFeedback)
      .where(eq(policyFeedback.tokenId, tokenId))
      .get()
  ) {
    throw new FeedbackError("This token was already used: one anonymous feedback a policy a week.", 409);
  }
  const policy = getDb()
    .select({ id: policies.id })
    .from(policies)
    .where(eq(policies.id, input.policyId))
    .get();
  if (!policy) throw new FeedbackError("There is no such policy.", 404);
  if (input.rating !== undefined && !versionInForce(input.policyId, now)) {
    throw new FeedbackError("This policy has no version in force to rate yet.");
  }
  const held: HeldFeedback = {
    policyId: input.policyId,
    body,
    bodyHtml: renderMarkdown(body),
    rating: input.rating ?? null,
    secretHash,
    tokenId,
    heldAt: now,
  };
  const outcome = await holdForBatch<HeldFeedback>(QUEUE, GROUP, tokenId, held, now);
  if (outcome === "full")
    throw new FeedbackError("The platform is busy; please try again in a few minutes.", 503);
  return { state: "pending" };
}

const storedBySecret = (secretHash: string) =>
  Boolean(
    getDb()
      .select({ id: policyFeedback.id })
      .from(policyFeedback)
      .where(eq(policyFeedback.replySecretHash, secretHash))
      .get(),
  );

/**
 * The minute scheduler's job: writes the boundary's batch of anonymous feedback (platform/batches),
 * shuffled, each item dated by the day it was sent (UTC), never finer and never the day after.
 * `force` (the demo's history only) writes whatever is held.
 */
export async function commitAnonymousFeedback(now = Date.now(), force = false): Promise<number> {
  const due = force
    ? await flushBatch<HeldFeedback>(QUEUE, GROUP, now)
    : await takeDueBatches<HeldFeedback>(QUEUE, now);
  let written = 0;
  for (const batch of due) {
    getDb().transaction(
      (tx) => {
        for (const item of batch.items) {
          const spent = tx
            .select({ id: policyFeedback.id })
            .from(policyFeedback)
            .where(
              sql`${policyFeedback.tokenId} = ${item.tokenId} or ${policyFeedback.replySecretHash} = ${item.secretHash}`,
            )
            .get();
          if (spent) continue;
          const version = versionInForce(item.policyId, item.heldAt);
          // The day it was sent: a batch holds one day's items (the day's leftovers go at midnight).
          const day = new Date(startOfDay(item.heldAt));
          tx.insert(policyFeedback)
            .values({
              id: unusedRowId(tx, "policy_feedback"),
              policyId: item.policyId,
              versionId: version?.id ?? null,
              authorId: null,
              anonymous: true,
              replySecretHash: item.secretHash,
              tokenId: item.tokenId,
              body: item.body,
              bodyHtml: item.bodyHtml,
              rating: item.rating,
              createdAt: day,
              updatedAt: day,
            })
            .run();
          written++;
        }
      },
      { behavior: "immediate" },
    );
  }
  return written;
}

/** Whether feedback with this token is still held for its batch (the browser's status check). */
export const isFeedbackHeld = (tokenId: string) => isHeld(QUEUE, GROUP, tokenId);

/** Retires feedback keys of weeks before last: no token of theirs can be minted any more. */
export function retireOldFeedbackKeys(now = Date.now()): number {
  const keep = new Set<string>();
  for (const w of [isoWeek(now), isoWeek(now - 7 * DAY_MS)]) keep.add(w);
  const old = getDb()
    .select({ scope: blindKeys.scope })
    .from(blindKeys)
    .where(sql`${blindKeys.scope} like 'feedback:%' and ${blindKeys.privateKey} is not null`)
    .all()
    .filter((k) => !keep.has(k.scope.split(":")[2] ?? ""));
  for (const { scope } of old) {
    getDb().transaction((tx) => retireScopeKey(tx, scope, now), { behavior: "immediate" });
  }
  return old.length;
}
