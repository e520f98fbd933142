import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { checkCounts } from "../../app/domain/petitions/counts.server";
import { enqueueMail } from "../../app/platform/mail/outbox.server";
import { getDb } from "../../db/client";
import { outbox, signatures } from "../../db/schema";
import { type AppServer, startAppServer } from "../support/app-server";
import { httpRequest, loopbackAddress, sessionCookies } from "../support/http-client";
import { makeCompany, openPetition } from "../support/petition-fixtures";
import { startSmtpServer } from "../support/smtp";

/**
 * The database's disk fills up (a 48 MiB tmpfs, filled by a file): signing answers 503 with
 * Retry-After and a page saying nothing was stored; /healthz says so; the log says it once, not per
 * request (two workers); the mail sender backs off instead of failing the message; nothing is
 * half-stored; everything works again once space is freed. Needs root (mount); skipped otherwise.
 */
const mountPoint = mkdtempSync(path.join(tmpdir(), "undersigned-full-disk-"));
const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "size=48m", "tmpfs", mountPoint]).status === 0;

let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let app: AppServer;
beforeAll(async () => {
  if (!mounted) return;
  smtp = await startSmtpServer();
  app = await startAppServer({ SMTP_URL: smtp.url, WEB_CONCURRENCY: "2" }, { under: mountPoint });
  process.env.DATABASE_URL = app.databasePath;
  process.env.APP_URL = app.baseUrl;
  delete process.env.SESSION_SECRET;
});
afterAll(async () => {
  await app?.stop();
  await smtp?.close();
  if (mounted) spawnSync("umount", ["-l", mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
});

/** Writes a file until the file system is full. */
function fill(file: string): void {
  const fd = openSync(file, "w");
  const chunk = Buffer.alloc(256 * 1024, 1);
  try {
    for (;;) {
      try {
        writeSync(fd, chunk);
      } catch {
        // The last bytes, in smaller pieces.
        const small = Buffer.alloc(4096, 1);
        for (;;) {
          try {
            writeSync(fd, small);
          } catch {
            return;
          }
        }
      }
    }
  } finally {
    closeSync(fd);
  }
}

const FULL_LINE = /is full: nothing can be stored/g;

it.skipIf(!mounted)(
  "answers 503 while the disk is full, says so once, fails no email, and recovers",
  async () => {
    const company = makeCompany(12);
    const petition = openPetition(company, "Let staff opt out of logging, on a full disk");
    const signers = company.staff.slice(4, 12);
    const cookies = await sessionCookies(signers.map((s) => s.id));
    // Due a few seconds from now: the sender meets it with the disk full.
    const mailId = enqueueMail(
      getDb(),
      { kind: "sign-in", to: "staff1@corp.example", subject: "Waits for space", text: "x", html: "<p>x</p>" },
      Date.now() + 4_000,
    );
    // An empty WAL, so the next commit must grow it.
    getDb().$client.pragma("wal_checkpoint(TRUNCATE)");
    const filler = path.join(mountPoint, "filler");
    fill(filler);

    const url = `${app.baseUrl}/petitions/${petition.slug}?index`;
    for (const [i, cookie] of cookies.slice(0, 6).entries()) {
      const response = await httpRequest(url, {
        form: { intent: "sign", visibility: "public", noAnonymousSignature: "on" },
        cookie,
        from: loopbackAddress(i),
      });
      expect(response.status).toBe(503);
      expect(response.body).toContain("cannot store anything right now");
      expect(response.body).toContain("Your signature was not recorded.");
    }
    const health = await fetch(`${app.baseUrl}/healthz`);
    expect(health.status).toBe(503);
    expect(health.headers.get("retry-after")).toBe("60");
    expect(await health.json()).toMatchObject({ status: "error", database: "ok", storage: "full" });
    // Pages still read.
    expect((await httpRequest(`${app.baseUrl}/petitions/${petition.slug}`)).status).toBe(200);
    // The sender met the message with the disk full and backed off: still queued, never tried.
    await new Promise((resolve) => setTimeout(resolve, 8_000));
    expect(getDb().select().from(outbox).where(eq(outbox.id, mailId)).get()).toMatchObject({
      status: "queued",
      attempts: 0,
    });
    expect(smtp.received.filter((m) => m.parsed.subject === "Waits for space")).toHaveLength(0);
    // Said once by the primary, for both workers and every request.
    expect(app.output().match(FULL_LINE)).toHaveLength(1);
    expect(app.output()).not.toContain("mail sender:");
    // Nothing half-stored.
    expect(getDb().select().from(signatures).where(eq(signatures.petitionId, petition.id)).all()).toEqual([]);
    expect(checkCounts()).toMatchObject({ ok: true });

    rmSync(filler);
    await app.waitUntil(() => app.output().includes("There is space again"), 30_000);
    await new Promise((resolve) => setTimeout(resolve, 6_000));
    expect((await fetch(`${app.baseUrl}/healthz`)).status).toBe(200);
    const signed = await httpRequest(url, {
      form: { intent: "sign", visibility: "public", noAnonymousSignature: "on" },
      cookie: cookies[6],
      from: loopbackAddress(7),
    });
    expect(signed.status).toBe(302);
    await app.waitUntil(() => smtp.received.some((m) => m.parsed.subject === "Waits for space"), 60_000);
    expect(app.output().match(FULL_LINE)).toHaveLength(1);
    expect(checkCounts()).toMatchObject({ ok: true });
  },
);
