import { eq, inArray, lte } from "drizzle-orm";
import { type Executor, getDb, preparedStatements } from "../../../db/client";
import { identityLinkRequests, sessions } from "../../../db/schema";
import { getConfig } from "../../config.server";
import { isStorageFull, noteStorageFull } from "../../platform/runtime/storage.server";
import { hashToken, newToken } from "../../platform/security/tokens.server";
import { DAY_MS, startOfHour } from "../../platform/time";
import type { SignInMethod } from "../../vocabulary/identity";
import { isRole, type Role } from "../../vocabulary/roles";
import { admittedOutsideDirectory } from "./admission.server";

/**
 * Server-side sessions: the table holds a SHA-256 of each token, the cookie the token itself
 * (app/web/session.server.ts reads and writes the cookie).
 */

/** A session unused this long ends; each use (at most once a day) renews it — up to its absolute end. */
export const SESSION_TTL_MS = 30 * DAY_MS;
/** Renew at most this often, so a busy session does not write on every request. */
const RENEW_AFTER_MS = DAY_MS;

export type User = {
  id: number;
  email: string;
  name: string | null;
  department: string | null;
  location: string | null;
  roles: Role[];
  /** Their chosen language and time zone (null: their browser's, then the company's). */
  locale?: string | null;
  timeZone?: string | null;
};

/** Starts a session (inside the caller's transaction) and returns the raw token for the cookie. */
export function createSession(
  exec: Executor,
  personId: number,
  now = Date.now(),
  method: SignInMethod = "email",
): string {
  const token = newToken();
  const hour = startOfHour(now);
  exec
    .insert(sessions)
    .values({
      tokenHash: hashToken(token),
      personId,
      createdAt: new Date(hour),
      expiresAt: new Date(hour + Math.min(SESSION_TTL_MS, getConfig().sessionMaxAgeMs)),
      renewedAt: new Date(hour),
      method,
    })
    .run();
  return token;
}

/**
 * Every request with a cookie runs this: one raw statement prepared once per connection (see
 * db/client.ts), the person's roles folded in, because drizzle's join mapping and a second query for
 * the roles cost more than the lookup (docs/benchmarks.md).
 */
const statements = preparedStatements((db) => ({
  session: db.$client.prepare<
    [string, number],
    {
      id: number;
      created_at: number;
      renewed_at: number;
      person_id: number;
      email: string;
      name: string | null;
      department: string | null;
      location: string | null;
      locale: string | null;
      time_zone: string | null;
      active: number;
      in_directory: number;
      roles: string | null;
    }
  >(
    `select s.id, s.created_at, s.renewed_at, p.id as person_id, p.email, p.name, p.department, p.location,
       p.locale, p.time_zone, p.active, p.in_directory, (select group_concat(role) from person_roles where person_id = p.id) as roles
     from sessions s join people p on p.id = s.person_id
     where s.token_hash = ? and s.expires_at > ?`,
  ),
}));

/**
 * The person a session token belongs to, or null. A session is valid while unexpired, younger than
 * SESSION_MAX_DAYS (config; sessions do not renew for ever), and its person is active (and, outside
 * the directory, still admitted). Using it renews it to 30 days from now, at most once a day and never
 * past its absolute end: `renewed` says when the cookie should be re-sent with a fresh max-age.
 */
export function sessionUser(token: string, now = Date.now()): { user: User; renewed: boolean } | null {
  const row = statements().session.get(hashToken(token), now);
  if (!row?.active) return null;
  const endsAt = row.created_at + getConfig().sessionMaxAgeMs;
  if (now >= endsAt) return null;
  const roles = (row.roles?.split(",") ?? []).filter(isRole);
  // Someone the directory does not list stays admitted only while the rules admit them.
  if (!row.in_directory && !admittedOutsideDirectory(row.email, roles)) return null;
  const user: User = {
    id: row.person_id,
    email: row.email,
    name: row.name,
    department: row.department,
    location: row.location,
    roles,
    locale: row.locale,
    timeZone: row.time_zone,
  };
  if (now - row.renewed_at < RENEW_AFTER_MS) return { user, renewed: false };
  try {
    getDb()
      .update(sessions)
      .set({
        renewedAt: new Date(startOfHour(now)),
        expiresAt: new Date(Math.min(startOfHour(now) + SESSION_TTL_MS, endsAt)),
      })
      .where(eq(sessions.id, row.id))
      .run();
  } catch (error) {
    // A full disk must not stop anyone reading: the session is renewed on a later request.
    if (!isStorageFull(error)) throw error;
    noteStorageFull();
    return { user, renewed: false };
  }
  return { user, renewed: true };
}

/**
 * Sign out: the session row is deleted, so the cookie is worthless even if kept. Says how the session
 * had been started (null when there was none), so sign-out can end the identity provider's too.
 */
export function endSession(token: string): SignInMethod | null {
  const ended = getDb()
    .delete(sessions)
    .where(eq(sessions.tokenHash, hashToken(token)))
    .returning({ method: sessions.method })
    .get();
  return ended?.method ?? null;
}

export function revokeAllSessions(exec: Executor, personId: number): void {
  exec.delete(sessions).where(eq(sessions.personId, personId)).run();
}

/**
 * Ends every session of the person and every pending request to connect a company account to the
 * given addresses (identity-linking.server.ts), inside the caller's transaction: for a change that
 * must not leave an open door behind, such as their email address changing (a request confirmed
 * afterwards would connect an account to whoever holds the address then). Provider links stay.
 */
export function endSessionsAndLinkRequests(exec: Executor, personId: number, addresses: string[]): void {
  revokeAllSessions(exec, personId);
  exec.delete(identityLinkRequests).where(inArray(identityLinkRequests.email, addresses)).run();
}

export function deleteExpiredSessions(now = Date.now()): number {
  return getDb()
    .delete(sessions)
    .where(lte(sessions.expiresAt, new Date(now)))
    .run().changes;
}
