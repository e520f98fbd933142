import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** A data folder (database + session secret) holding the seeded demo company. */
    demoDataDir: string;
  }
}

/**
 * Seeds the demo company once per run (it takes half a minute); each browser test file's server
 * starts on its own copy (see demoApp), so files stay independent.
 */
export default function setup(project: TestProject) {
  const dir = mkdtempSync(path.join(tmpdir(), "undersigned-demo-"));
  const result = spawnSync(process.execPath, ["--import", "tsx", "app/demo/seed-command.ts"], {
    env: { ...process.env, DATABASE_URL: path.join(dir, "app.db"), SMTP_URL: "" },
    encoding: "utf8",
  });
  if (result.status !== 0)
    throw new Error(`seeding the demo company failed:\n${result.stdout}\n${result.stderr}`);
  project.provide("demoDataDir", dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
