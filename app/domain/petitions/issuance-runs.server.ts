import { getDb, preparedStatements } from "../../../db/client";
import {
  blindedHashOf,
  type IssuanceRefusalCode,
  issuanceProblem,
  issueToken,
  malformedRequest,
  REFUSALS,
  type ScopeKey,
  scopeKey,
  signBlinded,
  TokenRefusal,
} from "../../platform/anonymity/token-issuance.server";
import { feedbackScope, isoWeek } from "../../platform/anonymity/token-messages";
import { enforceRateLimits } from "../../platform/security/rate-limits.server";
import { HOUR_MS } from "../../platform/time";
import type { User } from "../identity/sessions.server";
import { acceptsSignatures } from "./rights.server";

/**
 * The background runs that issue a person's tokens (docs/anonymity.md, ADR 0038): a device holding
 * the person's wallet fetches the targets — every open petition's key and this week's feedback key of
 * every policy, whatever the person means to sign — and asks for all of them in batches, so the
 * issuance rows list the people who used the platform, never the signers. Nothing is issued on demand.
 */

/** At most this many requests in one call (one transaction). */
export const ISSUANCE_BATCH = 50;

/**
 * Calls per person: a full run over 200 open petitions and every policy is about six calls, a
 * resumed or repeated one (a second device, a cleared browser) as many again; a flood of re-signing
 * (each call is up to fifty RSA signatures) is refused long before it costs the server much.
 */
export const ISSUANCE_LIMIT = { limit: 40, windowMs: HOUR_MS };

type Target = { scope: string; publicKey: string; fingerprint: string };
export type PetitionTarget = Target & { id: number; slug: string };
export type FeedbackTarget = Target & { policyId: number };

const statements = preparedStatements((db) => ({
  petitions: db.$client.prepare<
    [number],
    { id: number; slug: string; scope: string; public_key: string; fingerprint: string }
  >(
    `select p.id, p.slug, k.scope, k.public_key, k.fingerprint
       from petitions p join blind_keys k on k.scope = 'petition:' || p.id
      where p.state = 'open' and p.hidden_at is null and (p.closes_at is null or p.closes_at > ?)
        and k.private_key is not null and k.issuance_frozen_on is null`,
  ),
  feedback: db.$client.prepare<
    [string],
    { policy_id: number; scope: string; public_key: string; fingerprint: string }
  >(
    `select p.id as policy_id, k.scope, k.public_key, k.fingerprint
       from policies p join blind_keys k on k.scope = 'feedback:' || p.id || ':' || ?
      where k.private_key is not null and k.issuance_frozen_on is null`,
  ),
  petition: db.$client.prepare<
    [number],
    { state: string; hidden_at: number | null; closes_at: number | null }
  >("select state, hidden_at, closes_at from petitions where id = ?"),
  policy: db.$client.prepare<[number], { id: number }>("select id from policies where id = ?"),
}));

const byScope = (a: Target, b: Target) => (a.scope < b.scope ? -1 : a.scope > b.scope ? 1 : 0);

/**
 * What a run fetches tokens for: every open, visible petition whose key still issues, and this
 * week's feedback key of every policy — each ordered by scope, so a cut-short run resumes where it
 * stopped. Keys are public anyway; only signed-in devices ask (the route needs a session).
 */
export function issuanceTargets(now = Date.now()): {
  petitions: PetitionTarget[];
  feedback: FeedbackTarget[];
} {
  const { petitions, feedback } = statements();
  return {
    petitions: petitions
      .all(now)
      .map((p) => ({
        scope: p.scope,
        id: p.id,
        slug: p.slug,
        publicKey: p.public_key,
        fingerprint: p.fingerprint,
      }))
      .sort(byScope),
    feedback: feedback
      .all(isoWeek(now))
      .map((f) => ({
        scope: f.scope,
        policyId: f.policy_id,
        publicKey: f.public_key,
        fingerprint: f.fingerprint,
      }))
      .sort(byScope),
  };
}

export type IssuanceRequest = { scope: string; blindedMessage: Buffer };
export type IssuanceResult =
  | { scope: string; blindSignature: string }
  | { scope: string; refused: IssuanceRefusalCode; message: string };

const notEligible = (message: string) => new TokenRefusal(message, 409, "not-eligible");

/** Whether the scope takes requests now: an open petition, or this week's feedback on a policy. */
function scopeProblem(scope: string, now: number): TokenRefusal | null {
  const petition = /^petition:(\d{1,12})$/.exec(scope);
  if (petition) {
    const row = statements().petition.get(Number(petition[1]));
    if (!row) return notEligible("There is no such petition.");
    const open = acceptsSignatures(
      { state: row.state, hiddenAt: row.hidden_at, closesAt: row.closes_at },
      now,
    );
    return open ? null : REFUSALS.notOpen();
  }
  const feedback = /^feedback:(\d{1,12}):(\d{4}-W\d{2})$/.exec(scope);
  if (feedback) {
    const policyId = Number(feedback[1]);
    if (!statements().policy.get(policyId)) return notEligible("There is no such policy.");
    return scope === feedbackScope(policyId, isoWeek(now))
      ? null
      : notEligible("Anonymous feedback is prepared for the current week only.");
  }
  return notEligible("Nothing is prepared for this.");
}

const refused = (scope: string, refusal: TokenRefusal): IssuanceResult => ({
  scope,
  refused: refusal.code ?? "not-eligible",
  message: refusal.message,
});

/**
 * A batch of one person's requests (at most ISSUANCE_BATCH, distinct scopes): each answered with its
 * blind signature, or why not. A malformed blinded message refuses the whole call (400) and changes
 * nothing. The signatures are made first, outside the write lock; one transaction then checks each
 * again and records the new issuances.
 */
export async function issueRequested(
  user: User,
  requests: readonly IssuanceRequest[],
  now = Date.now(),
): Promise<IssuanceResult[]> {
  if (requests.length > ISSUANCE_BATCH)
    throw new TokenRefusal(`Send at most ${ISSUANCE_BATCH} requests at once.`, 400);
  if (new Set(requests.map((r) => r.scope)).size !== requests.length)
    throw new TokenRefusal("Each request in a call must be for a different petition or policy.", 400);
  await enforceRateLimits(
    [[`issuance:person:${user.id}`, ISSUANCE_LIMIT]],
    (wait) => `This device is preparing anonymous signing too often. Please wait ${wait}.`,
    now,
  );
  const db = getDb();
  const answers = new Map<string, IssuanceResult>();
  const candidates: Array<IssuanceRequest & { key: ScopeKey; signed: Buffer }> = [];
  for (const request of requests) {
    const key = scopeKey(db, request.scope);
    const malformed = malformedRequest(key, request.blindedMessage);
    if (malformed) throw malformed;
    const problem =
      scopeProblem(request.scope, now) ??
      issuanceProblem(db, key, request.scope, user.id, blindedHashOf(request.blindedMessage));
    if (problem || !key) answers.set(request.scope, refused(request.scope, problem ?? REFUSALS.notOpen()));
    else candidates.push({ ...request, key, signed: Buffer.alloc(0) });
  }
  // The RSA work, before the write lock is taken.
  for (const candidate of candidates) candidate.signed = signBlinded(candidate.key, candidate.blindedMessage);
  db.transaction(
    (tx) => {
      for (const c of candidates) {
        const problem = scopeProblem(c.scope, now);
        if (problem) {
          answers.set(c.scope, refused(c.scope, problem));
          continue;
        }
        try {
          const signature = issueToken(tx, c.scope, user.id, c.blindedMessage, now, c.signed);
          answers.set(c.scope, { scope: c.scope, blindSignature: signature.toString("base64url") });
        } catch (error) {
          if (!(error instanceof TokenRefusal) || !error.code) throw error;
          answers.set(c.scope, refused(c.scope, error));
        }
      }
    },
    { behavior: "immediate" },
  );
  return requests.map((r) => answers.get(r.scope) ?? refused(r.scope, REFUSALS.notOpen()));
}
