import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll } from "vitest";

/**
 * Each test file gets its own real SQLite file (and session secret) in a fresh temp folder; the
 * app's lazy config and connection pick it up on first use.
 */
const dir = mkdtempSync(path.join(tmpdir(), "undersigned-test-"));
process.env.DATABASE_URL = path.join(dir, "test.db");
process.env.APP_URL = "http://undersigned.test:3000";
delete process.env.SMTP_URL;
delete process.env.SESSION_SECRET;
process.env.ALLOWED_EMAIL_DOMAINS ??= "partner.example";
process.env.ADMIN_EMAILS ??= "boss@bootstrap.example";

afterAll(async () => {
  const { closeDb } = await import("../../db/client");
  closeDb();
  rmSync(dir, { recursive: true, force: true });
});
