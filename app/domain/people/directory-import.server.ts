import { createHash } from "node:crypto";
import { parse as parseCsv } from "csv-parse/sync";
import { and, eq, lt } from "drizzle-orm";
import { z } from "zod";
import { type Executor, getDb } from "../../../db/client";
import { pendingDirectoryImports, people } from "../../../db/schema";
import { singleLine } from "../../platform/content/text";
import { emailSchema } from "../../platform/mail/email-address";
import { Refusal } from "../../platform/refusal";
import { type SaidValues, saidText, say, sayText } from "../../platform/said";
import { textInEnglish } from "../../platform/said-english";
import { type Actor, recordAudit } from "../../platform/security/audit.server";
import { HOUR_MS } from "../../platform/time";
import { revokeAllSessions } from "../identity/sessions.server";
import { recordActivationChange } from "./activation.server";
import { findPersonByEmail } from "./directory.server";

/** Importing the staff directory from CSV (the admin page and the CLI): upsert, report, deactivate the missing. */

export type ImportReport = {
  added: number[];
  updated: number[];
  deactivated: number[];
  unchanged: number[];
  /** Each row's reasons as said text (app/platform/said.ts): the page writes them in its reader's words. */
  rejected: Array<{ line: number; reasons: string[] }>;
  /** People absent from the file who were deactivated (only with deactivateMissing). */
  deactivatedMissing: string[];
};

/** A file that cannot be read as the directory's CSV: nothing is changed; the form points at the file. */
export class MalformedDirectoryError extends Refusal {
  constructor(key: MalformedFileKey, values: SaidValues = {}) {
    // The file's field says the same and that nothing changed: one message, its `changed` a select.
    super(say(key, { ...values, changed: "no" }), 400, {
      file: [saidText(say(key, { ...values, changed: "nothing" }))],
    });
  }
}
type MalformedFileKey =
  | "admin.refusal.directory.notCsv"
  | "admin.refusal.directory.empty"
  | "admin.refusal.directory.missingColumns"
  | "admin.refusal.directory.unknownColumns";

/**
 * Who moved where (department or location), for the audit log: signatures record the signer's
 * department and location when they sign, so a move changes no breakdown — but an import that moves
 * people is a privileged act, and the log says exactly what it did.
 */
export type DirectoryMove = {
  email: string;
  department?: { from: string | null; to: string | null };
  location?: { from: string | null; to: string | null };
};
/** The audit entry lists this many moves; `moved` counts them all. */
export const MOVES_AUDITED = 1_000;

export function directoryMove(
  before: { email: string; department: string | null; location: string | null },
  after: { department?: string | null; location?: string | null },
): DirectoryMove | null {
  const move: DirectoryMove = { email: before.email };
  if (after.department !== undefined && after.department !== before.department)
    move.department = { from: before.department, to: after.department };
  if (after.location !== undefined && after.location !== before.location)
    move.location = { from: before.location, to: after.location };
  return move.department || move.location ? move : null;
}

const REQUIRED_COLUMNS = ["email", "name", "department", "location"] as const;
const ACTIVE_VALUES: Record<string, boolean> = {
  "": true,
  true: true,
  yes: true,
  y: true,
  "1": true,
  active: true,
  false: false,
  no: false,
  n: false,
  "0": false,
  inactive: false,
};

const tooLong = (column: string, max: number) => sayText("admin.directory.reject.tooLong", { column, max });

/** The shared email schema speaks to a form; a row of the file gets the same words from the catalog. */
const EMAIL_REASONS: Record<string, string> = {
  too_small: sayText("admin.directory.reject.emailMissing"),
  invalid_type: sayText("admin.directory.reject.emailMissing"),
  too_big: sayText("admin.directory.reject.emailTooLong"),
};
const reasonOf = (issue: z.core.$ZodIssue): string =>
  issue.path[0] === "email"
    ? (EMAIL_REASONS[issue.code] ?? sayText("admin.directory.reject.emailInvalid"))
    : issue.message;

const rowSchema = z.object({
  email: emailSchema,
  name: z
    .string()
    .overwrite(singleLine)
    .min(1, sayText("admin.directory.reject.empty", { column: "name" }))
    .max(200, tooLong("name", 200)),
  department: z.string().overwrite(singleLine).max(100, tooLong("department", 100)),
  location: z.string().overwrite(singleLine).max(100, tooLong("location", 100)),
  active: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const value = ACTIVE_VALUES[(v ?? "").trim().toLowerCase()];
      if (value === undefined) {
        ctx.addIssue({
          code: "custom",
          message: sayText("admin.directory.reject.active", { value: v ?? "" }),
        });
        return z.NEVER;
      }
      return value;
    }),
});

type CsvRecord = { record: Record<string, string>; info: { lines: number } };

/** The file's rows, or MalformedDirectoryError (nothing changed) for a file that is not the directory's CSV. */
function readDirectoryCsv(csvText: string): CsvRecord[] {
  let records: CsvRecord[];
  let header: string[] = [];
  try {
    records = parseCsv(csvText.replace(/^\uFEFF/, ""), {
      columns: (names: string[]) => {
        header = names.map((n) => n.trim().toLowerCase());
        return header;
      },
      skip_empty_lines: true,
      trim: false,
      info: true,
      relax_column_count: false,
    }) as CsvRecord[];
  } catch (error) {
    // The CSV reader's own words (English) name what it stumbled on.
    throw new MalformedDirectoryError("admin.refusal.directory.notCsv", {
      detail: error instanceof Error ? error.message : String(error),
    });
  }
  const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c));
  if (header.length === 0) throw new MalformedDirectoryError("admin.refusal.directory.empty");
  if (missing.length) {
    throw new MalformedDirectoryError("admin.refusal.directory.missingColumns", {
      columns: missing.join(", "),
    });
  }
  const unknown = header.filter((c) => ![...REQUIRED_COLUMNS, "active"].includes(c));
  if (unknown.length)
    throw new MalformedDirectoryError("admin.refusal.directory.unknownColumns", {
      columns: unknown.join(", "),
    });
  return records;
}

type PersonValues = {
  name: string;
  department: string | null;
  location: string | null;
  active: boolean;
  inDirectory: true;
};
type Change =
  | { kind: "add"; email: string; values: PersonValues }
  | {
      kind: "update";
      person: { id: number; email: string; active: boolean };
      values: PersonValues;
      move: DirectoryMove | null;
    };
/** What importing a file would do to the directory as it is now: computed without writing. */
type ImportPlan = { report: ImportReport; changes: Change[]; stale: Array<{ id: number; email: string }> };

function planImport(exec: Executor, records: CsvRecord[], deactivateMissing: boolean): ImportPlan {
  const report: ImportReport = {
    added: [],
    updated: [],
    deactivated: [],
    unchanged: [],
    rejected: [],
    deactivatedMissing: [],
  };
  const changes: Change[] = [];
  const seen = new Map<string, number>();
  for (const { record, info } of records) {
    const line = info.lines;
    const parsed = rowSchema.safeParse(record);
    if (!parsed.success) {
      report.rejected.push({ line, reasons: parsed.error.issues.map(reasonOf) });
      continue;
    }
    const row = parsed.data;
    const firstLine = seen.get(row.email);
    if (firstLine !== undefined) {
      report.rejected.push({
        line,
        reasons: [sayText("admin.directory.reject.duplicate", { email: row.email, line: String(firstLine) })],
      });
      continue;
    }
    seen.set(row.email, line);
    const values: PersonValues = {
      name: row.name,
      department: row.department || null,
      location: row.location || null,
      active: row.active,
      inDirectory: true,
    };
    const existing = findPersonByEmail(exec, row.email);
    if (!existing) {
      changes.push({ kind: "add", email: row.email, values });
      report.added.push(line);
      continue;
    }
    const changed =
      existing.name !== values.name ||
      existing.department !== values.department ||
      existing.location !== values.location ||
      existing.active !== values.active ||
      !existing.inDirectory;
    if (!changed) {
      report.unchanged.push(line);
      continue;
    }
    changes.push({ kind: "update", person: existing, values, move: directoryMove(existing, values) });
    if (existing.active && !values.active) report.deactivated.push(line);
    else report.updated.push(line);
  }
  const stale = deactivateMissing
    ? exec
        .select({ id: people.id, email: people.email })
        .from(people)
        .where(and(eq(people.inDirectory, true), eq(people.active, true)))
        .all()
        .filter((p) => !seen.has(p.email))
    : [];
  report.deactivatedMissing = stale.map((p) => p.email);
  return { report, changes, stale };
}

function applyImport(tx: Executor, plan: ImportPlan, actor: Actor, deactivateMissing: boolean): void {
  const now = new Date();
  const moves: DirectoryMove[] = [];
  for (const change of plan.changes) {
    if (change.kind === "add") {
      tx.insert(people)
        .values({ email: change.email, ...change.values, createdAt: now, updatedAt: now })
        .run();
      continue;
    }
    const { person, values } = change;
    tx.update(people)
      .set({ ...values, updatedAt: now })
      .where(eq(people.id, person.id))
      .run();
    if (change.move) moves.push(change.move);
    // Each change of a person's state is audited on its own (ADR 0032): a quick reactivation is
    // flagged whichever way it was done.
    if (person.active !== values.active)
      recordActivationChange(tx, actor, { id: person.id, email: person.email }, values.active);
    if (person.active && !values.active) revokeAllSessions(tx, person.id);
  }
  for (const person of plan.stale) {
    tx.update(people).set({ active: false, updatedAt: now }).where(eq(people.id, person.id)).run();
    revokeAllSessions(tx, person.id);
    recordActivationChange(tx, actor, person, false);
  }
  const { report } = plan;
  recordAudit(tx, actor, "directory.import", undefined, {
    added: report.added.length,
    updated: report.updated.length,
    deactivated: report.deactivated.length + report.deactivatedMissing.length,
    unchanged: report.unchanged.length,
    rejected: report.rejected.length,
    deactivateMissing,
    moved: moves.length,
    moves: moves.slice(0, MOVES_AUDITED),
  });
}

/**
 * Upserts the directory from CSV (header email,name,department,location[,active]). A file that cannot
 * be read as such a CSV throws MalformedDirectoryError and changes nothing; individual bad rows are
 * rejected with their line numbers and the rest applied, all in one transaction. Deactivating a
 * person revokes their sessions. (The command line; the admin page previews first.)
 */
export function importDirectory(
  csvText: string,
  actor: Actor,
  options: { deactivateMissing?: boolean } = {},
): ImportReport {
  const records = readDirectoryCsv(csvText);
  const deactivateMissing = Boolean(options.deactivateMissing);
  return getDb().transaction(
    (tx) => {
      const plan = planImport(tx, records, deactivateMissing);
      applyImport(tx, plan, actor, deactivateMissing);
      return plan.report;
    },
    { behavior: "immediate" },
  );
}

// ---- Preview, then confirm (the admin page) -------------------------------------------------------

/** How long a preview can be confirmed; older ones are deleted at the next preview. */
export const PENDING_IMPORT_MS = HOUR_MS;

/** Confirming a preview that is gone, someone else's, or no longer what the directory would get. */
export class StaleImportPreview extends Refusal {}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");
/** What a preview promised: the same outcome, row by row, or the confirm is refused. */
const planDigest = (report: ImportReport) => sha256(JSON.stringify(report));

/**
 * What importing the file would do, changing nothing in the directory: the counts and lines of each
 * outcome. The file is kept server-side under the hash of the file, the options and the admin, with
 * the plan's digest, for `confirmDirectoryImport` (the page carries only the hash).
 */
export function previewDirectoryImport(
  csvText: string,
  admin: { id: number },
  options: { deactivateMissing?: boolean } = {},
  now = Date.now(),
): { pendingId: string; report: ImportReport } {
  const records = readDirectoryCsv(csvText);
  const deactivateMissing = Boolean(options.deactivateMissing);
  const { report } = planImport(getDb(), records, deactivateMissing);
  const pendingId = sha256(JSON.stringify([admin.id, deactivateMissing, csvText]));
  const row = {
    id: pendingId,
    actorId: admin.id,
    csv: csvText,
    deactivateMissing,
    planDigest: planDigest(report),
    createdAt: new Date(now),
  };
  getDb().transaction(
    (tx) => {
      forgetExpiredPreviews(tx, now);
      tx.insert(pendingDirectoryImports)
        .values(row)
        .onConflictDoUpdate({ target: pendingDirectoryImports.id, set: row })
        .run();
    },
    { behavior: "immediate" },
  );
  return { pendingId, report };
}

/** Previews past their hour: each holds a whole directory file, so none is kept longer (nor backed up). */
function forgetExpiredPreviews(db: Executor, now: number): number {
  return db
    .delete(pendingDirectoryImports)
    .where(lt(pendingDirectoryImports.createdAt, new Date(now - PENDING_IMPORT_MS)))
    .run().changes;
}

/** The scheduler's job: forgets the previews nobody confirmed within the hour. */
export function deleteExpiredDirectoryPreviews(now = Date.now()): number {
  return forgetExpiredPreviews(getDb(), now);
}

/**
 * Imports the file an admin previewed, if the directory would still get exactly what the preview
 * showed (otherwise StaleImportPreview, 409, and nothing changes: they look at a new preview).
 */
export function confirmDirectoryImport(
  pendingId: string,
  admin: { id: number; email: string },
  now = Date.now(),
): ImportReport {
  return getDb().transaction(
    (tx) => {
      const pending = tx
        .select()
        .from(pendingDirectoryImports)
        .where(eq(pendingDirectoryImports.id, pendingId))
        .get();
      if (!pending || pending.actorId !== admin.id || pending.createdAt.getTime() < now - PENDING_IMPORT_MS)
        throw new StaleImportPreview(say("admin.refusal.directory.previewGone"), 409);
      const plan = planImport(tx, readDirectoryCsv(pending.csv), pending.deactivateMissing);
      if (planDigest(plan.report) !== pending.planDigest)
        throw new StaleImportPreview(say("admin.refusal.directory.previewStale"), 409);
      applyImport(tx, plan, admin, pending.deactivateMissing);
      tx.delete(pendingDirectoryImports).where(eq(pendingDirectoryImports.id, pendingId)).run();
      return plan.report;
    },
    { behavior: "immediate" },
  );
}

/** One line per outcome, as the CLI and the admin page print it. */
export function summarizeImport(report: ImportReport): string {
  const lines = (ns: number[]) => (ns.length ? ` (lines ${ns.join(", ")})` : "");
  const out = [
    `added: ${report.added.length}`,
    `updated: ${report.updated.length}${lines(report.updated.slice(0, 20))}`,
    `deactivated: ${report.deactivated.length + report.deactivatedMissing.length}${lines(report.deactivated.slice(0, 20))}`,
    `unchanged: ${report.unchanged.length}`,
    `rejected: ${report.rejected.length}`,
    ...report.rejected.map((r) => `  line ${r.line}: ${r.reasons.map(textInEnglish).join("; ")}`),
  ];
  if (report.deactivatedMissing.length)
    out.push(`not in the file, deactivated: ${report.deactivatedMissing.join(", ")}`);
  return out.join("\n");
}
