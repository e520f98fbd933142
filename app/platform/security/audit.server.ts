import { and, desc, eq, lt, type SQL } from "drizzle-orm";
import type { Executor } from "../../../db/client";
import { getDb } from "../../../db/client";
import { auditLog, people } from "../../../db/schema";

/** Who did something: a signed-in person, or the command line / the server itself. */
export type Actor =
  | { id: number; email: string }
  | { id: null; label: "cli" | "system" | "identity-provider" | "scim" };

export const CLI_ACTOR: Actor = { id: null, label: "cli" };
export const SYSTEM_ACTOR: Actor = { id: null, label: "system" };
/** The company's identity provider, at a sign-in (roles it gives and takes). */
export const IDENTITY_PROVIDER_ACTOR: Actor = { id: null, label: "identity-provider" };
/** A SCIM provisioning client (the directory it keeps). */
export const SCIM_ACTOR: Actor = { id: null, label: "scim" };

/** A signed-in person as the actor of an audited change. */
export const actorOf = (person: { id: number; email: string }): Actor => ({
  id: person.id,
  email: person.email,
});

type Target = { type: string; id: string | number };

/** Call inside the transaction of the change it records, so the two cannot drift apart. */
export function recordAudit(
  exec: Executor,
  actor: Actor,
  action: string,
  target?: Target,
  details?: Record<string, unknown>,
): void {
  exec
    .insert(auditLog)
    .values({
      actorId: actor.id,
      actorLabel: actor.id === null ? actor.label : actor.email,
      action,
      targetType: target?.type ?? null,
      targetId: target ? String(target.id) : null,
      details: details ?? null,
    })
    .run();
}

export const AUDIT_PAGE_SIZE = 50;

/** Newest first, keyset-paginated by id so deep pages stay cheap. */
export function listAuditEntries(filter: { actorEmail?: string; action?: string; beforeId?: number }) {
  const db = getDb();
  const conditions: SQL[] = [];
  if (filter.actorEmail) conditions.push(eq(auditLog.actorLabel, filter.actorEmail.toLowerCase()));
  if (filter.action) conditions.push(eq(auditLog.action, filter.action));
  if (filter.beforeId) conditions.push(lt(auditLog.id, filter.beforeId));
  const rows = db
    .select({
      id: auditLog.id,
      actorLabel: auditLog.actorLabel,
      actorName: people.name,
      action: auditLog.action,
      targetType: auditLog.targetType,
      targetId: auditLog.targetId,
      details: auditLog.details,
      createdAt: auditLog.createdAt,
    })
    .from(auditLog)
    .leftJoin(people, eq(people.id, auditLog.actorId))
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(auditLog.id))
    .limit(AUDIT_PAGE_SIZE + 1)
    .all();
  const hasMore = rows.length > AUDIT_PAGE_SIZE;
  const entries = rows.slice(0, AUDIT_PAGE_SIZE);
  return { entries, nextBeforeId: hasMore ? entries.at(-1)?.id : undefined };
}

/** The distinct actions recorded so far, for the filter menu. */
export function listAuditActions(): string[] {
  return getDb()
    .selectDistinct({ action: auditLog.action })
    .from(auditLog)
    .orderBy(auditLog.action)
    .all()
    .map((row) => row.action);
}
