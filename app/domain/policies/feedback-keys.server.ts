import { getDb } from "../../../db/client";
import { policies } from "../../../db/schema";
import type { BlindKeyPair } from "../../platform/anonymity/blind-signatures.server";
import {
  newScopeKeyPair,
  newScopeKeyPairOffThread,
  scopeKey,
  storeScopeKey,
} from "../../platform/anonymity/token-issuance.server";
import { feedbackScope, isoWeek } from "../../platform/anonymity/token-messages";

/**
 * This week's anonymous-feedback key of a policy (docs/anonymity.md), made when the policy is
 * created and, each new week, by the minute scheduler — never when a key is read, so reads never write.
 */
export function ensureFeedbackKey(policyId: number, now = Date.now()): boolean {
  const scope = feedbackScope(policyId, isoWeek(now));
  if (scopeKey(getDb(), scope)) return false;
  // Made before the write lock is taken: generating an RSA key takes a while.
  return storeFeedbackKey(scope, newScopeKeyPair(), now);
}

function storeFeedbackKey(scope: string, keys: BlindKeyPair, now: number): boolean {
  return getDb().transaction(
    (tx) => {
      if (scopeKey(tx, scope)) return false;
      storeScopeKey(tx, scope, keys, now);
      return true;
    },
    { behavior: "immediate" },
  );
}

/**
 * The minute scheduler's job: this week's key for every policy. When a week begins that is one key
 * per policy at once, each made off the event loop (newScopeKeyPairOffThread).
 */
export async function ensureFeedbackKeys(now = Date.now()): Promise<number> {
  let made = 0;
  for (const { id } of getDb().select({ id: policies.id }).from(policies).all()) {
    const scope = feedbackScope(id, isoWeek(now));
    if (scopeKey(getDb(), scope)) continue;
    if (storeFeedbackKey(scope, await newScopeKeyPairOffThread(), now)) made++;
  }
  return made;
}
