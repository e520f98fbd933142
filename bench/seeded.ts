/**
 * The seeded demo company (`npm run seed`) served by the production server, for the benchmarks that
 * look at the pages a visitor sees (Lighthouse, compression).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startAppServer } from "../test/support/app-server";

export const DEMO_PAGES: Array<[string, string]> = [
  ["home", "/"],
  ["petition list", "/petitions"],
  ["MCI petition", "/petitions/let-staff-opt-out-of-keystroke-and-click-logging-for-ai"],
  ["announcements", "/announcements"],
  ["MCI policy", "/policies/model-capability-initiative-data-collection"],
];

export async function startSeededApp(env: Record<string, string> = {}) {
  const dataDir = mkdtempSync(path.join(tmpdir(), "undersigned-seeded-"));
  process.on("exit", () => rmSync(dataDir, { recursive: true, force: true }));
  console.log("Seeding the demo company…");
  const seeded = spawnSync(process.execPath, ["--import", "tsx", "app/demo/seed-command.ts"], {
    env: { ...process.env, DATABASE_URL: path.join(dataDir, "app.db"), SMTP_URL: "" },
    encoding: "utf8",
  });
  if (seeded.status !== 0) throw new Error(`seeding failed:\n${seeded.stdout}\n${seeded.stderr}`);
  return startAppServer(env, { dataFrom: dataDir });
}
