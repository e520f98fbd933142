import { eq } from "drizzle-orm";
import { type Executor, getDb } from "../../../db/client";
import { scimHeldChanges } from "../../../db/schema";
import { recordAudit, SCIM_ACTOR } from "../../platform/security/audit.server";

/**
 * What a provisioning client asked to change about who a role holder is — their email, userName or
 * externalId, or which SCIM user they are — kept until an admin confirms or refuses it on the
 * person's page (provisioning.server.ts applies a confirmed one). A SCIM token alone could otherwise
 * move an admin's address to its own and sign in as them by link.
 */

export type HeldScimChange = typeof scimHeldChanges.$inferSelect;
export type ScimIdentity = { email: string; userName: string; externalId: string | null };

const same = (held: HeldScimChange, identity: ScimIdentity, relink: boolean) =>
  held.email === identity.email &&
  held.userName === identity.userName &&
  held.externalId === identity.externalId &&
  held.relink === relink;

/** Holds (or replaces) the change asked for; audited only when it is new, as clients repeat requests. */
export function holdScimChange(
  exec: Executor,
  person: { id: number; email: string },
  identity: ScimIdentity,
  relink: boolean,
): void {
  const held = exec.select().from(scimHeldChanges).where(eq(scimHeldChanges.personId, person.id)).get();
  if (held && same(held, identity, relink)) return;
  const values = { ...identity, relink, createdAt: new Date() };
  exec
    .insert(scimHeldChanges)
    .values({ personId: person.id, ...values })
    .onConflictDoUpdate({ target: scimHeldChanges.personId, set: values })
    .run();
  recordAudit(
    exec,
    SCIM_ACTOR,
    "directory.hold",
    { type: "person", id: person.id },
    {
      email: person.email,
      requested: identity,
      relink,
    },
  );
}

export function heldScimChange(personId: number, exec: Executor = getDb()): HeldScimChange | undefined {
  return exec.select().from(scimHeldChanges).where(eq(scimHeldChanges.personId, personId)).get();
}

/** Drops the held change (confirmed, refused, or overtaken by a change applied directly). */
export function dropHeldScimChange(exec: Executor, personId: number): void {
  exec.delete(scimHeldChanges).where(eq(scimHeldChanges.personId, personId)).run();
}
