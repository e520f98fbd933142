import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { DAY_MS } from "../../app/platform/time";
import { openDatabase } from "../../db/client";
import { startAppServer } from "../support/app-server";

/**
 * What stops the server at start, in one line (the path, the cause, what to do), exit 1, nothing
 * touched: a database file that is not SQLite, a read-only data folder, a database from a newer
 * version, another server on the same database, a bad WEB_CONCURRENCY or TRUST_PROXY.
 */
const work = mkdtempSync(path.join(tmpdir(), "undersigned-startup-"));
const mounts: string[] = [];
afterAll(() => {
  for (const m of mounts) spawnSync("umount", ["-l", m]);
  rmSync(work, { recursive: true, force: true });
});

/** Starts `npm start`'s script; `until` (a pattern in its output) stops it once seen. */
function start(env: Record<string, string | undefined>, until?: RegExp) {
  return new Promise<{ code: number | null; out: string }>((resolve) => {
    const childEnv: NodeJS.ProcessEnv = {
      ...process.env,
      NODE_ENV: "production",
      PORT: "39123",
      WEB_CONCURRENCY: "1",
      ...env,
    };
    for (const [key, value] of Object.entries(childEnv)) if (value === undefined) delete childEnv[key];
    const child = spawn(process.execPath, ["--import", "tsx", "app/server/start.ts"], { env: childEnv });
    let out = "";
    child.stdout.on("data", (c) => {
      out += c;
      if (until?.test(out)) child.kill("SIGTERM");
    });
    child.stderr.on("data", (c) => {
      out += c;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, out: out.trim() });
    });
  });
}

const hashOf = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");

/** One line, no stack trace. */
function expectOneLine(out: string, pattern: RegExp) {
  const lines = out.split("\n").filter((l) => !/^(Building|Built in|\s*$)/.test(l));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(out).not.toMatch(/\n\s+at /);
}

describe("the server refuses to start, in one line, touching nothing", () => {
  it("on a database file that is not SQLite", async () => {
    const file = path.join(work, "notes.db");
    writeFileSync(file, "These are my notes, not a database.\n".repeat(20));
    const before = hashOf(file);
    const result = await start({ DATABASE_URL: file });
    expect(result.code).toBe(1);
    expectOneLine(result.out, new RegExp(`${file} is not a SQLite database.*left untouched.*restore`));
    expect(hashOf(file)).toBe(before);
  });

  it("on a database from a newer version", async () => {
    const file = path.join(work, "newer.db");
    openDatabase(file).$client.close();
    const db = new Database(file);
    db.prepare("insert into __drizzle_migrations (hash, created_at) values ('newer', ?)").run(
      Date.now() + 365 * DAY_MS,
    );
    db.close();
    const before = hashOf(file);
    const result = await start({ DATABASE_URL: file });
    expect(result.code).toBe(1);
    expectOneLine(result.out, /written by a newer version of Undersigned/);
    expect(hashOf(file)).toBe(before);
  });

  it("on a read-only data folder, with a database in it or not", async () => {
    const folder = path.join(work, "read-only");
    mkdirSync(folder);
    const prepared = path.join(work, "prepared.db");
    openDatabase(prepared).$client.close();
    // As root, only a read-only mount is read-only.
    if (spawnSync("mount", ["-t", "tmpfs", "-o", "size=8m", "tmpfs", folder]).status !== 0) return;
    mounts.push(folder);
    copyFileSync(prepared, path.join(folder, "app.db"));
    writeFileSync(path.join(folder, "session-secret"), `${"s".repeat(43)}\n`);
    expect(spawnSync("mount", ["-o", "remount,ro", folder]).status).toBe(0);
    const file = path.join(folder, "app.db");
    const before = hashOf(file);
    const withDatabase = await start({ DATABASE_URL: file });
    expect(withDatabase.code).toBe(1);
    expectOneLine(
      withDatabase.out,
      new RegExp(`${folder}.*(read-only|EROFS|cannot be created or written).*DATABASE_URL`),
    );
    expect(hashOf(file)).toBe(before);

    const fresh = await start({ DATABASE_URL: path.join(folder, "sub", "new.db") });
    expect(fresh.code).toBe(1);
    expectOneLine(fresh.out, /(read-only file system|EROFS).*DATABASE_URL/);
  });

  it("on a database another server is using, under its own name or through a symlink to it or to its folder", async () => {
    const app = await startAppServer();
    try {
      // A second server through a symlink took a lock of its own and reported success.
      const links = mkdtempSync(path.join(work, "links-"));
      const fileLink = path.join(links, "alias.db");
      symlinkSync(app.databasePath, fileLink);
      const folderLink = path.join(links, "folder");
      symlinkSync(path.dirname(app.databasePath), folderLink);
      for (const name of [
        app.databasePath,
        fileLink,
        path.join(folderLink, path.basename(app.databasePath)),
      ]) {
        const result = await start({ DATABASE_URL: name });
        expect(result.code).toBe(1);
        expectOneLine(result.out, /Another Undersigned server \(or a restore\) is using .*: stop it first/);
      }
      expect((await fetch(`${app.baseUrl}/healthz`)).status).toBe(200);
    } finally {
      await app.stop();
    }
  });

  it("on a bad WEB_CONCURRENCY or TRUST_PROXY, naming it", async () => {
    for (const value of ["0", "two", "-1", "1.5"]) {
      const result = await start({ DATABASE_URL: path.join(work, "x.db"), WEB_CONCURRENCY: value });
      expect(result.code).toBe(1);
      expect(result.out).toMatch(/Invalid configuration:\n {2}- WEB_CONCURRENCY: /);
    }
    const proxy = await start({ DATABASE_URL: path.join(work, "x.db"), TRUST_PROXY: "my-proxy.corp" });
    expect(proxy.code).toBe(1);
    expect(proxy.out).toMatch(/TRUST_PROXY: must be true, false, a number of hops/);
  });
});

describe("npm start", () => {
  it("builds a fresh clone quietly: what it does in two lines, not Vite's asset table", () => {
    // A copy of the sources without a build (node_modules shared): what a newcomer's first start prints.
    const clone = path.join(work, "fresh-clone");
    mkdirSync(clone);
    for (const entry of ["app", "db", "migrations", "patches"]) {
      cpSync(entry, path.join(clone, entry), { recursive: true });
    }
    for (const file of [
      "remix.config.js",
      "vite.config.ts",
      "package.json",
      "package-lock.json",
      "tsconfig.json",
    ]) {
      copyFileSync(file, path.join(clone, file));
    }
    symlinkSync(path.resolve("node_modules"), path.join(clone, "node_modules"));
    const build = spawnSync(process.execPath, ["--import", "tsx", "app/server/start.ts", "--build-only"], {
      cwd: clone,
      encoding: "utf8",
      env: { ...process.env, NODE_ENV: "production" },
    });
    expect(build.status).toBe(0);
    const lines = `${build.stdout}${build.stderr}`.trim().split("\n");
    expect(lines).toEqual([
      "Building Undersigned (the build is missing or stale)…",
      expect.stringMatching(/^Built in \d+ s: \d+ assets, \d+ KiB \(\d+ KiB with brotli\)\.$/),
    ]);
  });

  it("renders with React's production build unless NODE_ENV says otherwise, and warns when it does", async () => {
    // Without a NODE_ENV, npm start is production: no warning (it rendered with React's development
    // build before start.ts defaulted it).
    const unset = await start(
      { DATABASE_URL: path.join(work, "mode.db"), NODE_ENV: undefined },
      /is listening on/,
    );
    expect(unset.out).toContain("Undersigned is listening on");
    expect(unset.out).not.toContain("NODE_ENV=");
    const development = await start(
      { DATABASE_URL: path.join(work, "mode.db"), NODE_ENV: "development" },
      /is listening on/,
    );
    expect(development.out).toMatch(
      /WARNING: NODE_ENV=development: pages are rendered by React's development build/,
    );
  });
});
