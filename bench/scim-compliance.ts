/**
 * Runs python-scim's `scim2-tester` compliance checker (RFC 7643/7644) against the production server.
 *
 *   npm run scim-compliance -- --tester DIR --models DIR --client DIR [--python PATH] [--verbose]
 *
 * DIR are checkouts of github.com/python-scim/scim2-tester, scim2-models and scim2-client (nothing of
 * theirs is committed here, and this script downloads nothing). PATH is a Python 3.10+ with pydantic
 * 2.12 or later and httpx (default: SCIM_PYTHON, else `python3`); docs/identity.md says how to make one.
 *
 * It starts the built app (`npm start`, through test/support/app-server.ts) on a temporary database,
 * makes a SCIM token with the CLI, runs every check of the checker against APP_URL/scim/v2, prints
 * each result, and a tally. The checks declared not applicable below (the server normalises what it
 * stores, as RFC 7644 §3.3 allows; docs/identity.md gives each reason) are counted apart. Exits 1 if
 * any other check does not pass.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { ensureFreshBuild } from "../app/server/build-freshness";
import { startAppServer } from "../test/support/app-server";

/**
 * Checks that fail only because the server stores what it is sent in its own form (RFC 7644 §3.3),
 * by check and attribute (the name the checker's reason quotes first). docs/identity.md says the same.
 */
const REBUILT_NAME =
  "the directory keeps one name: `formatted` comes back rebuilt from givenName and familyName";
const ONE_EMAIL =
  "one work email is kept, lower-cased and always the primary one (a sent primary: false comes back true)";
const NOT_APPLICABLE: Record<string, string> = {
  "check_add_attribute:name": REBUILT_NAME,
  "check_replace_attribute:name": REBUILT_NAME,
  "check_add_attribute:emails": ONE_EMAIL,
  "check_replace_attribute:emails": ONE_EMAIL,
};

const { values } = parseArgs({
  options: {
    tester: { type: "string" },
    models: { type: "string" },
    client: { type: "string" },
    python: { type: "string" },
    verbose: { type: "boolean", default: false },
  },
});

function checkout(option: "tester" | "models" | "client", pkg: string): string {
  const dir = values[option];
  if (!dir || !existsSync(path.join(dir, pkg))) {
    console.error(
      `--${option} must name a checkout of python-scim's ${pkg.replaceAll("_", "-")} (a folder holding ${pkg}/).`,
    );
    process.exit(2);
  }
  return path.resolve(dir);
}

const pythonPath = [
  checkout("tester", "scim2_tester"),
  checkout("models", "scim2_models"),
  checkout("client", "scim2_client"),
].join(path.delimiter);
const python = values.python ?? process.env.SCIM_PYTHON ?? "python3";
const pythonEnv = { ...process.env, PYTHONPATH: pythonPath };

const ready = spawnSync(
  python,
  ["-c", "import pydantic, httpx, scim2_tester; assert int(pydantic.VERSION.split('.')[0]) >= 2"],
  { env: pythonEnv, encoding: "utf8" },
);
if (ready.status !== 0) {
  console.error(
    `${python} cannot run the checker (it needs pydantic 2.12+ and httpx; see docs/identity.md):\n${ready.stderr}`,
  );
  process.exit(2);
}

/** Runs the checker and prints one JSON line per result: status, title, resource type, reason. */
const RUNNER = `
import json, sys
from httpx import Client
from scim2_client.engines.httpx import SyncSCIMClient
from scim2_tester.checker import check_server
url, token = sys.argv[1], sys.argv[2]
scim = SyncSCIMClient(Client(base_url=url, headers={"Authorization": "Bearer " + token}))
scim.discover()
for result in check_server(scim):
    print(json.dumps({"status": result.status.name, "title": result.title,
                      "resourceType": result.resource_type, "reason": result.reason}))
`;

const PASSING = new Set(["SUCCESS", "COMPLIANT", "ACCEPTABLE"]);
type Result = { status: string; title: string; resourceType: string | null; reason: string | null };

// Built first: a build at the server's start takes longer than the start is given.
ensureFreshBuild();
const app = await startAppServer({ SMTP_URL: "" });
try {
  const printed = await app.cli("create-scim-token", "scim2-tester");
  const token = /\b(scim_\S+)/.exec(printed)?.[1];
  if (!token) throw new Error(`no token in:\n${printed}`);
  const run = spawnSync(python, ["-c", RUNNER, `${app.baseUrl}/scim/v2`, token], {
    env: pythonEnv,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`the checker failed to run:\n${run.stderr}`);
  const results = run.stdout
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Result);
  const tally = { passed: 0, notApplicable: 0, skipped: 0, failed: 0 };
  for (const result of results) {
    const name = result.resourceType ? `${result.title} [${result.resourceType}]` : result.title;
    const attribute = /'([^']+)'/.exec(result.reason ?? "")?.[1];
    const excuse = NOT_APPLICABLE[`${result.title}:${attribute}`];
    const verdict = PASSING.has(result.status)
      ? "passed"
      : result.status === "SKIPPED"
        ? "skipped"
        : excuse
          ? "notApplicable"
          : "failed";
    tally[verdict]++;
    const label = { passed: "PASS", skipped: "SKIP", notApplicable: "N/A ", failed: "FAIL" }[verdict];
    console.log(`${label} ${result.status.padEnd(10)} ${name}`);
    if (verdict === "notApplicable") console.log(`     not applicable: ${excuse}`);
    if (result.reason && (verdict === "failed" || values.verbose)) console.log(`     ${result.reason}`);
  }
  console.log(
    `\nscim2-tester: ${tally.passed} passed, ${tally.failed} failed, ${tally.notApplicable} not applicable, ${tally.skipped} skipped (of ${results.length} checks)`,
  );
  process.exitCode = tally.failed ? 1 : 0;
} finally {
  await app.stop();
}
