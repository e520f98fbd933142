/**
 * `npm run cli -- <command>`: administration from the shell, through the same domain modules the
 * pages use (so the same rules and the same audit log apply).
 */
import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { closeDb, getDb } from "../db/client";
import { getConfig } from "./config.server";
import { BackupFailed, backupDatabase, scheduledBackupName } from "./domain/backups/backup.server";
import { describeBytes, describeSummary, UnusableDatabase } from "./domain/backups/inspect.server";
import { DatabaseInUse, restoreDatabase } from "./domain/backups/restore.server";
import { grantRole, revokeRole } from "./domain/identity/permissions.server";
import { findPersonByEmail } from "./domain/people/directory.server";
import {
  importDirectory,
  MalformedDirectoryError,
  summarizeImport,
} from "./domain/people/directory-import.server";
import { checkCounts } from "./domain/petitions/counts.server";
import { verifyLedger } from "./domain/petitions/ledger.server";
import { allPetitionIds, findPetition } from "./domain/petitions/reads.server";
import { CLI_ACTOR } from "./platform/audit.server";
import { normalizeEmail } from "./platform/email-address";
import { isRole, ROLES } from "./vocabulary/roles";

const USAGE = `Usage: npm run cli -- <command>

  import-staff FILE.csv [--deactivate-missing]   upsert the staff directory from CSV
  grant-role EMAIL ROLE                          give a role (${ROLES.join(", ")})
  revoke-role EMAIL ROLE                         take a role away
  check-counts                                   stored counts vs signatures vs ledger; exit 1 on a mismatch
  verify-ledger [PETITION]                       recompute the hash chains; exit 1 on a break
  backup [FILE]                                  a checked copy of the live database (default: BACKUP_DIR,
                                                 or backups/ beside the database); the server may be running
  restore FILE                                   replace the database with a backup (the server must be
                                                 stopped); the replaced one is kept beside it`;

class UsageError extends Error {}

function personIdFor(email: string): number {
  const person = findPersonByEmail(getDb(), email);
  if (!person) throw new UsageError(`No person with the email ${normalizeEmail(email)} is in the directory.`);
  return person.id;
}

function roleArg(value: string | undefined) {
  if (!value || !isRole(value)) throw new UsageError(`ROLE must be one of: ${ROLES.join(", ")}.`);
  return value;
}

function run(args: string[]): void {
  const [command, ...rest] = args;
  const flags = new Set(rest.filter((a) => a.startsWith("--")));
  const positional = rest.filter((a) => !a.startsWith("--"));
  switch (command) {
    case "import-staff": {
      const file = positional[0];
      if (!file) throw new UsageError("import-staff needs a CSV file.");
      const report = importDirectory(readFileSync(file, "utf8"), CLI_ACTOR, {
        deactivateMissing: flags.has("--deactivate-missing"),
      });
      console.log(summarizeImport(report));
      return;
    }
    case "grant-role":
    case "revoke-role": {
      const [email, role] = positional;
      if (!email) throw new UsageError(`${command} needs EMAIL and ROLE.`);
      const personId = personIdFor(email);
      const validRole = roleArg(role);
      const changed =
        command === "grant-role"
          ? grantRole(personId, validRole, CLI_ACTOR)
          : revokeRole(personId, validRole, CLI_ACTOR);
      console.log(
        changed
          ? `${command === "grant-role" ? "Granted" : "Revoked"} ${validRole} ${command === "grant-role" ? "to" : "from"} ${normalizeEmail(email)}.`
          : `Nothing to do: ${normalizeEmail(email)} ${command === "grant-role" ? "already has" : "does not have"} ${validRole}.`,
      );
      return;
    }
    case "check-counts": {
      const result = checkCounts();
      for (const m of result.mismatches) {
        console.error(
          `MISMATCH ${m.slug} (#${m.petitionId}): stored ${m.stored}, signatures ${m.signatures}${m.ledger.length ? `; ledger: ${m.ledger.join("; ")}` : ""}`,
        );
      }
      console.log(`${result.checked} petitions checked, ${result.mismatches.length} mismatches.`);
      if (!result.ok) process.exitCode = 1;
      return;
    }
    case "verify-ledger": {
      const target = positional[0];
      const ids = target ? [findPetition(target)?.id ?? Number.NaN] : allPetitionIds();
      if (ids.some(Number.isNaN)) throw new UsageError(`No petition "${target}".`);
      let broken = 0;
      for (const id of ids) {
        const check = verifyLedger(id);
        if (!check.ok) broken++;
        console.log(
          `${check.ok ? "ok    " : "BROKEN"} petition ${id}: ${check.length} entries, ${check.count} standing${check.ok ? "" : `\n  ${check.problems.join("\n  ")}`}`,
        );
      }
      if (broken) process.exitCode = 1;
      return;
    }
    case "backup": {
      const config = getConfig();
      let file = positional[0];
      if (!file) {
        const folder = config.backups?.dir ?? path.join(config.dataDir, "backups");
        mkdirSync(folder, { recursive: true, mode: 0o700 });
        file = path.join(folder, scheduledBackupName(Date.now()));
      }
      const report = backupDatabase(file);
      console.log(
        `Backup written to ${report.file}: ${describeBytes(report.bytes)} in ${(report.ms / 1000).toFixed(1)} s. Checked: integrity ok, every ledger verifies, every count matches, every ledger entry the database had when it began is in it. It holds ${describeSummary(report.summary)}.`,
      );
      return;
    }
    case "restore": {
      const file = positional[0];
      if (!file) throw new UsageError("restore needs the backup FILE.");
      const config = getConfig();
      const report = restoreDatabase(file, config.databasePath);
      console.log(
        `Restored ${report.from} to ${report.databasePath}: ${describeSummary(report.summary)} (${describeBytes(report.summary.bytes)}). Every ledger verifies and every count matches.`,
      );
      for (const line of report.steps) console.log(line);
      console.log(
        report.keptAside
          ? `The database it replaced was kept at ${report.keptAside}; delete it when you no longer need it.`
          : "There was no database to replace.",
      );
      return;
    }
    default:
      throw new UsageError(command ? `Unknown command "${command}".` : "No command given.");
  }
}

try {
  run(process.argv.slice(2));
  closeDb();
} catch (error) {
  closeDb();
  if (error instanceof UsageError) {
    console.error(`${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (
    error instanceof MalformedDirectoryError ||
    error instanceof BackupFailed ||
    error instanceof UnusableDatabase ||
    error instanceof DatabaseInUse
  ) {
    if (error instanceof UnusableDatabase) console.error(`${error.message} Nothing was replaced.`);
    else console.error(error.message);
    process.exit(1);
  }
  if (error instanceof Error && error.name === "StartupError") {
    console.error(error.message);
    process.exit(1);
  }
  if (error instanceof Error && error.name === "ConfigError") {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
