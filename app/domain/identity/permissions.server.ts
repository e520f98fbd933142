import { and, eq } from "drizzle-orm";
import { type Executor, getDb } from "../../../db/client";
import { people, personRoles } from "../../../db/schema";
import { companyWords, getConfig } from "../../config.server";
import { Refusal } from "../../platform/refusal";
import { say } from "../../platform/said";
import { type Actor, IDENTITY_PROVIDER_ACTOR, recordAudit } from "../../platform/security/audit.server";
import { ROLES, type Role } from "../../vocabulary/roles";
import type { User } from "./sessions.server";

/** Every permission the app checks. Staff (anyone signed in) hold none of these by default. */
export const PERMISSIONS = [
  "view:admin",
  "import:directory",
  "grant:role",
  "view:audit-log",
  "view:outbox",
  "retry:mail",
  "take:backup",
  "configure:settings",
  "moderate:petition",
  "moderate:comment",
  "publish:announcement",
  "publish:policy",
  "view:obligations",
  "erase:person",
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
    "take:backup",
    "configure:settings",
    "publish:announcement",
    "publish:policy",
    "view:obligations",
    "erase:person",
  ],
};

export function can(user: Pick<User, "roles">, permission: Permission): boolean {
  return user.roles.some((role) => ROLE_PERMISSIONS[role].includes(permission));
}

export class RoleChangeError extends Refusal {}

/**
 * Roles the company's identity provider gives and takes (IDP_ROLE_GROUPS): each is granted at a
 * sign-in through the provider while the person is in one of its groups and taken away when they are
 * not. Only the roles left out stay the admin page's.
 */
export function providerManagedRoles(): Role[] {
  const { roleGroups, oidc, saml } = getConfig();
  if (!oidc && !saml) return [];
  return ROLES.filter((role) => (roleGroups[role]?.length ?? 0) > 0);
}

function refuseManagedRole(role: Role): void {
  if (providerManagedRoles().includes(role)) {
    throw new RoleChangeError(say("server.roles.managedByProvider", { role, ...companyWords() }), 409);
  }
}

/**
 * At a sign-in through the provider (inside its transaction): every managed role follows the groups
 * the provider sent, each change audited; roles not managed there are left alone.
 */
export function syncProviderRoles(
  exec: Executor,
  person: { id: number; email: string },
  groups: readonly string[],
): void {
  const { roleGroups } = getConfig();
  const held = new Set(
    exec
      .select({ role: personRoles.role })
      .from(personRoles)
      .where(eq(personRoles.personId, person.id))
      .all()
      .map((r) => r.role),
  );
  for (const role of providerManagedRoles()) {
    const wanted = (roleGroups[role] ?? []).some((group) => groups.includes(group));
    if (wanted && !held.has(role)) {
      exec.insert(personRoles).values({ personId: person.id, role }).onConflictDoNothing().run();
      recordAudit(
        exec,
        IDENTITY_PROVIDER_ACTOR,
        "role.grant",
        { type: "person", id: person.id },
        {
          role,
          email: person.email,
          reason: "identity provider group",
        },
      );
    } else if (!wanted && held.has(role)) {
      exec
        .delete(personRoles)
        .where(and(eq(personRoles.personId, person.id), eq(personRoles.role, role)))
        .run();
      recordAudit(
        exec,
        IDENTITY_PROVIDER_ACTOR,
        "role.revoke",
        { type: "person", id: person.id },
        {
          role,
          email: person.email,
          reason: "identity provider group",
        },
      );
    }
  }
}

export function grantRole(personId: number, role: Role, actor: Actor): boolean {
  refuseManagedRole(role);
  return getDb().transaction(
    (tx) => {
      const person = tx.select().from(people).where(eq(people.id, personId)).get();
      if (!person) throw new RoleChangeError(say("server.roles.noSuchPerson"));
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
  refuseManagedRole(role);
  return getDb().transaction(
    (tx) => {
      const person = tx.select().from(people).where(eq(people.id, personId)).get();
      if (!person) throw new RoleChangeError(say("server.roles.noSuchPerson"));
      if (role === "admin" && actor.id === personId) {
        throw new RoleChangeError(say("server.roles.ownAdmin"));
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
