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
import { DatabaseInUse, LogMismatch, restoreDatabase } from "./domain/backups/restore.server";
import { grantRole, RoleChangeError, revokeRole } from "./domain/identity/permissions.server";
import { createScimToken, listScimTokens, revokeScimToken } from "./domain/identity/scim-tokens.server";
import { findPersonByEmail } from "./domain/people/directory.server";
import {
  importDirectory,
  MalformedDirectoryError,
  summarizeImport,
} from "./domain/people/directory-import.server";
import { ANONYMOUS_PAGE_SIZE, listAnonymousSignatures } from "./domain/petitions/anonymous-signing.server";
import {
  checkAnonymousSignatures,
  type PublishedAnonymous,
} from "./domain/petitions/anonymous-verification.server";
import { checkCounts, countByVisibility, publicWithoutToken } from "./domain/petitions/counts.server";
import { legacyAnonymousCount, petitionKeyView } from "./domain/petitions/petition-keys.server";
import { allPetitionIds, findPetition } from "./domain/petitions/reads.server";
import { checkAnonymityAgainstLog } from "./domain/transparency/log-audit";
import { LogUnreadable } from "./domain/transparency/log-sources.server";
import {
  checkPetitionLedger,
  petitionsInLog,
  type VerifiedLog,
  verifiedLog,
} from "./domain/transparency/log-verification.server";
import { normalizeEmail } from "./platform/mail/email-address";
import { CLI_ACTOR } from "./platform/security/audit.server";
import { absoluteUrl } from "./platform/site/addresses.server";
import { isRole, ROLES } from "./vocabulary/roles";

const USAGE = `Usage: npm run cli -- <command>

  import-staff FILE.csv [--deactivate-missing]   upsert the staff directory from CSV
  grant-role EMAIL ROLE                          give a role (${ROLES.join(", ")})
  revoke-role EMAIL ROLE                         take a role away
  check-counts                                   stored counts vs signatures vs ledger; exit 1 on a mismatch
  verify-ledger [PETITION] [--from=URL]          recompute the hash chains and hold them to the public
                                                 log (every logged head in the chain), from this
                                                 database or any server's public API; exit 1 on a break
  verify-anonymous PETITION [--from=URL]         check every anonymous signature against the petition's
                                                 public key, its count and the public log (the key
                                                 logged first, no pre-token rows added, no more tokens
                                                 spent than issued); exit 1 on a problem
                    [--log-key=VKEY]             (both, with --from) the log key you kept: the server's
                                                 log must be signed by it
                    [--max-witness-age=MINUTES]  (both) fail when a required witness has not confirmed
                                                 the log for longer (without it, a note says so)
  create-scim-token LABEL                        a bearer token for a SCIM client (shown once, stored hashed)
  list-scim-tokens                               the SCIM tokens (ids, labels, days), never the tokens
  revoke-scim-token ID                           stop a SCIM token working
  backup [FILE]                                  a checked copy of the live database (default: BACKUP_DIR,
                                                 or backups/ beside the database); the server may be running
  restore FILE                                   replace the database with a backup (the server must be
                                                 stopped); the replaced one is kept beside it`;

class UsageError extends Error {}

/** Where the verify commands read the log from, and what they hold it to (their shared flags). */
const logSource = (args: string[]) => ({
  from: option(args, "--from"),
  logKey: option(args, "--log-key"),
  maxWitnessAgeMs: maxWitnessAge(args),
});

/** `--max-witness-age=MINUTES`: how long a required witness may have been silent (the verifier's own limit). */
function maxWitnessAge(args: string[]): number | undefined {
  const value = args.find((a) => a.startsWith("--max-witness-age="))?.slice("--max-witness-age=".length);
  if (value === undefined) return undefined;
  const minutes = Number(value);
  if (!Number.isInteger(minutes) || minutes < 1)
    throw new UsageError("--max-witness-age takes a whole number of minutes (say 60).");
  return minutes * 60_000;
}

function personIdFor(email: string): number {
  const person = findPersonByEmail(getDb(), email);
  if (!person) throw new UsageError(`No person with the email ${normalizeEmail(email)} is in the directory.`);
  return person.id;
}

function roleArg(value: string | undefined) {
  if (!value || !isRole(value)) throw new UsageError(`ROLE must be one of: ${ROLES.join(", ")}.`);
  return value;
}

async function run(args: string[]): Promise<void> {
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
      const from = option(rest, "--from");
      const log = await verifiedLog(logSource(rest));
      printLog(log);
      let broken = log.problems.length ? 1 : 0;
      let ids: Array<number | string>;
      if (from) ids = target ? [target] : petitionsInLog(log.entries ?? []);
      else {
        ids = target ? [findPetition(target)?.id ?? Number.NaN] : allPetitionIds();
        if (ids.some(Number.isNaN)) throw new UsageError(`No petition "${target}".`);
      }
      for (const id of ids) {
        let check: Awaited<ReturnType<typeof checkPetitionLedger>>;
        try {
          check = await checkPetitionLedger(id, log, from);
        } catch (error) {
          if (!(error instanceof LogUnreadable) || target) throw error;
          console.log(`       petition ${id}: not checked (${error.message})`);
          continue;
        }
        const ok = check.problems.length === 0;
        if (!ok) broken++;
        console.log(
          `${ok ? "ok    " : "BROKEN"} petition ${check.petitionId}: ${check.length} entries, ${check.count} standing${indented([...check.problems, ...check.notes])}`,
        );
      }
      if (broken) process.exitCode = 1;
      return;
    }
    case "verify-anonymous": {
      const target = positional[0];
      if (!target) throw new UsageError("verify-anonymous needs a PETITION (id or slug).");
      const from = option(rest, "--from");
      const log = await verifiedLog(logSource(rest));
      printLog(log);
      const published = from ? await fetchPublished(from, target) : localPublished(target);
      const check = checkAnonymousSignatures(
        published.petitionId,
        published.publicKey,
        published.signatures,
        {
          anonymous: published.anonymousCount,
          tokensIssued: published.tokensIssued,
          publicWithToken: published.publicWithToken,
        },
      );
      const against = log.entries
        ? checkAnonymityAgainstLog(log.entries, {
            petitionId: published.petitionId,
            publicKey: published.publicKey,
            legacy: Math.max(published.legacy ?? 0, check.legacy),
            redeemed: check.checked - check.legacy,
            publicWithToken: published.publicWithToken ?? 0,
            ledger: published.ledger,
          })
        : { problems: [], notes: [] };
      const problems = [...check.problems, ...against.problems];
      const ok = problems.length === 0 && log.problems.length === 0;
      console.log(
        `${ok ? "ok    " : "BROKEN"} petition ${published.petitionId}: ${check.checked} anonymous signatures (${check.legacy} from before tokens), ${check.standing} standing; ${published.publicCount} public, ${published.publicWithoutToken ?? "?"} of them without a token; ${published.tokensIssued ?? "?"} tokens issued${indented([...problems, ...against.notes])}`,
      );
      console.log(
        `  the count can exceed the number of people who signed by at most ${published.publicWithoutToken ?? "?"} (public signatures without a token, whose signers may also have signed anonymously)`,
      );
      if (!ok) process.exitCode = 1;
      return;
    }
    case "create-scim-token": {
      const label = positional.join(" ").trim();
      if (!label || label.length > 100) throw new UsageError("create-scim-token needs a LABEL (say, okta).");
      const { id, token } = createScimToken(label, CLI_ACTOR);
      console.log(
        `SCIM token ${id} (${label}); it is shown only now:\n\n  ${token}\n\nBase URL: ${absoluteUrl("/scim/v2")} (HTTP header Authorization: Bearer <token>)`,
      );
      return;
    }
    case "list-scim-tokens": {
      const tokens = listScimTokens();
      if (!tokens.length) console.log("No SCIM tokens.");
      for (const t of tokens)
        console.log(
          `${t.id}\t${t.label}\tcreated ${t.createdAt.toISOString().slice(0, 10)}${t.revokedAt ? `\trevoked ${t.revokedAt.toISOString().slice(0, 10)}` : ""}`,
        );
      return;
    }
    case "revoke-scim-token": {
      const id = Number(positional[0]);
      if (!Number.isInteger(id) || id < 1) throw new UsageError("revoke-scim-token needs a token ID.");
      console.log(revokeScimToken(id, CLI_ACTOR) ? `Revoked SCIM token ${id}.` : `No live SCIM token ${id}.`);
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

const option = (args: string[], name: string) =>
  args.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);

const indented = (lines: string[]) => (lines.length ? `\n  ${lines.join("\n  ")}` : "");

/** The log's own findings, first: what everything after is checked against. */
function printLog(log: VerifiedLog): void {
  const ok = log.problems.length === 0;
  console.log(`${ok ? "ok    " : "BROKEN"} the public log${indented([...log.problems, ...log.notes])}`);
}

type Published = {
  petitionId: number;
  publicKey: string | null;
  tokensIssued?: number;
  anonymousCount: number;
  publicCount: number;
  /** Standing public signatures without a token (absent from a server older than this version). */
  publicWithoutToken?: number;
  /** Tokens spent on public signatures (withdrawn ones too), as of the boundary `tokensIssued` is from. */
  publicWithToken?: number;
  signatures: PublishedAnonymous[];
  /** Anonymous signatures from before tokens, counted in the database (remote: those listed without a token). */
  legacy?: number;
  ledger: { length: number; head: string | null };
};

function localPublished(idOrSlug: string): Published {
  const petition = findPetition(idOrSlug);
  if (!petition) throw new UsageError(`No petition "${idOrSlug}".`);
  const key = petitionKeyView(petition.id);
  const counts = countByVisibility(petition.id);
  const signatures: PublishedAnonymous[] = [];
  for (let page = listAnonymousSignatures(petition.id); page.length; ) {
    signatures.push(...page);
    page =
      page.length === ANONYMOUS_PAGE_SIZE ? listAnonymousSignatures(petition.id, page.at(-1)?.tokenId) : [];
  }
  return {
    petitionId: petition.id,
    publicKey: key?.publicKey ?? null,
    tokensIssued: key?.tokensIssued,
    anonymousCount: counts.anonymousCount,
    publicCount: counts.publicCount,
    publicWithoutToken: key ? publicWithoutToken(petition.id) : undefined,
    publicWithToken: key?.publicWithToken,
    signatures,
    legacy: legacyAnonymousCount(getDb(), petition.id),
    ledger: { length: petition.ledgerLength, head: petition.ledgerHead },
  };
}

/** What anyone can fetch from a server's public API (docs/api.md), checked here without its database. */
async function fetchPublished(base: string, idOrSlug: string): Promise<Published> {
  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(new URL(path, base));
    if (!response.ok) throw new UsageError(`${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  const petition = await get<{
    id: number;
    signatures: { public: number; anonymous: number };
    ledger: { length: number; head: string | null };
    anonymity: {
      publicKey: string;
      tokensIssued: number;
      publicWithoutToken?: number;
      publicWithToken?: number;
    } | null;
  }>(`/api/petitions/${encodeURIComponent(idOrSlug)}`);
  const signatures: PublishedAnonymous[] = [];
  let after: string | null = "";
  while (after !== null) {
    const page: { signatures: PublishedAnonymous[]; nextAfter: string | null } = await get(
      `/api/petitions/${petition.id}/anonymous${after ? `?after=${after}` : ""}`,
    );
    signatures.push(...page.signatures);
    after = page.nextAfter;
  }
  return {
    petitionId: petition.id,
    publicKey: petition.anonymity?.publicKey ?? null,
    tokensIssued: petition.anonymity?.tokensIssued,
    anonymousCount: petition.signatures.anonymous,
    publicCount: petition.signatures.public,
    publicWithoutToken: petition.anonymity?.publicWithoutToken,
    publicWithToken: petition.anonymity?.publicWithToken,
    signatures,
    ledger: petition.ledger,
  };
}

try {
  await run(process.argv.slice(2));
  closeDb();
} catch (error) {
  closeDb();
  if (error instanceof UsageError) {
    console.error(`${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (
    error instanceof MalformedDirectoryError ||
    error instanceof RoleChangeError ||
    error instanceof BackupFailed ||
    error instanceof UnusableDatabase ||
    error instanceof LogMismatch ||
    error instanceof DatabaseInUse ||
    error instanceof LogUnreadable
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
