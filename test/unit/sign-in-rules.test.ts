import { describe, expect, it } from "vitest";
import { can } from "../../app/domain/identity/permissions.server";
import { emailSchema } from "../../app/platform/mail/email-address";
import { renderEmail } from "../../app/platform/mail/email-layout.server";
import { hashToken, newToken } from "../../app/platform/security/tokens.server";
import { backoffMs } from "../../app/server/mail-sender.server";
import { safeRedirect } from "../../app/web/safe-redirect";

describe("safeRedirect", () => {
  it.each([
    ["/admin", "/admin"],
    ["/admin/people?q=a#x", "/admin/people?q=a#x"],
    ["//evil.example", "/"],
    ["/\\evil.example", "/"],
    ["https://evil.example", "/"],
    ["javascript:alert(1)", "/"],
    ["admin", "/"],
    ["/ok\nSet-Cookie: x", "/"],
    // A Location header carries bytes, not emoji: these used to be a 500 on the redirect.
    ["/petitions?q=😀", "/petitions?q=%F0%9F%98%80"],
    ["/caf\u00e9#r\u00e9sum\u00e9", "/caf%C3%A9#r%C3%A9sum%C3%A9"],
    ["/\uD800", "/%EF%BF%BD"],
    [`/${"x".repeat(2_000)}`, "/"],
    ["/.//evil.example", "/"],
    ["/%2e//evil.example", "/"],
    [undefined, "/"],
    [42, "/"],
  ])("%j → %j", (input, expected) => {
    expect(safeRedirect(input)).toBe(expected);
  });
});

describe("tokens", () => {
  it("are 32 random bytes, URL-safe, and hashed with SHA-256", () => {
    const token = newToken();
    expect(Buffer.from(token, "base64url")).toHaveLength(32);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newToken()).not.toBe(token);
    expect(hashToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashToken(token)).toBe(hashToken(token));
    expect(hashToken(token)).not.toContain(token);
  });
});

describe("emailSchema", () => {
  it("normalises case and whitespace", () => {
    expect(emailSchema.parse("  Ada.Lovelace@Corp.Example ")).toBe("ada.lovelace@corp.example");
  });
  it.each(["", "ada", "ada@", "@corp.example", "a b@corp.example", `${"a".repeat(250)}@corp.example`])(
    "rejects %j",
    (value) => {
      expect(emailSchema.safeParse(value).success).toBe(false);
    },
  );
});

describe("permissions", () => {
  it("gives admin permissions only to admins", () => {
    expect(can({ roles: ["admin"] }, "grant:role")).toBe(true);
    expect(can({ roles: ["admin"] }, "import:directory")).toBe(true);
    expect(can({ roles: [] }, "view:admin")).toBe(false);
    expect(can({ roles: ["moderator", "leadership", "organizer"] }, "grant:role")).toBe(false);
  });
});

describe("mail", () => {
  it("backs off exponentially up to an hour", () => {
    expect(backoffMs(1)).toBe(30_000);
    expect(backoffMs(2)).toBe(60_000);
    expect(backoffMs(3)).toBe(120_000);
    expect(backoffMs(20)).toBe(3_600_000);
  });

  it("escapes user text in the HTML part and keeps the link whole in the text part", () => {
    const url = `https://petitions.corp.example/sign-in/verify?token=${"x".repeat(120)}`;
    const email = renderEmail({
      paragraphs: ["Hello <script>alert(1)</script> & co"],
      action: { label: "Go", url },
    });
    expect(email.html).toContain("Hello &lt;script&gt;alert(1)&lt;/script&gt; &amp; co");
    expect(email.html).not.toContain("<script>");
    expect(email.text).toContain(url);
    expect(email.html).toContain(`href="${url}"`);
  });
});

describe("petition slugs", async () => {
  const { slugify } = await import("../../app/platform/content/slugs");
  it("are lower-case words joined by hyphens, cut at a word boundary", () => {
    expect(slugify("Let staff opt out of keystroke and click logging for AI training")).toBe(
      "let-staff-opt-out-of-keystroke-and-click-logging-for-ai",
    );
    expect(slugify("Crème brûlée for everyone!")).toBe("creme-brulee-for-everyone");
    expect(slugify("!!!")).toBe("petition");
  });
});

describe("the dev mailbox", async () => {
  const { mailboxHostAllowed } = await import("../../app/server/dev-mailbox.server");
  it("answers only a request addressed to 127.0.0.1 or localhost on its own port (no DNS rebinding)", () => {
    expect(mailboxHostAllowed("127.0.0.1:3001", 3001)).toBe(true);
    expect(mailboxHostAllowed("localhost:3001", 3001)).toBe(true);
    expect(mailboxHostAllowed("LocalHost:3001", 3001)).toBe(true);
    // A name of someone else's that resolves here, with or without the port, a look-alike, no Host.
    for (const host of [
      "evil.example:3001",
      "evil.example",
      "127.0.0.1",
      "localhost",
      "localhost.:3001",
      "127.0.0.1.evil.example:3001",
      "127.0.0.1:3000",
      "[::1]:3001",
      "",
      undefined,
    ])
      expect(mailboxHostAllowed(host, 3001), String(host)).toBe(false);
  });
});
