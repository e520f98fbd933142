import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { runChild } from "./child-process";

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
export default async function setup(project: TestProject) {
  const dir = await seedDemoFolder();
  project.provide("demoDataDir", dir);
  return () => rmSync(dir, { recursive: true, force: true });
}

/**
 * A new data folder holding the seeded demo company. Seeded with no server running on it: a server's
 * minute job closes petitions whose closing time has passed, and the demo's history is in the past,
 * so seeding under a running server raced it ("This petition is not open for signatures").
 */
export async function seedDemoFolder(): Promise<string> {
  const dir = mkdtempSync(path.join(tmpdir(), "undersigned-demo-"));
  const result = await runChild(["--import", "tsx", "app/demo/seed-command.ts"], {
    ...process.env,
    DATABASE_URL: path.join(dir, "app.db"),
    SMTP_URL: "",
  });
  if (result.status !== 0) throw new Error(`seeding the demo company failed:\n${result.output}`);
  return dir;
}
