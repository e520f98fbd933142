/**
 * A built checkout of another commit, for BENCH_BEFORE: `npx tsx bench/checkout.ts REV` prints its
 * folder (in the temp folder; this checkout's node_modules linked in, the build made on first start).
 */
import { execSync } from "node:child_process";
import { existsSync, mkdirSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const rev = process.argv[2];
if (!rev) throw new Error("usage: tsx bench/checkout.ts REV");
const hash = execSync(`git rev-parse --short ${rev}`, { encoding: "utf8" }).trim();
const dir = path.join(tmpdir(), `undersigned-at-${hash}`);
if (!existsSync(dir)) {
  mkdirSync(dir);
  execSync(`git archive ${hash} | tar -x -C ${dir}`);
  symlinkSync(path.resolve("node_modules"), path.join(dir, "node_modules"));
}
console.log(dir);
