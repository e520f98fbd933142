import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Things the app states once, and where: a second definition drifts from the first. Lengths of time
 * come from platform/time.ts, the platform's addresses from platform/addresses.server.ts.
 */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return /\.(ts|tsx)$/.test(entry.name) ? [full] : [];
  });
}

const where = (pattern: RegExp, allowed: string[], under = ["app/domain", "app/platform", "app/demo"]) =>
  under
    .flatMap((dir) => sources(path.resolve(dir)))
    .map((file) => path.relative(process.cwd(), file))
    .filter((file) => !allowed.includes(file))
    .filter((file) => pattern.test(readFileSync(file, "utf8")));

describe("stated once", () => {
  it("lengths of a day and an hour", () => {
    expect(where(/86_400_000|24 \* 60 \* 60_000|3_600_000|60 \* 60_000\b/, ["app/platform/time.ts"])).toEqual(
      [],
    );
    expect(where(/const (DAY_MS|HOUR_MS)\b/, ["app/platform/time.ts"], ["app"])).toEqual([]);
  });

  it("the platform's absolute addresses and the petition address", () => {
    expect(where(/appUrl\}\/|`\/petitions\/\$\{/, ["app/platform/site/addresses.server.ts"])).toEqual([]);
  });
});
