import { and, desc, eq, isNull } from "drizzle-orm";
import { getDb } from "../../../db/client";
import { scimTokens } from "../../../db/schema";
import { type Actor, recordAudit } from "../../platform/security/audit.server";
import { hashToken, newToken } from "../../platform/security/tokens.server";

/**
 * Bearer tokens for SCIM provisioning clients (Okta, Entra ID…): made by the CLI, shown once, stored
 * as a SHA-256 only, revoked by id.
 */

export function createScimToken(label: string, actor: Actor): { id: number; token: string } {
  const token = `scim_${newToken()}`;
  return getDb().transaction(
    (tx) => {
      const row = tx
        .insert(scimTokens)
        .values({ tokenHash: hashToken(token), label })
        .returning({ id: scimTokens.id })
        .get();
      recordAudit(tx, actor, "scim-token.create", { type: "scim-token", id: row.id }, { label });
      return { id: row.id, token };
    },
    { behavior: "immediate" },
  );
}

export function revokeScimToken(id: number, actor: Actor): boolean {
  return getDb().transaction(
    (tx) => {
      const revoked = tx
        .update(scimTokens)
        .set({ revokedAt: new Date() })
        .where(and(eq(scimTokens.id, id), isNull(scimTokens.revokedAt)))
        .run();
      if (revoked.changes) recordAudit(tx, actor, "scim-token.revoke", { type: "scim-token", id });
      return revoked.changes > 0;
    },
    { behavior: "immediate" },
  );
}

export function listScimTokens() {
  return getDb()
    .select({
      id: scimTokens.id,
      label: scimTokens.label,
      createdAt: scimTokens.createdAt,
      revokedAt: scimTokens.revokedAt,
    })
    .from(scimTokens)
    .orderBy(desc(scimTokens.id))
    .all();
}

/** Whether a presented bearer token is a live SCIM token (looked up by its hash; reads only). */
export function scimTokenValid(token: string): boolean {
  if (token.length < 20 || token.length > 200) return false;
  return Boolean(
    getDb()
      .select({ id: scimTokens.id })
      .from(scimTokens)
      .where(and(eq(scimTokens.tokenHash, hashToken(token)), isNull(scimTokens.revokedAt)))
      .get(),
  );
}
