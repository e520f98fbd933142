import { getDb } from "../../../db/client";
import { policies } from "../../../db/schema";
import { newScopeKeyPair, scopeKey, storeScopeKey } from "../../platform/token-issuance.server";
import { feedbackScope, isoWeek } from "../../platform/token-messages";

/**
 * This week's anonymous-feedback key of a policy (docs/anonymity.md), made when the policy is
 * created and, each new week, by the minute scheduler — never when a key is read, so reads never write.
 */
export function ensureFeedbackKey(policyId: number, now = Date.now()): boolean {
  const scope = feedbackScope(policyId, isoWeek(now));
  if (scopeKey(getDb(), scope)) return false;
  // Made before the write lock is taken: generating an RSA key takes tens of milliseconds.
  const keys = newScopeKeyPair();
  return getDb().transaction(
    (tx) => {
      if (scopeKey(tx, scope)) return false;
      storeScopeKey(tx, scope, keys, now);
      return true;
    },
    { behavior: "immediate" },
  );
}

/** The minute scheduler's job: this week's key for every policy. */
export function ensureFeedbackKeys(now = Date.now()): number {
  let made = 0;
  for (const { id } of getDb().select({ id: policies.id }).from(policies).all())
    if (ensureFeedbackKey(id, now)) made++;
  return made;
}
