import { and, eq, gt, lte, sql } from "drizzle-orm";
import { type Executor, getDb, preparedStatements } from "../../../db/client";
import { outbox, people, personRoles, signInTokens } from "../../../db/schema";
import { companyWords, getConfig } from "../../config.server";
import { normalizeEmail } from "../../platform/mail/email-address";
import { renderEmail } from "../../platform/mail/email-layout.server";
import { enqueueMail } from "../../platform/mail/outbox.server";
import { wordsForRecipient } from "../../platform/mail/recipient-words.server";
import { Refusal } from "../../platform/refusal";
import { logText } from "../../platform/runtime/log-text";
import { say } from "../../platform/said";
import { recordAudit, SYSTEM_ACTOR } from "../../platform/security/audit.server";
import { enforceRateLimits } from "../../platform/security/rate-limits.server";
import { hashToken, newToken } from "../../platform/security/tokens.server";
import { absoluteUrl } from "../../platform/site/addresses.server";
import { emailSignInOpen } from "../../platform/site/settings.server";
import { startOfDay } from "../../platform/time";
import { findPersonByEmail, maySignIn } from "../people/directory.server";
import { createSession } from "./sessions.server";

export const SIGN_IN_TOKEN_TTL_MS = 15 * 60_000;
/**
 * The per-email limit counts requests for an address *from one client address*: a stranger asking
 * for a colleague's link from their own address runs up only their own counter, so they cannot deny
 * that colleague a link (a limit on the address alone let one signed-out address lock named people
 * out). Flooding someone's inbox takes many client addresses, each held to `perIp`. We chose this
 * over "always send a link at a lower rate" because that floor can itself be used up by a stranger.
 * The client address is the one the request context gives (app/web/request.server.ts clientIp).
 */
export const SIGN_IN_LIMITS = {
  perEmail: { limit: 5, windowMs: 15 * 60_000 },
  perIp: { limit: 30, windowMs: 15 * 60_000 },
};

const statements = preparedStatements((db) => ({
  person: db
    .select({ name: people.name, locale: people.locale, timeZone: people.timeZone })
    .from(people)
    .where(eq(people.email, sql.placeholder("email")))
    .prepare(),
}));

/**
 * Step 1 of sign-in. The same work whatever the address (no account enumeration, by the answer or by
 * its timing): one look-up for a greeting, one transaction storing a hashed token and queueing the
 * email. Whether the address may sign in is asked when the email is delivered (the mail sender drops a
 * link for an address that may not) and again when the link is used (completeSignIn), never here.
 */
export async function requestSignIn(
  /** `redirectTo`: a local path, already through safeRedirect (app/web/safe-redirect.ts). */
  input: { email: string; redirectTo?: string; ip: string | null },
  now = Date.now(),
): Promise<void> {
  const email = normalizeEmail(input.email);
  const client = input.ip ?? "unknown";
  if (!emailSignInOpen()) {
    throw new Refusal(say("server.signIn.emailOff", companyWords()), 403);
  }
  await enforceRateLimits(
    [
      [`sign-in:email:${email}:from:${client}`, SIGN_IN_LIMITS.perEmail],
      [`sign-in:ip:${client}`, SIGN_IN_LIMITS.perIp],
    ],
    "server.signIn.tooMany",
    now,
  );
  const config = getConfig();
  const token = newToken();
  const url = absoluteUrl(`/sign-in/verify?${new URLSearchParams({ token })}`);
  const person = statements().person.get({ email });
  // In the person's language, else the company's: an address nobody holds is asked nothing more.
  const { t } = wordsForRecipient(person ?? null);
  const message = renderEmail({
    paragraphs: [
      person?.name
        ? t("server.email.signIn.helloName", { name: person.name })
        : t("server.email.signIn.hello"),
      t("server.email.signIn.useLink", { minutes: SIGN_IN_TOKEN_TTL_MS / 60_000 }),
      t("server.email.signIn.ignore"),
    ],
    action: { label: t("server.email.signIn.action"), url },
    t,
  });
  getDb().transaction(
    (tx) => {
      tx.insert(signInTokens)
        .values({
          tokenHash: hashToken(token),
          email,
          redirectTo: input.redirectTo || null,
          createdAt: new Date(now),
          expiresAt: new Date(now + SIGN_IN_TOKEN_TTL_MS),
        })
        .run();
      enqueueMail(
        tx,
        {
          kind: "sign-in",
          to: email,
          subject: t("server.email.signIn.subject"),
          sensitive: true,
          ...message,
        },
        now,
      );
    },
    { behavior: "immediate" },
  );
  // Without SMTP the newcomer reads the link in the dev mailbox or here — only while the dev mailbox
  // is on: otherwise the log would hold live sign-in links.
  if (config.devMailbox) console.log(`[dev mail] sign-in link for ${logText(email)}: ${url}`);
}

/**
 * Whether a queued sign-in link may be delivered to this address: the mail sender asks, and drops
 * (with the address's unused tokens) a link for an address that may not sign in.
 */
export function signInLinkDeliverable(email: string): boolean {
  return maySignIn(email);
}

/**
 * Removes the unused links of an address: one that may not sign in (the mail sender, dropping one), or
 * one a person's email just changed from or to (inside that change's transaction).
 */
export function discardSignInLinks(email: string, exec: Executor = getDb()): void {
  exec.delete(signInTokens).where(eq(signInTokens.email, email)).run();
}

/**
 * Drops every queued sign-in link whose address may not sign in (with its tokens): the mail sender
 * runs it before delivering, and the minute scheduler too, so without SMTP the dev mailbox (and the
 * admin outbox) keeps an unknown address's link for a minute at most. Returns how many.
 */
export function dropUndeliverableSignInLinks(): number {
  const queued = getDb()
    .select({ id: outbox.id, to: outbox.toAddress })
    .from(outbox)
    .where(and(eq(outbox.kind, "sign-in"), eq(outbox.status, "queued")))
    .all();
  let dropped = 0;
  for (const { id, to } of queued) {
    if (signInLinkDeliverable(to)) continue;
    getDb().delete(outbox).where(eq(outbox.id, id)).run();
    discardSignInLinks(to);
    dropped++;
  }
  return dropped;
}

/**
 * Expired sign-in links are worth nothing, and their rows say who asked to sign in when, and for
 * which page: the minute scheduler deletes them (used ones are deleted as they are used).
 */
export function deleteSpentSignInTokens(now = Date.now()): number {
  return getDb()
    .delete(signInTokens)
    .where(lte(signInTokens.expiresAt, new Date(now)))
    .run().changes;
}

function findUsableToken(token: string, now: number) {
  return getDb()
    .select()
    .from(signInTokens)
    .where(and(eq(signInTokens.tokenHash, hashToken(token)), gt(signInTokens.expiresAt, new Date(now))))
    .get();
}

/** For the confirmation page: reads, never consumes (mail scanners open links with GET). */
export function peekSignInToken(token: string, now = Date.now()): { email: string } | null {
  const row = findUsableToken(token, now);
  return row ? { email: row.email } : null;
}

/**
 * On a person's first sign-in (any way): the day they joined is kept, and a bootstrap admin named in
 * ADMIN_EMAILS gets the admin role (audited). Inside the sign-in's transaction.
 */
export function recordFirstSignIn(
  tx: Executor,
  person: { id: number; email: string; firstSignedInAt: Date | null },
  now: number,
): void {
  if (person.firstSignedInAt) return;
  // The day only (ADR 0032): an exact first sign-in lined up with an anonymous act seconds later.
  tx.update(people)
    .set({ firstSignedInAt: new Date(startOfDay(now)) })
    .where(eq(people.id, person.id))
    .run();
  if (!getConfig().adminEmails.includes(person.email)) return;
  const granted = tx
    .insert(personRoles)
    .values({ personId: person.id, role: "admin", grantedAt: new Date(now) })
    .onConflictDoNothing()
    .run();
  if (granted.changes) {
    recordAudit(
      tx,
      SYSTEM_ACTOR,
      "role.grant",
      { type: "person", id: person.id },
      {
        role: "admin",
        email: person.email,
        reason: "ADMIN_EMAILS",
      },
    );
  }
}

export type SignInResult =
  | { ok: true; sessionToken: string; personId: number; needsName: boolean; redirectTo: string }
  | { ok: false; reason: "invalid" | "not-allowed" };

/**
 * Step 2: consumes the token (once: it is deleted as it is used), creates the
 * person if an allowed domain admits them, grants bootstrap admin on first sign-in, and opens a
 * session — all in one transaction.
 */
export function completeSignIn(token: string, now = Date.now()): SignInResult {
  // Switched off by an admin (beside an identity provider): links already sent stop working too.
  if (!emailSignInOpen()) return { ok: false, reason: "not-allowed" };
  return getDb().transaction(
    (tx): SignInResult => {
      // Used once: the delete only succeeds while the row exists. Nothing of it is kept — not when it
      // was used, nor the page it was for (ADR 0032).
      const consumed = tx
        .delete(signInTokens)
        .where(and(eq(signInTokens.tokenHash, hashToken(token)), gt(signInTokens.expiresAt, new Date(now))))
        .returning()
        .get();
      if (!consumed) return { ok: false, reason: "invalid" };
      // Using one link ends the address's other outstanding links: an older link found later in a
      // mailbox (or a forwarded one) no longer signs anyone in.
      tx.delete(signInTokens).where(eq(signInTokens.email, consumed.email)).run();
      // Re-checked now: the person may have been deactivated since the link was sent.
      if (!maySignIn(consumed.email, tx)) return { ok: false, reason: "not-allowed" };
      let person = findPersonByEmail(tx, consumed.email);
      if (!person) {
        person = tx
          .insert(people)
          .values({
            email: consumed.email,
            inDirectory: false,
            createdAt: new Date(startOfDay(now)),
            updatedAt: new Date(startOfDay(now)),
          })
          .returning()
          .get();
      }
      recordFirstSignIn(tx, person, now);
      const sessionToken = createSession(tx, person.id, now);
      return {
        ok: true,
        sessionToken,
        personId: person.id,
        needsName: !person.name,
        redirectTo: consumed.redirectTo ?? "/",
      };
    },
    { behavior: "immediate" },
  );
}
