import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { en } from "../../../app/i18n/catalogs/en";

/**
 * Every message in the catalogs is said somewhere: a message nobody uses still costs each translator
 * a sentence, and a copy left behind when wording moves drifts from the one people read. A key is used
 * when the code names it in quotes, or builds it from a code under a prefix of two parts or more
 * (`admin.audit.action.${action}`, `petition.state.${state}`).
 */
const APP = path.resolve(__dirname, "../../../app");
const CATALOGS = path.join(APP, "i18n", "catalogs");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (file === CATALOGS) return [];
    if (statSync(file).isDirectory()) return sourceFiles(file);
    return /\.tsx?$/.test(name) ? [file] : [];
  });
}

const source = sourceFiles(APP)
  .map((file) => readFileSync(file, "utf8"))
  .join("\n");
const quoted = new Set(
  [...source.matchAll(/["'`]([a-z][\w-]*(?:\.[\w-]+)+)["'`]/g)].flatMap((m) => (m[1] ? [m[1]] : [])),
);
const builtUnder = [...source.matchAll(/`([a-z][\w-]*(?:\.[\w-]+)+\.)\$\{/g)].flatMap((m) =>
  m[1] ? [m[1]] : [],
);

describe("the catalogs", () => {
  it("hold no message the product never says", () => {
    const unused = Object.keys(en).filter(
      (key) => !quoted.has(key) && !builtUnder.some((prefix) => key.startsWith(prefix)),
    );
    expect(unused).toEqual([]);
  });

  it("find the keys the code builds from codes (the check above is not empty-handed)", () => {
    expect(builtUnder).toContain("admin.audit.action.");
    expect(quoted.has("common.pageTitle")).toBe(true);
  });
});
