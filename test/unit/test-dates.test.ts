import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * A test that compares a literal date with now passes until that date and fails from then on (a
 * policy version taking effect on a literal day broke every clean clone on that day). So the tests and
 * their support files hold no literal calendar date after 2000, except on a line marked
 * `fixed clock` — where the code under test is handed that time as its `now` and never reads the
 * real clock — or an impossible date (bad-input lists). Dates meant as future or past come from
 * test/support/dates.ts.
 */
const ROOT = path.resolve("test");
const MARKER = "fixed clock";
const SELF = path.join(ROOT, "unit", "test-dates.test.ts");
const PATTERNS = [
  /\b(?:19|20)\d\d-\d\d-\d\d/g, // ISO dates and date-times
  /Date\.UTC\(\s*\d{4}/g, // Date.UTC(2026, …)
  /new Date\(\s*\d{4}\s*,/g, // new Date(2026, 3, 1)
  /\b\d{1,2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}\b/g, // HTTP dates
];

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(full);
    return /\.(ts|tsx)$/.test(entry.name) ? [full] : [];
  });
}

const year = (literal: string) => Number(/\d{4}/.exec(literal)?.[0]);

/** February 30th, month 13: never equal to any real day, so never compared with one. */
function impossible(literal: string): boolean {
  const match = /^(\d{4})-(\d\d)-(\d\d)/.exec(literal);
  if (!match) return false;
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d;
}

function literalDates(source: string): Array<{ line: number; literal: string }> {
  const lines = source.split("\n");
  const found: Array<{ line: number; literal: string }> = [];
  lines.forEach((text, i) => {
    if (text.includes(MARKER) || lines[i - 1]?.includes(MARKER)) return;
    for (const pattern of PATTERNS) {
      for (const match of text.matchAll(pattern)) {
        const literal = match[0];
        if (year(literal) > 2000 && !impossible(literal)) found.push({ line: i + 1, literal });
      }
    }
  });
  return found;
}

describe("dates in tests", () => {
  it("finds the kinds of literal it is meant to find", () => {
    // The samples are assembled, so this file holds no literal date itself.
    const day = ["2026", "12", "01"].join("-");
    expect(literalDates(`fill("${day}")`)).toEqual([{ line: 1, literal: day }]);
    expect(literalDates("const t = Date.UTC(2026, 3, 1);")).toHaveLength(1);
    expect(literalDates("new Date(2030, 0, 1)")).toHaveLength(1);
    expect(literalDates(`"Tue, 01 Jan 2030 00:00:00 GMT"`)).toHaveLength(1);
    const [old, impossible, nonsense] = [
      ["2000", "01", "01T00:00"],
      ["2026", "02", "30"],
      ["2026", "13", "45"],
    ].map((parts) => parts.join("-"));
    expect(literalDates(`"${old}" and "${impossible}" and "${nonsense}"`)).toEqual([]);
    expect(literalDates(`// fixed clock: the function takes now\nconst t = Date.UTC(2026, 3, 1);`)).toEqual(
      [],
    );
  });

  it("holds no literal date that a test could compare with now", () => {
    const offenders = testFiles(ROOT)
      // This file's own examples are the literals it looks for.
      .filter((file) => file !== SELF)
      .flatMap((file) =>
        literalDates(readFileSync(file, "utf8")).map(
          ({ line, literal }) => `${path.relative(process.cwd(), file)}:${line}: ${literal}`,
        ),
      );
    expect(offenders).toEqual([]);
  });
});
