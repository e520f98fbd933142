import { count, sql } from "drizzle-orm";
import { getDb, type Tx } from "../../db/client";
import { auditLog, people, personRoles } from "../../db/schema";
import { CLI_ACTOR, recordAudit } from "../platform/security/audit.server";
import type { Role } from "../vocabulary/roles";
import { seedDemoPetitions } from "./petitions.server";
import { seededRandom } from "./seeded-random";

export class SeedRefusedError extends Error {}

export const DEMO_DOMAIN = "undersigned.test";
export const DEPARTMENTS = [
  "Engineering",
  "Product",
  "Sales",
  "Operations",
  "Legal",
  "People",
  "Research",
] as const;
export const LOCATIONS = ["London", "Berlin", "New York", "Toronto", "Singapore", "Remote"] as const;
const DEPARTMENT_WEIGHTS = [34, 12, 16, 14, 5, 6, 13];
const LOCATION_WEIGHTS = [28, 16, 22, 10, 12, 12];

const FIRST_NAMES =
  "Aisha Alex Amara Ana Andrei Arjun Ben Bianca Carlos Chen Chloe Daniel Deepa Diego Elena Emeka Emma Farah Felix Fatima Gabriel Grace Hana Hugo Ibrahim Ines Isaac Jana Javier Jin Jonas Julia Kai Kofi Laila Lars Leah Liam Lina Lucas Maya Mateo Mei Mia Mohammed Nadia Nina Noah Omar Priya Rafael Rosa Sam Sara Sofia Tariq Tom Uma Yara Yusuf Zoe".split(
    " ",
  );
const LAST_NAMES =
  "Abara Adeyemi Ahmed Andersen Bauer Becker Brown Castro Chen Costa Silva Dubois Eriksen Fischer Garcia Gupta Haddad Hansen Ito Jensen Kaur Kim Kowalski Kumar Larsen Lee Lopez Martin Meyer Mensah Moreau Müller Nakamura Nguyen Novak Okafor Olsen Park Patel Petrov Quinn Rahman Reyes Rossi Sato Schmidt Singh Smith Suzuki Tanaka Torres Umar Vargas Wang Weber Williams Wong Yilmaz Zhang".split(
    " ",
  );

function weighted<T>(items: readonly T[], weights: number[], next: () => number): T {
  const total = weights.reduce((a, b) => a + b, 0);
  let roll = next() * total;
  for (let i = 0; i < items.length; i++) {
    roll -= weights[i] ?? 0;
    if (roll < 0) return items[i] as T;
  }
  return items[items.length - 1] as T;
}

/** Named demo accounts, one or more per role, listed in docs/features.md ("The demo company"). */
export const DEMO_ACCOUNTS: Array<{
  email: string;
  name: string;
  department: string;
  location: string;
  roles: Role[];
}> = [
  {
    email: `admin@${DEMO_DOMAIN}`,
    name: "Ada Admin",
    department: "Operations",
    location: "London",
    roles: ["admin"],
  },
  {
    email: `moderator@${DEMO_DOMAIN}`,
    name: "Morgan Moderator",
    department: "People",
    location: "Berlin",
    roles: ["moderator"],
  },
  {
    email: `leadership@${DEMO_DOMAIN}`,
    name: "Lee Leadership",
    department: "Operations",
    location: "New York",
    roles: ["leadership"],
  },
  {
    email: `organizer@${DEMO_DOMAIN}`,
    name: "Olu Organizer",
    department: "Engineering",
    location: "London",
    roles: ["organizer"],
  },
  { email: `staff@${DEMO_DOMAIN}`, name: "Sam Staff", department: "Research", location: "Remote", roles: [] },
  {
    email: `cto@${DEMO_DOMAIN}`,
    name: "Casey Chief Technology Officer",
    department: "Engineering",
    location: "New York",
    roles: ["leadership"],
  },
  {
    email: `trust@${DEMO_DOMAIN}`,
    name: "Taylor Trust and Safety",
    department: "Legal",
    location: "Toronto",
    roles: ["moderator"],
  },
  {
    email: `union-rep@${DEMO_DOMAIN}`,
    name: "Rin Representative",
    department: "Research",
    location: "Singapore",
    roles: ["organizer"],
  },
];

export const DEMO_STAFF_COUNT = 2_000;

/** Configuration kept by a reset; every other table is data. */
const KEPT_TABLES = new Set(["__drizzle_migrations", "milestone_defaults", "site_settings"]);

/**
 * Empties the data tables in place (the server may hold the file open); configuration (milestone
 * defaults, settings) stays. Append-only triggers are dropped for the wipe and recreated from their
 * own stored SQL; the petitions' FTS index follows through its own triggers.
 */
export function wipeData(tx: Tx): void {
  const triggers = tx.all<{ name: string; sql: string }>(
    sql`select name, sql from sqlite_master where type = 'trigger' and sql like '%append-only%'`,
  );
  for (const trigger of triggers) tx.run(sql.raw(`drop trigger "${trigger.name}"`));
  // Every data table, found rather than listed (a list went stale as tables were added); foreign keys
  // are checked at commit, when all of them are empty, so the order does not matter.
  tx.run(sql`pragma defer_foreign_keys = on`);
  const tables = tx
    .all<{ name: string }>(
      sql`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'petitions_fts%'`,
    )
    .map((t) => t.name)
    .filter((name) => !KEPT_TABLES.has(name));
  for (const table of tables) tx.run(sql.raw(`delete from "${table}"`));
  for (const trigger of triggers) tx.run(sql.raw(trigger.sql));
}

/** Fills an empty database with a believable company; refuses a non-empty one unless reset. */
export async function seedDemoData(options: { reset?: boolean } = {}): Promise<string> {
  const db = getDb();
  const people_ = db.transaction((tx) => {
    const existing =
      (tx.select({ n: count() }).from(people).get()?.n ?? 0) +
      (tx.select({ n: count() }).from(auditLog).get()?.n ?? 0);
    if (existing > 0) {
      if (!options.reset) {
        throw new SeedRefusedError(
          "The database is not empty. Run `npm run seed -- --reset` to wipe it and seed again.",
        );
      }
      wipeData(tx);
    }
    const next = seededRandom(20260401);
    const used = new Set(DEMO_ACCOUNTS.map((a) => a.email));
    const rows: Array<typeof people.$inferInsert> = DEMO_ACCOUNTS.map(
      ({ roles: _roles, ...account }) => account,
    );
    while (rows.length < DEMO_STAFF_COUNT) {
      const first = FIRST_NAMES[Math.floor(next() * FIRST_NAMES.length)] ?? "Alex";
      const last = LAST_NAMES[Math.floor(next() * LAST_NAMES.length)] ?? "Smith";
      const base = `${first}.${last}`
        .toLowerCase()
        .normalize("NFD")
        .replace(/[^a-z.]/g, "");
      let email = `${base}@${DEMO_DOMAIN}`;
      for (let n = 2; used.has(email); n++) email = `${base}${n}@${DEMO_DOMAIN}`;
      used.add(email);
      rows.push({
        email,
        name: `${first} ${last}`,
        department: weighted(DEPARTMENTS, DEPARTMENT_WEIGHTS, next),
        location: weighted(LOCATIONS, LOCATION_WEIGHTS, next),
        // About 2% have left the company: they stay in the directory but cannot sign in.
        active: next() > 0.02,
      });
    }
    for (let i = 0; i < rows.length; i += 500)
      tx.insert(people)
        .values(rows.slice(i, i + 500))
        .run();
    const ids = new Map(
      tx
        .select({ id: people.id, email: people.email })
        .from(people)
        .all()
        .map((p) => [p.email, p.id]),
    );
    for (const account of DEMO_ACCOUNTS) {
      for (const role of account.roles) {
        const personId = ids.get(account.email);
        if (personId) tx.insert(personRoles).values({ personId, role }).run();
      }
    }
    recordAudit(tx, CLI_ACTOR, "seed.demo", undefined, {
      people: rows.length,
      reset: Boolean(options.reset),
    });
    return rows.length;
  });
  // Petitions go through the domain functions (their own transactions), so the ledger verifies.
  const petitionLines = await seedDemoPetitions(new Set(DEMO_ACCOUNTS.map((a) => a.email)));
  return [
    `Seeded ${people_.toLocaleString("en")} people across ${DEPARTMENTS.length} departments and ${LOCATIONS.length} locations.`,
    "Demo accounts (sign in from the dev mailbox):",
    ...DEMO_ACCOUNTS.map((a) => `  ${a.email.padEnd(32)} ${a.roles.length ? a.roles.join(", ") : "staff"}`),
    ...petitionLines,
  ].join("\n");
}
