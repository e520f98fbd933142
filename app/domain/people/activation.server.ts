import { and, desc, eq } from "drizzle-orm";
import type { Executor } from "../../../db/client";
import { auditLog } from "../../../db/schema";
import { type Actor, recordAudit } from "../../platform/security/audit.server";
import { DAY_MS, HOUR_MS } from "../../platform/time";

/**
 * Deactivating someone and reactivating them soon after is how an admin would test whether a
 * suspect wrote an anonymous comment or feedback item (ADR 0032): the outbox no longer shows the
 * difference, and the audit log makes the pair stand out. A reactivation within this many days of
 * the person's last deactivation is recorded with the interval and flagged on the audit page.
 */
export const QUICK_REACTIVATION_DAYS = 30;

/** "3 hours", "2 days": how long someone was inactive, as the audit entry says it. */
export function describeInterval(ms: number): string {
  if (ms < HOUR_MS) {
    const minutes = Math.max(1, Math.round(ms / 60_000));
    return `${minutes} ${minutes === 1 ? "minute" : "minutes"}`;
  }
  if (ms < 2 * DAY_MS) {
    const hours = Math.round(ms / HOUR_MS);
    return `${hours} ${hours === 1 ? "hour" : "hours"}`;
  }
  const days = Math.round(ms / DAY_MS);
  return `${days} days`;
}

/**
 * Records a person's activation or deactivation in the audit log, inside the transaction of the
 * change (an admin, the CSV import, SCIM). A reactivation says how long after the last deactivation
 * it came and, within QUICK_REACTIVATION_DAYS, is flagged.
 */
export function recordActivationChange(
  tx: Executor,
  actor: Actor,
  person: { id: number; email: string },
  active: boolean,
  now = Date.now(),
): void {
  const target = { type: "person", id: person.id };
  if (!active) {
    recordAudit(tx, actor, "person.deactivate", target, { email: person.email });
    return;
  }
  const last = tx
    .select({ at: auditLog.createdAt })
    .from(auditLog)
    .where(
      and(
        eq(auditLog.action, "person.deactivate"),
        eq(auditLog.targetType, "person"),
        eq(auditLog.targetId, String(person.id)),
      ),
    )
    .orderBy(desc(auditLog.id))
    .limit(1)
    .get();
  const inactiveFor = last ? Math.max(0, now - last.at.getTime()) : null;
  recordAudit(tx, actor, "person.activate", target, {
    email: person.email,
    ...(inactiveFor === null
      ? {}
      : {
          reactivatedAfter: describeInterval(inactiveFor),
          ...(inactiveFor < QUICK_REACTIVATION_DAYS * DAY_MS ? { flagged: true } : {}),
        }),
  });
}
