import { and, eq } from "drizzle-orm";
import { getDb } from "../../../db/client";
import { people, personRoles } from "../../../db/schema";
import { type Actor, recordAudit } from "../../platform/audit.server";
import { Refusal } from "../../platform/refusal";
import type { Role } from "../../vocabulary/roles";
import type { User } from "./sessions.server";

/** Every permission the app checks. Staff (anyone signed in) hold none of these by default. */
export const PERMISSIONS = [
  "view:admin",
  "import:directory",
  "grant:role",
  "view:audit-log",
  "view:outbox",
  "retry:mail",
  "configure:settings",
  "moderate:petition",
  "moderate:comment",
  "publish:announcement",
  "publish:policy",
  "view:obligations",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  organizer: [],
  moderator: ["moderate:petition", "moderate:comment"],
  leadership: ["publish:announcement", "publish:policy", "view:obligations"],
  // Listed one by one, not "all": a new permission is granted to nobody until a role is given it.
  admin: [
    "view:admin",
    "import:directory",
    "grant:role",
    "view:audit-log",
    "view:outbox",
    "retry:mail",
    "configure:settings",
    "publish:announcement",
    "publish:policy",
    "view:obligations",
  ],
};

export function can(user: Pick<User, "roles">, permission: Permission): boolean {
  return user.roles.some((role) => ROLE_PERMISSIONS[role].includes(permission));
}

export class RoleChangeError extends Refusal {}

export function grantRole(personId: number, role: Role, actor: Actor): boolean {
  return getDb().transaction(
    (tx) => {
      const person = tx.select().from(people).where(eq(people.id, personId)).get();
      if (!person) throw new RoleChangeError("No such person.");
      const inserted = tx
        .insert(personRoles)
        .values({ personId, role, grantedById: actor.id })
        .onConflictDoNothing()
        .run();
      if (inserted.changes === 0) return false;
      recordAudit(tx, actor, "role.grant", { type: "person", id: personId }, { role, email: person.email });
      return true;
    },
    { behavior: "immediate" },
  );
}

export function revokeRole(personId: number, role: Role, actor: Actor): boolean {
  return getDb().transaction(
    (tx) => {
      const person = tx.select().from(people).where(eq(people.id, personId)).get();
      if (!person) throw new RoleChangeError("No such person.");
      if (role === "admin" && actor.id === personId) {
        throw new RoleChangeError("You cannot remove your own admin role; ask another admin.");
      }
      const removed = tx
        .delete(personRoles)
        .where(and(eq(personRoles.personId, personId), eq(personRoles.role, role)))
        .run();
      if (removed.changes === 0) return false;
      recordAudit(tx, actor, "role.revoke", { type: "person", id: personId }, { role, email: person.email });
      return true;
    },
    { behavior: "immediate" },
  );
}

export function rolesOf(personId: number): Role[] {
  return getDb()
    .select({ role: personRoles.role })
    .from(personRoles)
    .where(eq(personRoles.personId, personId))
    .all()
    .map((r) => r.role);
}
