import { and, eq, gt, isNull } from "drizzle-orm";
import { getDb } from "../../../db/client";
import { people, personRoles, signInTokens } from "../../../db/schema";
import { getConfig } from "../../config.server";
import { absoluteUrl } from "../../platform/addresses.server";
import { recordAudit } from "../../platform/audit.server";
import { normalizeEmail } from "../../platform/email-address";
import { renderEmail } from "../../platform/email-layout.server";
import { enqueueMail } from "../../platform/outbox.server";
import { enforceRateLimits, type RateLimitHit } from "../../platform/rate-limits.server";
import { hashToken, newToken } from "../../platform/tokens.server";
import { findPersonByEmail, maySignIn } from "../people/directory.server";
import { createSession } from "./sessions.server";

export const SIGN_IN_TOKEN_TTL_MS = 15 * 60_000;
export const SIGN_IN_LIMITS = {
  perEmail: { limit: 5, windowMs: 15 * 60_000 },
  perIp: { limit: 30, windowMs: 15 * 60_000 },
};

/**
 * Step 1 of sign-in. The caller shows the same answer whatever happens here (no account
 * enumeration); only an allowed address gets an email. The token is stored hashed, and its email is
 * queued in the same transaction.
 */
export async function requestSignIn(
  /** `redirectTo`: a local path, already through safeRedirect (app/web/safe-redirect.ts). */
  input: { email: string; redirectTo?: string; ip: string | null },
  now = Date.now(),
): Promise<void> {
  const email = normalizeEmail(input.email);
  await enforceRateLimits(
    [
      [`sign-in:email:${email}`, SIGN_IN_LIMITS.perEmail],
      ...(input.ip ? [[`sign-in:ip:${input.ip}`, SIGN_IN_LIMITS.perIp] as RateLimitHit] : []),
    ],
    (wait) => `Too many sign-in requests. Please wait ${wait} and try again.`,
    now,
  );
  const config = getConfig();
  const link = getDb().transaction(
    (tx) => {
      if (!maySignIn(email, tx)) return null;
      const token = newToken();
      const redirectTo = input.redirectTo ?? "";
      tx.insert(signInTokens)
        .values({
          tokenHash: hashToken(token),
          email,
          redirectTo: redirectTo || null,
          createdAt: new Date(now),
          expiresAt: new Date(now + SIGN_IN_TOKEN_TTL_MS),
        })
        .run();
      const url = absoluteUrl(`/sign-in/verify?${new URLSearchParams({ token })}`);
      const person = findPersonByEmail(tx, email);
      enqueueMail(
        tx,
        {
          kind: "sign-in",
          to: email,
          subject: "Your sign-in link for Undersigned",
          sensitive: true,
          ...renderEmail({
            paragraphs: [
              person?.name ? `Hello ${person.name},` : "Hello,",
              "Use the link below to sign in to Undersigned. It works once and expires in 15 minutes.",
              "If you did not ask to sign in, you can ignore this email: nobody can sign in without it.",
            ],
            action: { label: "Sign in to Undersigned", url },
          }),
        },
        now,
      );
      return url;
    },
    { behavior: "immediate" },
  );
  // Without SMTP the newcomer reads the link in the dev mailbox or here — only while the dev mailbox
  // is on: otherwise the log would hold live sign-in links.
  if (link && config.devMailbox) console.log(`[dev mail] sign-in link for ${email}: ${link}`);
}

function findUsableToken(token: string, now: number) {
  return getDb()
    .select()
    .from(signInTokens)
    .where(
      and(
        eq(signInTokens.tokenHash, hashToken(token)),
        isNull(signInTokens.usedAt),
        gt(signInTokens.expiresAt, new Date(now)),
      ),
    )
    .get();
}

/** For the confirmation page: reads, never consumes (mail scanners open links with GET). */
export function peekSignInToken(token: string, now = Date.now()): { email: string } | null {
  const row = findUsableToken(token, now);
  return row ? { email: row.email } : null;
}

export type SignInResult =
  | { ok: true; sessionToken: string; personId: number; needsName: boolean; redirectTo: string }
  | { ok: false; reason: "invalid" | "not-allowed" };

/**
 * Step 2: consumes the token (once: the update only succeeds while used_at is null), creates the
 * person if an allowed domain admits them, grants bootstrap admin on first sign-in, and opens a
 * session — all in one transaction.
 */
export function completeSignIn(token: string, now = Date.now()): SignInResult {
  const config = getConfig();
  return getDb().transaction(
    (tx): SignInResult => {
      const consumed = tx
        .update(signInTokens)
        .set({ usedAt: new Date(now) })
        .where(
          and(
            eq(signInTokens.tokenHash, hashToken(token)),
            isNull(signInTokens.usedAt),
            gt(signInTokens.expiresAt, new Date(now)),
          ),
        )
        .returning()
        .get();
      if (!consumed) return { ok: false, reason: "invalid" };
      // Re-checked now: the person may have been deactivated since the link was sent.
      if (!maySignIn(consumed.email, tx)) return { ok: false, reason: "not-allowed" };
      let person = findPersonByEmail(tx, consumed.email);
      if (!person) {
        person = tx
          .insert(people)
          .values({
            email: consumed.email,
            inDirectory: false,
            createdAt: new Date(now),
            updatedAt: new Date(now),
          })
          .returning()
          .get();
      }
      if (!person.firstSignedInAt) {
        tx.update(people)
          .set({ firstSignedInAt: new Date(now) })
          .where(eq(people.id, person.id))
          .run();
        if (config.adminEmails.includes(person.email)) {
          const granted = tx
            .insert(personRoles)
            .values({ personId: person.id, role: "admin", grantedAt: new Date(now) })
            .onConflictDoNothing()
            .run();
          if (granted.changes) {
            recordAudit(
              tx,
              { id: null, label: "system" },
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
      }
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
