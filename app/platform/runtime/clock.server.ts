import { readFileSync, statSync } from "node:fs";
import { getConfig } from "../../config.server";

/**
 * The time the scheduler's batch and forgetting jobs and the anonymous routes go by: the wall clock,
 * plus, in a test's child server only, the offset (milliseconds) written in UNDERSIGNED_TEST_CLOCK_FILE
 * (refused under NODE_ENV=production, config.server.ts). A test moves the server to its next batch
 * boundary with test/support's `advanceServerClock` instead of batch settings below their floors.
 * The file is read again only when its modification time changes (one stat a call, in tests only).
 */

const cache = { file: "", mtimeMs: Number.NaN, offset: 0 };

/** The test clock's offset in milliseconds: 0 without UNDERSIGNED_TEST_CLOCK_FILE (always in production). */
export function clockOffset(): number {
  const file = getConfig().testClockFile;
  if (!file) return 0;
  try {
    const { mtimeMs } = statSync(file);
    if (file !== cache.file || mtimeMs !== cache.mtimeMs) {
      const offset = Number(readFileSync(file, "utf8").trim() || "0");
      cache.file = file;
      cache.mtimeMs = mtimeMs;
      cache.offset = Number.isFinite(offset) ? offset : 0;
    }
  } catch {
    // No file yet: no offset.
    return 0;
  }
  return cache.offset;
}

/** Now, as the batch and forgetting jobs and the anonymous routes see it. */
export const serverNow = (): number => Date.now() + clockOffset();
