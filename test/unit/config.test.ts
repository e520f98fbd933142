import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../app/config.server";

const tempDb = () => path.join(mkdtempSync(path.join(tmpdir(), "undersigned-config-")), "sub", "app.db");

describe("loadConfig", () => {
  it("refuses batch settings below their floors, saying why, and takes those at or above them that divide the day", () => {
    const refusal = (env: Record<string, string>) => {
      try {
        loadConfig({ DATABASE_URL: tempDb(), ...env });
      } catch (error) {
        return (error as ConfigError).message;
      }
      return "";
    };
    expect(refusal({ ANONYMOUS_BATCH_MINUTES: "5" })).toMatch(
      /ANONYMOUS_BATCH_MINUTES: must be at least 15: a shorter period dates each anonymous act more finely/,
    );
    expect(refusal({ ANONYMOUS_BATCH_MINUTES: "50" })).toMatch(/must divide a day \(1440 minutes\) evenly/);
    expect(refusal({ ANONYMOUS_BATCH_SIZE: "2" })).toMatch(
      /ANONYMOUS_BATCH_SIZE: must be at least 5: a smaller batch could be one person's act alone/,
    );
    expect(loadConfig({ DATABASE_URL: tempDb() }).anonymousBatch).toEqual({
      periodMs: 15 * 60_000,
      minSize: 5,
    });
    expect(
      loadConfig({ DATABASE_URL: tempDb(), ANONYMOUS_BATCH_MINUTES: "60", ANONYMOUS_BATCH_SIZE: "20" })
        .anonymousBatch,
    ).toEqual({ periodMs: 60 * 60_000, minSize: 20 });
  });

  it("takes a test clock file only outside production", () => {
    expect(
      loadConfig({ DATABASE_URL: tempDb(), UNDERSIGNED_TEST_CLOCK_FILE: "/tmp/clock", NODE_ENV: "test" })
        .testClockFile,
    ).toBe("/tmp/clock");
    expect(loadConfig({ DATABASE_URL: tempDb() }).testClockFile).toBeNull();
    expect(() =>
      loadConfig({
        DATABASE_URL: tempDb(),
        UNDERSIGNED_TEST_CLOCK_FILE: "/tmp/clock",
        NODE_ENV: "production",
      }),
    ).toThrowError(/UNDERSIGNED_TEST_CLOCK_FILE: is for tests only and refused under NODE_ENV=production/);
  });

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

  it("keys address hashes with IP_HASH_KEY, or (unset) with nothing it writes to the data folder", () => {
    const db = tempDb();
    expect(loadConfig({ DATABASE_URL: db }).ipHashKey).toBeNull();
    expect(readdirSync(path.dirname(db))).toEqual(["session-secret"]);
    expect(loadConfig({ DATABASE_URL: db, IP_HASH_KEY: "k".repeat(32) }).ipHashKey).toBe("k".repeat(32));
  });

  it("gives sessions an absolute lifetime of SESSION_MAX_DAYS (90 by default)", () => {
    expect(loadConfig({ DATABASE_URL: tempDb() }).sessionMaxAgeMs).toBe(90 * 86_400_000);
    expect(loadConfig({ DATABASE_URL: tempDb(), SESSION_MAX_DAYS: "7" }).sessionMaxAgeMs).toBe(
      7 * 86_400_000,
    );
  });

  it("serves on every core, trusts no proxy and takes no backups by default", () => {
    const config = loadConfig({ DATABASE_URL: tempDb() });
    expect(config.webConcurrency).toBe(availableParallelism());
    expect(config.trustProxy).toBe(false);
    expect(config.devMailbox).toEqual({ port: 3001, url: "http://127.0.0.1:3001/" });
    expect(config.backups).toBeNull();
    expect(loadConfig({ DATABASE_URL: tempDb(), WEB_CONCURRENCY: "1" }).webConcurrency).toBe(1);
  });

  it("reads TRUST_PROXY as Express's trust proxy: hops, true/false, or addresses and names", () => {
    const trust = (value: string) => loadConfig({ DATABASE_URL: tempDb(), TRUST_PROXY: value }).trustProxy;
    expect(trust("1")).toBe(1);
    expect(trust("true")).toBe(true);
    expect(trust("false")).toBe(false);
    expect(trust("loopback, 10.0.0.0/8")).toEqual(["loopback", "10.0.0.0/8"]);
  });

  it("switches the dev mailbox off with SMTP_URL or DEV_MAILBOX=0", () => {
    expect(loadConfig({ DATABASE_URL: tempDb(), DEV_MAILBOX: "0" }).devMailbox).toBeNull();
    expect(loadConfig({ DATABASE_URL: tempDb(), SMTP_URL: "smtp://mail.example:25" }).devMailbox).toBeNull();
    expect(
      loadConfig({ DATABASE_URL: tempDb(), SMTP_URL: "smtp://mail.example:25", DEV_MAILBOX: "1" }).devMailbox,
    ).toBeNull();
  });

  it("gives the dev mailbox a port of its own on 127.0.0.1: DEV_MAILBOX_PORT, or PORT+1, never PORT", () => {
    const mailbox = (env: Record<string, string>) =>
      loadConfig({ DATABASE_URL: tempDb(), ...env }).devMailbox;
    expect(mailbox({ PORT: "8080" })).toEqual({ port: 8081, url: "http://127.0.0.1:8081/" });
    expect(mailbox({ PORT: "8080", DEV_MAILBOX_PORT: "9000" })).toEqual({
      port: 9000,
      url: "http://127.0.0.1:9000/",
    });
    expect(() => mailbox({ PORT: "8080", DEV_MAILBOX_PORT: "8080" })).toThrowError(
      /DEV_MAILBOX_PORT: must differ from PORT/,
    );
    expect(() => mailbox({ PORT: "65535" })).toThrowError(/DEV_MAILBOX_PORT/);
    // Off, it needs no port: nothing to refuse.
    expect(mailbox({ PORT: "65535", DEV_MAILBOX: "0" })).toBeNull();
  });

  it("schedules backups with BACKUP_DIR, every BACKUP_EVERY, keeping BACKUP_KEEP", () => {
    const config = loadConfig({
      DATABASE_URL: tempDb(),
      BACKUP_DIR: "backups",
      BACKUP_EVERY: "6h",
      BACKUP_KEEP: "3",
    });
    expect(config.backups).toEqual({ dir: path.resolve("backups"), everyMs: 6 * 3_600_000, keep: 3 });
    expect(loadConfig({ DATABASE_URL: tempDb(), BACKUP_DIR: "b" }).backups).toMatchObject({
      everyMs: 86_400_000,
      keep: 7,
    });
  });

  it.each([
    [{ PORT: "eighty" }, "PORT"],
    [{ PORT: "70000" }, "PORT"],
    [{ APP_URL: "localhost:3000" }, "APP_URL"],
    [{ APP_URL: "ftp://files.example" }, "APP_URL"],
    [{ SMTP_URL: "mail.example:25" }, "SMTP_URL"],
    [{ SESSION_SECRET: "short" }, "SESSION_SECRET"],
    [{ IP_HASH_KEY: "short" }, "IP_HASH_KEY"],
    [{ ALLOWED_EMAIL_DOMAINS: "corp.example,not a domain" }, "ALLOWED_EMAIL_DOMAINS"],
    [{ ADMIN_EMAILS: "boss@corp.example,nobody" }, "ADMIN_EMAILS"],
    [{ SESSION_MAX_DAYS: "0" }, "SESSION_MAX_DAYS"],
    [{ SESSION_MAX_DAYS: "1.5" }, "SESSION_MAX_DAYS"],
    [{ SESSION_MAX_DAYS: "forever" }, "SESSION_MAX_DAYS"],
    [{ SESSION_MAX_DAYS: "366" }, "SESSION_MAX_DAYS"],
    [{ WEB_CONCURRENCY: "0" }, "WEB_CONCURRENCY"],
    [{ WEB_CONCURRENCY: "all" }, "WEB_CONCURRENCY"],
    [{ WEB_CONCURRENCY: "2.5" }, "WEB_CONCURRENCY"],
    [{ WEB_CONCURRENCY: "1000" }, "WEB_CONCURRENCY"],
    [{ TRUST_PROXY: "proxy.corp.example" }, "TRUST_PROXY"],
    [{ TRUST_PROXY: "10.0.0.0/99" }, "TRUST_PROXY"],
    [{ DEV_MAILBOX: "off" }, "DEV_MAILBOX"],
    [{ DEV_MAILBOX_PORT: "mail" }, "DEV_MAILBOX_PORT"],
    [{ DEV_MAILBOX_PORT: "70000" }, "DEV_MAILBOX_PORT"],
    [{ BACKUP_EVERY: "daily" }, "BACKUP_EVERY"],
    [{ BACKUP_EVERY: "0m" }, "BACKUP_EVERY"],
    [{ BACKUP_KEEP: "0" }, "BACKUP_KEEP"],
    [{ ANONYMOUS_BATCH_MINUTES: "1" }, "ANONYMOUS_BATCH_MINUTES"],
    [{ ANONYMOUS_BATCH_MINUTES: "14" }, "ANONYMOUS_BATCH_MINUTES"],
    [{ ANONYMOUS_BATCH_MINUTES: "25" }, "ANONYMOUS_BATCH_MINUTES"],
    [{ ANONYMOUS_BATCH_MINUTES: "2880" }, "ANONYMOUS_BATCH_MINUTES"],
    [{ ANONYMOUS_BATCH_SIZE: "1" }, "ANONYMOUS_BATCH_SIZE"],
    [{ ANONYMOUS_BATCH_SIZE: "4" }, "ANONYMOUS_BATCH_SIZE"],
    [{ UNDERSIGNED_TEST_CLOCK_FILE: "/tmp/clock", NODE_ENV: "production" }, "UNDERSIGNED_TEST_CLOCK_FILE"],
  ])("rejects %o with a message naming %s", (env, variable) => {
    expect(() => loadConfig({ DATABASE_URL: tempDb(), ...env })).toThrowError(ConfigError);
    try {
      loadConfig({ DATABASE_URL: tempDb(), ...env });
    } catch (error) {
      expect((error as ConfigError).message).toContain(variable);
    }
  });
});
