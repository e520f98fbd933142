/**
 * `npm run bench`: every benchmark package.json names (each `bench:*` script), one after another, so
 * the full run never drifts from the list. A failing benchmark is reported and the rest still run;
 * the run exits non-zero if any failed.
 *
 *   npm run bench                 every benchmark
 *   npm run bench -- page http    only bench:page and bench:http
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";

const scripts: Record<string, string> = JSON.parse(
  readFileSync(path.join(import.meta.dirname, "..", "package.json"), "utf8"),
).scripts;
const all = Object.keys(scripts)
  .filter((name) => name.startsWith("bench:"))
  .map((name) => name.slice("bench:".length));
const asked = process.argv.slice(2);
const unknown = asked.filter((name) => !all.includes(name));
if (unknown.length > 0) {
  console.error(`No such benchmark: ${unknown.join(", ")}. There are: ${all.join(", ")}.`);
  process.exit(2);
}
const chosen = asked.length > 0 ? asked : all;

const failed: string[] = [];
for (const name of chosen) {
  console.log(`\n=== bench:${name}`);
  const run = spawnSync("npm", ["run", "--silent", `bench:${name}`], { stdio: "inherit" });
  if (run.status !== 0) failed.push(name);
}
if (failed.length > 0) {
  console.error(`\nFailed: ${failed.join(", ")}`);
  process.exit(1);
}
console.log(`\nRan ${chosen.length} benchmarks: ${chosen.join(", ")}.`);
