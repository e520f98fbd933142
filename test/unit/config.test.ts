import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../app/config.server";

const tempDb = () => path.join(mkdtempSync(path.join(tmpdir(), "undersigned-config-")), "sub", "app.db");

describe("loadConfig", () => {
  it("applies the documented defaults", () => {
    const db = tempDb();
    const config = loadConfig({ DATABASE_URL: db });
    expect(config.port).toBe(3000);
    expect(config.appUrl).toBe("http://localhost:3000");
    expect(config.smtpUrl).toBeNull();
    expect(config.mailFrom).toBe("Undersigned <noreply@localhost>");
    expect(config.allowedEmailDomains).toEqual([]);
    expect(config.adminEmails).toEqual([]);
    expect(config.secureCookies).toBe(false);
    expect(loadConfig({}).databasePath).toBe("data/undersigned.db");
  });

  it("derives APP_URL from PORT and parses the comma lists", () => {
    const config = loadConfig({
      DATABASE_URL: tempDb(),
      PORT: "8080",
      ALLOWED_EMAIL_DOMAINS: " Corp.Example , example.org,",
      ADMIN_EMAILS: "Boss@Corp.Example",
    });
    expect(config.appUrl).toBe("http://localhost:8080");
    expect(config.allowedEmailDomains).toEqual(["corp.example", "example.org"]);
    expect(config.adminEmails).toEqual(["boss@corp.example"]);
  });

  it("marks cookies Secure under https and trims a trailing slash", () => {
    const config = loadConfig({ DATABASE_URL: tempDb(), APP_URL: "https://petitions.corp.example/" });
    expect(config.appUrl).toBe("https://petitions.corp.example");
    expect(config.secureCookies).toBe(true);
  });

  it("generates the session secret once and keeps it in the data folder", () => {
    const db = tempDb();
    const first = loadConfig({ DATABASE_URL: db }).sessionSecret;
    const second = loadConfig({ DATABASE_URL: db }).sessionSecret;
    expect(first).toHaveLength(43);
    expect(second).toBe(first);
    const file = path.join(path.dirname(db), "session-secret");
    expect(readFileSync(file, "utf8").trim()).toBe(first);
    expect(statSync(file).mode & 0o077).toBe(0);
    expect(loadConfig({ DATABASE_URL: db, SESSION_SECRET: "x".repeat(40) }).sessionSecret).toBe(
      "x".repeat(40),
    );
  });

  it("gives sessions an absolute lifetime of SESSION_MAX_DAYS (90 by default)", () => {
    expect(loadConfig({ DATABASE_URL: tempDb() }).sessionMaxAgeMs).toBe(90 * 86_400_000);
    expect(loadConfig({ DATABASE_URL: tempDb(), SESSION_MAX_DAYS: "7" }).sessionMaxAgeMs).toBe(
      7 * 86_400_000,
    );
  });

  it.each([
    [{ PORT: "eighty" }, "PORT"],
    [{ PORT: "70000" }, "PORT"],
    [{ APP_URL: "localhost:3000" }, "APP_URL"],
    [{ APP_URL: "ftp://files.example" }, "APP_URL"],
    [{ SMTP_URL: "mail.example:25" }, "SMTP_URL"],
    [{ SESSION_SECRET: "short" }, "SESSION_SECRET"],
    [{ ALLOWED_EMAIL_DOMAINS: "corp.example,not a domain" }, "ALLOWED_EMAIL_DOMAINS"],
    [{ ADMIN_EMAILS: "boss@corp.example,nobody" }, "ADMIN_EMAILS"],
    [{ SESSION_MAX_DAYS: "0" }, "SESSION_MAX_DAYS"],
    [{ SESSION_MAX_DAYS: "1.5" }, "SESSION_MAX_DAYS"],
    [{ SESSION_MAX_DAYS: "forever" }, "SESSION_MAX_DAYS"],
    [{ SESSION_MAX_DAYS: "366" }, "SESSION_MAX_DAYS"],
  ])("rejects %o with a message naming %s", (env, variable) => {
    expect(() => loadConfig({ DATABASE_URL: tempDb(), ...env })).toThrowError(ConfigError);
    try {
      loadConfig({ DATABASE_URL: tempDb(), ...env });
    } catch (error) {
      expect((error as ConfigError).message).toContain(variable);
    }
  });
});
