/**
 * What every benchmark starts from: a fresh SQLite file in a temp folder, `people` staff imported
 * through the directory import, a moderator, and a way to open petitions through the state machine.
 * Import this before anything that opens the database.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const dir = mkdtempSync(path.join(tmpdir(), "undersigned-bench-"));
process.env.DATABASE_URL = path.join(dir, "bench.db");
// Even when a benchmark fails half-way, its database (up to a few GB) does not stay behind.
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

const { getDb, closeDb } = await import("../db/client");
const { people } = await import("../db/schema");
const { CLI_ACTOR } = await import("../app/platform/security/audit.server");
const { importDirectory } = await import("../app/domain/people/directory-import.server");
const { grantRole, rolesOf } = await import("../app/domain/identity/permissions.server");
const { createPetition } = await import("../app/domain/petitions/drafting.server");
const { transitionPetition } = await import("../app/domain/petitions/lifecycle.server");

export function benchCompany(count: number) {
  const rows = ["email,name,department,location"];
  for (let i = 0; i < count + 5; i++) rows.push(`p${i}@bench.example,Person ${i},Engineering,London`);
  importDirectory(`${rows.join("\n")}\n`, CLI_ACTOR);
  const users = getDb()
    .select()
    .from(people)
    .all()
    .map((p) => ({ ...p, roles: rolesOf(p.id) }));
  const [creator, mod, ...rest] = users;
  if (!creator || !mod) throw new Error("no people");
  grantRole(mod.id, "moderator", CLI_ACTOR);
  const moderator = { ...mod, roles: ["moderator" as const] };
  const sponsors = rest.slice(0, 3);

  function openPetition(title: string) {
    const petition = createPetition(
      { title, summary: "A benchmark petition ".repeat(2), body: "Benchmark text. ".repeat(5) },
      creator as (typeof users)[number],
    );
    transitionPetition(petition.id, { action: "submit" }, creator as (typeof users)[number]);
    for (const sponsor of sponsors) transitionPetition(petition.id, { action: "co-sponsor" }, sponsor);
    return transitionPetition(petition.id, { action: "approve" }, moderator);
  }
  return { staff: rest.slice(3), openPetition };
}

export function cleanUp(): void {
  closeDb();
  rmSync(dir, { recursive: true, force: true });
}
