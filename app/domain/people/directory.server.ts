import { and, asc, count, eq, inArray, like, or, type SQL } from "drizzle-orm";
import { type Executor, getDb } from "../../../db/client";
import { people, personRoles } from "../../../db/schema";
import { normalizeEmail } from "../../platform/mail/email-address";
import { Refusal } from "../../platform/refusal";
import { say } from "../../platform/said";
import type { Actor } from "../../platform/security/audit.server";
import { startOfDay } from "../../platform/time";
import { ROLES, type Role } from "../../vocabulary/roles";
import { admittedOutsideDirectory } from "../identity/admission.server";
import { revokeAllSessions } from "../identity/sessions.server";
import { recordActivationChange } from "./activation.server";

export type Person = typeof people.$inferSelect;

export function findPersonByEmail(exec: Executor, email: string): Person | undefined {
  return exec
    .select()
    .from(people)
    .where(eq(people.email, normalizeEmail(email)))
    .get();
}

export function getPerson(id: number): Person | undefined {
  return getDb().select().from(people).where(eq(people.id, id)).get();
}

/**
 * A person as admin pages carry them: every time by its day (ADR 0032). A first sign-in to the
 * millisecond fell 2 s before an anonymous act; the loader data, not only the page, stops at the day.
 */
export function byDay(person: Person): Person {
  const day = (date: Date) => new Date(startOfDay(date.getTime()));
  return {
    ...person,
    createdAt: day(person.createdAt),
    updatedAt: day(person.updatedAt),
    firstSignedInAt: person.firstSignedInAt ? day(person.firstSignedInAt) : null,
  };
}

/** For the admin's page about one person: by day (byDay). */
export function getPersonForAdmin(id: number): Person | undefined {
  const person = getPerson(id);
  return person ? byDay(person) : undefined;
}

/**
 * Who may sign in: an active person in the directory, and people it does not list whom
 * `admittedOutsideDirectory` admits (bootstrap admins, people given a role, allowed domains).
 */
export function maySignIn(email: string, exec: Executor = getDb()): boolean {
  const address = normalizeEmail(email);
  const person = findPersonByEmail(exec, address);
  if (!person) return admittedOutsideDirectory(address, []);
  if (!person.active) return false;
  if (person.inDirectory) return true;
  const roles = exec
    .select({ role: personRoles.role })
    .from(personRoles)
    .where(eq(personRoles.personId, person.id))
    .all()
    .map((r) => r.role);
  return admittedOutsideDirectory(address, roles);
}

/** A person names themselves once; a name already set (theirs or the directory's) is not theirs to change. */
export const displayNameRefusal = (person: { name: string | null }) =>
  person.name ? new DirectoryError(say("admin.refusal.nameAlreadySet"), 403) : null;

export function setDisplayName(personId: number, name: string): void {
  // The day only: a newcomer names themselves right after their first sign-in.
  getDb()
    .update(people)
    .set({ name, updatedAt: new Date(startOfDay(Date.now())) })
    .where(eq(people.id, personId))
    .run();
}

export const PEOPLE_PAGE_SIZE = 50;

export function listPeople(filter: { query?: string; role?: Role; page: number }) {
  const db = getDb();
  const conditions: SQL[] = [];
  if (filter.query) {
    const pattern = `%${filter.query.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
    const match = or(
      like(people.email, pattern),
      like(people.name, pattern),
      like(people.department, pattern),
    );
    if (match) conditions.push(match);
  }
  if (filter.role) {
    conditions.push(
      inArray(
        people.id,
        db.select({ id: personRoles.personId }).from(personRoles).where(eq(personRoles.role, filter.role)),
      ),
    );
  }
  const where = conditions.length ? and(...conditions) : undefined;
  const rows = db
    .select()
    .from(people)
    .where(where)
    .orderBy(asc(people.email))
    .limit(PEOPLE_PAGE_SIZE)
    .offset((filter.page - 1) * PEOPLE_PAGE_SIZE)
    .all();
  const total = db.select({ n: count() }).from(people).where(where).get()?.n ?? 0;
  const roles = rows.length
    ? db
        .select()
        .from(personRoles)
        .where(
          inArray(
            personRoles.personId,
            rows.map((r) => r.id),
          ),
        )
        .all()
    : [];
  return {
    people: rows.map((person) => ({
      ...byDay(person),
      roles: roles.filter((r) => r.personId === person.id).map((r) => r.role),
    })),
    total,
    pageCount: Math.max(1, Math.ceil(total / PEOPLE_PAGE_SIZE)),
  };
}

export class DirectoryError extends Refusal {}

/** Activate or deactivate one person by hand; deactivation signs them out everywhere. */
export function setPersonActive(personId: number, active: boolean, actor: Actor): void {
  getDb().transaction(
    (tx) => {
      const person = tx.select().from(people).where(eq(people.id, personId)).get();
      if (!person) throw new DirectoryError(say("admin.refusal.noSuchPerson"));
      if (!active && actor.id === personId) throw new DirectoryError(say("admin.refusal.notYourself"));
      if (person.active === active) return;
      tx.update(people).set({ active, updatedAt: new Date() }).where(eq(people.id, personId)).run();
      if (!active) revokeAllSessions(tx, personId);
      recordActivationChange(tx, actor, person, active);
    },
    { behavior: "immediate" },
  );
}
export function countPeople(): number {
  return getDb().select({ n: count() }).from(people).get()?.n ?? 0;
}

export function directoryStats() {
  const db = getDb();
  const byActive = db.select({ active: people.active, n: count() }).from(people).groupBy(people.active).all();
  const roles = Object.fromEntries(ROLES.map((r) => [r, 0])) as Record<Role, number>;
  for (const row of db
    .select({ role: personRoles.role, n: count() })
    .from(personRoles)
    .groupBy(personRoles.role)
    .all()) {
    roles[row.role] = row.n;
  }
  return {
    active: byActive.find((r) => r.active)?.n ?? 0,
    inactive: byActive.find((r) => !r.active)?.n ?? 0,
    roles,
  };
}
