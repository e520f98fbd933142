import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { rolesOf } from "../../app/domain/identity/permissions.server";
import {
  completeSignIn,
  dropUndeliverableSignInLinks,
  peekSignInToken,
  requestSignIn,
  SIGN_IN_LIMITS,
  SIGN_IN_TOKEN_TTL_MS,
} from "../../app/domain/identity/sign-in.server";
import { findPersonByEmail } from "../../app/domain/people/directory.server";
import { normalizeEmail } from "../../app/platform/mail/email-address";
import { RateLimited } from "../../app/platform/refusal";
import { resetRateLimits } from "../../app/platform/security/rate-limits.server";
import { hashToken } from "../../app/platform/security/tokens.server";
import * as signInRoute from "../../app/routes/sign-in";
import * as verifyRoute from "../../app/routes/sign-in_.verify";
import { createSmtpTransport, deliverDueMail } from "../../app/server/mail-sender.server";
import { commitSessionCookie, getSessionUser } from "../../app/web/session.server";
import { getDb } from "../../db/client";
import { auditLog, outbox, people, personRoles, sessions, signInTokens } from "../../db/schema";
import { callRoute, importSampleDirectory } from "../support/fixtures";
import { extractLink, startSmtpServer } from "../support/smtp";

const db = () => getDb();
let ip = 0;
const nextIp = () => `10.0.0.${++ip}`;

function lastLinkTo(email: string) {
  const mail = db().select().from(outbox).where(eq(outbox.toAddress, email)).orderBy(outbox.id).all().at(-1);
  if (!mail) throw new Error(`no mail to ${email}`);
  const link = extractLink(mail.textBody, "/sign-in/verify");
  return { mail, link, token: new URL(link).searchParams.get("token") ?? "" };
}

beforeEach(() => {
  resetRateLimits();
});

describe("requesting a sign-in link", () => {
  it("emails a directory member a link to APP_URL; the token is stored only as a hash", async () => {
    importSampleDirectory();
    await requestSignIn({ email: "Ada@Corp.Example", ip: nextIp() });
    const { mail, link, token } = lastLinkTo("ada@corp.example");
    expect(link.startsWith("http://undersigned.test:3000/sign-in/verify?token=")).toBe(true);
    expect(Buffer.from(token, "base64url").length).toBeGreaterThanOrEqual(32);
    expect(mail.subject).toMatch(/sign-in link/i);
    expect(mail.htmlBody).toContain(link.replace(/&/g, "&amp;"));
    const stored = db().select().from(signInTokens).all();
    expect(stored.some((row) => row.tokenHash === hashToken(token))).toBe(true);
    expect(JSON.stringify(stored)).not.toContain(token);
  });

  it("sends nothing to addresses that may not sign in, with the same answer", async () => {
    const smtp = await startSmtpServer();
    const transport = createSmtpTransport(smtp.url);
    try {
      // The same answer: no refusal, and nothing that tells the address apart from a colleague's.
      await expect(
        requestSignIn({ email: "stranger@elsewhere.example", ip: nextIp() }),
      ).resolves.toBeUndefined();
      // Queued like anyone's (the same work), and dropped by the sender: no email leaves.
      expect(
        db().select().from(outbox).where(eq(outbox.toAddress, "stranger@elsewhere.example")).all(),
      ).toHaveLength(1);
      while ((await deliverDueMail(transport)).sent > 0);
      expect(smtp.received.filter((m) => m.to.includes("stranger@elsewhere.example"))).toEqual([]);
      expect(
        db().select().from(outbox).where(eq(outbox.toAddress, "stranger@elsewhere.example")).all(),
      ).toEqual([]);
      expect(
        db().select().from(signInTokens).where(eq(signInTokens.email, "stranger@elsewhere.example")).all(),
      ).toEqual([]);
    } finally {
      transport.close();
      await smtp.close();
    }
  });

  it("rate-limits per email (from one client address) and per client address", async () => {
    importSampleDirectory();
    // Every request at one instant: what is refused depends on the limits, not on how fast this runs.
    const now = Date.now();
    const address = nextIp();
    for (let i = 0; i < SIGN_IN_LIMITS.perEmail.limit; i++) {
      await requestSignIn({ email: "grace@corp.example", ip: address }, now);
    }
    const limited = await requestSignIn({ email: "grace@corp.example", ip: address }, now).catch(
      (e: unknown) => e,
    );
    expect(limited).toBeInstanceOf(RateLimited);
    expect((limited as RateLimited).retryAfterMs).toBeGreaterThan(0);
    expect((limited as RateLimited).status).toBe(429);

    const other = nextIp();
    for (let i = 0; i < SIGN_IN_LIMITS.perIp.limit; i++) {
      await requestSignIn({ email: `nobody${i}@elsewhere.example`, ip: other }, now);
    }
    await expect(requestSignIn({ email: "ada@corp.example", ip: other }, now)).rejects.toBeInstanceOf(
      RateLimited,
    );
    // The wait it names is enough: a retry then is let through.
    const wait = await requestSignIn({ email: "ada@corp.example", ip: other }, now).catch(
      (e: unknown) => (e as RateLimited).retryAfterMs,
    );
    await requestSignIn({ email: "ada@corp.example", ip: other }, now + Number(wait));
  });
});

describe("completing sign-in", () => {
  it("works once, opens a session, and the confirmation page does not consume the token", async () => {
    importSampleDirectory();
    await requestSignIn({ email: "ada@corp.example", ip: nextIp() });
    const { token } = lastLinkTo("ada@corp.example");
    expect(peekSignInToken(token)).toEqual({ email: "ada@corp.example" });
    expect(peekSignInToken(token)).toEqual({ email: "ada@corp.example" });
    const result = completeSignIn(token);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.needsName).toBe(false);
    const cookie = (await commitSessionCookie(result.sessionToken)).split(";")[0] ?? "";
    const session = await getSessionUser(new Request("http://x/", { headers: { Cookie: cookie } }));
    expect(session?.user.email).toBe("ada@corp.example");
    expect(completeSignIn(token)).toEqual({ ok: false, reason: "invalid" });
    expect(peekSignInToken(token)).toBeNull();
  });

  it("refuses an expired token", async () => {
    importSampleDirectory();
    const sentAt = Date.now();
    await requestSignIn({ email: "grace@corp.example", ip: nextIp() }, sentAt);
    const { token } = lastLinkTo("grace@corp.example");
    expect(completeSignIn(token, sentAt + SIGN_IN_TOKEN_TTL_MS + 1)).toEqual({
      ok: false,
      reason: "invalid",
    });
    expect(completeSignIn("not-a-token")).toEqual({ ok: false, reason: "invalid" });
  });

  it("refuses a person deactivated after the link was sent", async () => {
    importSampleDirectory();
    await requestSignIn({ email: "linus@corp.example", ip: nextIp() });
    const { token } = lastLinkTo("linus@corp.example");
    db().update(people).set({ active: false }).where(eq(people.email, "linus@corp.example")).run();
    expect(completeSignIn(token)).toEqual({ ok: false, reason: "not-allowed" });
    db().update(people).set({ active: true }).where(eq(people.email, "linus@corp.example")).run();
  });

  it("admits an allowed domain, asks for a name, and honours only local redirects", async () => {
    await requestSignIn({ email: "pat@partner.example", redirectTo: "/admin/audit", ip: nextIp() });
    const first = completeSignIn(lastLinkTo("pat@partner.example").token);
    expect(first).toMatchObject({ ok: true, needsName: true, redirectTo: "/admin/audit" });
    const person = findPersonByEmail(db(), "pat@partner.example");
    expect(person?.inDirectory).toBe(false);

    // Through the page: another origin never reaches the stored link, and the link's page sends home.
    const asked = await callRoute(
      signInRoute,
      "action",
      null,
      "/sign-in",
      {},
      {
        email: "pat@partner.example",
        redirectTo: "//evil.example/x",
      },
    );
    expect(asked.status).toBe(200);
    expect(db().select().from(signInTokens).orderBy(signInTokens.id).all().at(-1)?.redirectTo).toBeNull();
    const verified = await callRoute(
      verifyRoute,
      "action",
      null,
      "/sign-in/verify",
      {},
      {
        token: lastLinkTo("pat@partner.example").token,
      },
    );
    expect(verified.headers.get("Location")).toBe("/welcome?redirectTo=%2F");
  });

  it("admits only plain addresses of an allowed domain: a +tag would make one mailbox many signers", async () => {
    const before = db().select().from(people).all().length;
    for (const email of ["pat+1@partner.example", "Pat+petitions@Partner.Example", "+@partner.example"]) {
      await requestSignIn({ email, ip: nextIp() });
      // Queued like any address's, and dropped before delivery.
      dropUndeliverableSignInLinks();
      expect(() => lastLinkTo(normalizeEmail(email))).toThrowError(/no mail/);
    }
    // A link issued before the rule (or by any other path) is refused when used, and makes no person.
    db()
      .insert(signInTokens)
      .values({
        tokenHash: hashToken("old-plus-token"),
        email: "pat+2@partner.example",
        createdAt: new Date(),
        expiresAt: new Date(Date.now() + 60_000),
      })
      .run();
    expect(completeSignIn("old-plus-token")).toEqual({ ok: false, reason: "not-allowed" });
    expect(db().select().from(people).all()).toHaveLength(before);
    // An account made before the rule (not in the directory) is asked again, and refused.
    db()
      .insert(people)
      .values({
        email: "pat+3@partner.example",
        inDirectory: false,
        createdAt: new Date(),
        updatedAt: new Date(),
      })
      .run();
    await requestSignIn({ email: "pat+3@partner.example", ip: nextIp() });
    dropUndeliverableSignInLinks();
    expect(() => lastLinkTo("pat+3@partner.example")).toThrowError(/no mail/);
    // Nor does a session it already has still work.
    const plus = findPersonByEmail(db(), "pat+3@partner.example");
    const session = db()
      .insert(sessions)
      .values({
        tokenHash: hashToken("plus-session"),
        personId: plus?.id ?? 0,
        createdAt: new Date(),
        renewedAt: new Date(),
        expiresAt: new Date(Date.now() + 60_000),
      })
      .returning()
      .get();
    const cookie = (await commitSessionCookie("plus-session")).split(";")[0] ?? "";
    expect(await getSessionUser(new Request("http://x/", { headers: { Cookie: cookie } }))).toBeNull();
    expect(session.personId).toBe(plus?.id);
    // The directory is the authority: an address it lists signs in whatever it looks like.
    db()
      .insert(people)
      .values({ email: "lin+ops@corp.example", name: "Lin", createdAt: new Date(), updatedAt: new Date() })
      .run();
    await requestSignIn({ email: "lin+ops@corp.example", ip: nextIp() });
    expect(completeSignIn(lastLinkTo("lin+ops@corp.example").token)).toMatchObject({ ok: true });
  });

  it("keeps admitting someone outside the directory while they hold a role an admin gave them, and only then", async () => {
    // Say the bootstrap admin's address was taken out of ADMIN_EMAILS after the first sign-in.
    const helper = db()
      .insert(people)
      .values({
        email: "helper@elsewhere.example",
        inDirectory: false,
        createdAt: new Date(),
        updatedAt: new Date(),
      })
      .returning()
      .get();
    db().insert(personRoles).values({ personId: helper.id, role: "admin", grantedAt: new Date() }).run();
    await requestSignIn({ email: helper.email, ip: nextIp() });
    const result = completeSignIn(lastLinkTo(helper.email).token);
    if (!result.ok) throw new Error("the admin was refused");
    const cookie = (await commitSessionCookie(result.sessionToken)).split(";")[0] ?? "";
    const request = () => new Request("http://x/", { headers: { Cookie: cookie } });
    expect((await getSessionUser(request()))?.user.roles).toEqual(["admin"]);
    // Without the role, nothing admits them: their session ends, and no link is sent.
    db().delete(personRoles).where(eq(personRoles.personId, helper.id)).run();
    expect(await getSessionUser(request())).toBeNull();
    await requestSignIn({ email: helper.email, ip: nextIp() });
    // Nothing queued for them is delivered any more (the earlier link not yet sent included).
    dropUndeliverableSignInLinks();
    expect(db().select().from(outbox).where(eq(outbox.toAddress, helper.email)).all()).toEqual([]);
  });

  it("grants admin to ADMIN_EMAILS on the first sign-in only", async () => {
    await requestSignIn({ email: "boss@bootstrap.example", ip: nextIp() });
    const result = completeSignIn(lastLinkTo("boss@bootstrap.example").token);
    if (!result.ok) throw new Error("sign-in failed");
    expect(rolesOf(result.personId)).toEqual(["admin"]);
    expect(
      db().select().from(auditLog).where(eq(auditLog.action, "role.grant")).all().at(-1)?.details,
    ).toMatchObject({
      reason: "ADMIN_EMAILS",
    });
    // An admin who later loses the role does not get it back by signing in again.
    db().delete(personRoles).run();
    await requestSignIn({ email: "boss@bootstrap.example", ip: nextIp() });
    completeSignIn(lastLinkTo("boss@bootstrap.example").token);
    expect(rolesOf(result.personId)).toEqual([]);
  });
});
