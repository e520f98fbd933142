import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { precompressAssets } from "./precompress";

/** Everything the production build is made from; a change to any of it makes the build stale. */
const SOURCES = ["app", "db", "remix.config.js", "vite.config.ts", "package-lock.json"];
const STAMP = path.join("build", ".source-hash");
const SERVER_BUILD = path.join("build", "server", "index.js");

function listFiles(entry: string): string[] {
  if (!existsSync(entry)) return [];
  if (!statSync(entry).isDirectory()) return [entry];
  return readdirSync(entry)
    .sort()
    .flatMap((name) => listFiles(path.join(entry, name)));
}

/** A content hash (not mtimes: a fresh clone gives every file the same mtime). */
export function sourceHash(root = process.cwd()): string {
  const hash = createHash("sha256");
  for (const file of SOURCES.flatMap((s) => listFiles(path.join(root, s)))) {
    hash.update(path.relative(root, file));
    hash.update("\0");
    hash.update(readFileSync(file));
    hash.update("\0");
  }
  return hash.digest("hex");
}

export function buildIsFresh(root = process.cwd()): boolean {
  const stamp = path.join(root, STAMP);
  return (
    existsSync(path.join(root, SERVER_BUILD)) &&
    existsSync(stamp) &&
    readFileSync(stamp, "utf8").trim() === sourceHash(root)
  );
}

/** Runs `remix vite:build` when the build is missing or older than its sources. */
export function ensureFreshBuild(root = process.cwd()): void {
  if (buildIsFresh(root)) return;
  console.log("Building Undersigned (the build is missing or stale)…");
  const started = performance.now();
  const hash = sourceHash(root);
  // Vite's own output (an asset table, a line per empty chunk, a warning about a future flag of
  // React Router) says nothing a person starting the server can act on: shown only when the build fails.
  const result = spawnSync(
    process.execPath,
    [path.join(root, "node_modules/@remix-run/dev/dist/cli.js"), "vite:build"],
    {
      cwd: root,
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, NODE_ENV: "production" },
    },
  );
  if (result.status !== 0) {
    process.stdout.write(result.stdout ?? "");
    process.stderr.write(result.stderr ?? "");
    throw new Error("The build failed; see the output above.");
  }
  const assets = precompressAssets(path.join(root, "build", "client", "assets"));
  console.log(
    `Built in ${Math.round((performance.now() - started) / 1000)} s: ${assets.files} assets, ${Math.round(assets.bytes / 1024)} KiB (${Math.round(assets.brotliBytes / 1024)} KiB with brotli).`,
  );
  writeFileSync(path.join(root, STAMP), `${hash}\n`);
}
