import { parse as parseCsv } from "csv-parse/sync";
import { and, eq } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "../../../db/client";
import { people } from "../../../db/schema";
import { singleLine } from "../../platform/content/text";
import { emailSchema } from "../../platform/mail/email-address";
import { Refusal } from "../../platform/refusal";
import { type Actor, recordAudit } from "../../platform/security/audit.server";
import { revokeAllSessions } from "../identity/sessions.server";
import { recordActivationChange } from "./activation.server";
import { findPersonByEmail } from "./directory.server";

/** Importing the staff directory from CSV (the admin page and the CLI): upsert, report, deactivate the missing. */

export type ImportReport = {
  added: number[];
  updated: number[];
  deactivated: number[];
  unchanged: number[];
  rejected: Array<{ line: number; reason: string }>;
  /** People absent from the file who were deactivated (only with deactivateMissing). */
  deactivatedMissing: string[];
};

/** A file that cannot be read as the directory's CSV: nothing is changed; the form points at the file. */
export class MalformedDirectoryError extends Refusal {
  constructor(message: string) {
    super(message, 400, { file: [`${message} Nothing was changed.`] });
  }
}

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

const rowSchema = z.object({
  email: emailSchema,
  name: z
    .string()
    .overwrite(singleLine)
    .min(1, "name is empty")
    .max(200, "name is longer than 200 characters"),
  department: z.string().overwrite(singleLine).max(100, "department is longer than 100 characters"),
  location: z.string().overwrite(singleLine).max(100, "location is longer than 100 characters"),
  active: z
    .string()
    .optional()
    .transform((v, ctx) => {
      const value = ACTIVE_VALUES[(v ?? "").trim().toLowerCase()];
      if (value === undefined) {
        ctx.addIssue({ code: "custom", message: `active must be true or false, not "${v}"` });
        return z.NEVER;
      }
      return value;
    }),
});

/**
 * Upserts the directory from CSV (header email,name,department,location[,active]). A file that cannot
 * be read as such a CSV throws MalformedDirectoryError and changes nothing; individual bad rows are
 * rejected with their line numbers and the rest applied, all in one transaction. Deactivating a
 * person revokes their sessions.
 */
export function importDirectory(
  csvText: string,
  actor: Actor,
  options: { deactivateMissing?: boolean } = {},
): ImportReport {
  type CsvRecord = { record: Record<string, string>; info: { lines: number } };
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
    throw new MalformedDirectoryError(
      `The file is not valid CSV: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const missing = REQUIRED_COLUMNS.filter((c) => !header.includes(c));
  if (header.length === 0) throw new MalformedDirectoryError("The file is empty: it needs a header row.");
  if (missing.length) {
    throw new MalformedDirectoryError(
      `The header row must contain email,name,department,location (optional: active); missing: ${missing.join(", ")}.`,
    );
  }
  const unknown = header.filter((c) => ![...REQUIRED_COLUMNS, "active"].includes(c));
  if (unknown.length)
    throw new MalformedDirectoryError(`Unknown column(s) in the header: ${unknown.join(", ")}.`);

  const report: ImportReport = {
    added: [],
    updated: [],
    deactivated: [],
    unchanged: [],
    rejected: [],
    deactivatedMissing: [],
  };
  const seen = new Map<string, number>();
  const now = new Date();
  const moves: DirectoryMove[] = [];

  getDb().transaction(
    (tx) => {
      for (const { record, info } of records) {
        const line = info.lines;
        const parsed = rowSchema.safeParse(record);
        if (!parsed.success) {
          report.rejected.push({ line, reason: parsed.error.issues.map((i) => i.message).join("; ") });
          continue;
        }
        const row = parsed.data;
        const firstLine = seen.get(row.email);
        if (firstLine !== undefined) {
          report.rejected.push({ line, reason: `${row.email} already appears on line ${firstLine}` });
          continue;
        }
        seen.set(row.email, line);
        const values = {
          name: row.name,
          department: row.department || null,
          location: row.location || null,
          active: row.active,
          inDirectory: true,
        };
        const existing = findPersonByEmail(tx, row.email);
        if (!existing) {
          tx.insert(people)
            .values({ email: row.email, ...values, createdAt: now, updatedAt: now })
            .run();
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
        tx.update(people)
          .set({ ...values, updatedAt: now })
          .where(eq(people.id, existing.id))
          .run();
        const move = directoryMove(existing, values);
        if (move) moves.push(move);
        // Each change of a person's state is audited on its own (ADR 0032): a quick reactivation is
        // flagged whichever way it was done.
        if (existing.active !== values.active)
          recordActivationChange(tx, actor, { id: existing.id, email: existing.email }, values.active);
        if (existing.active && !values.active) {
          revokeAllSessions(tx, existing.id);
          report.deactivated.push(line);
        } else {
          report.updated.push(line);
        }
      }
      if (options.deactivateMissing) {
        const stale = tx
          .select({ id: people.id, email: people.email })
          .from(people)
          .where(and(eq(people.inDirectory, true), eq(people.active, true)))
          .all()
          .filter((p) => !seen.has(p.email));
        for (const person of stale) {
          tx.update(people).set({ active: false, updatedAt: now }).where(eq(people.id, person.id)).run();
          revokeAllSessions(tx, person.id);
          recordActivationChange(tx, actor, person, false);
          report.deactivatedMissing.push(person.email);
        }
      }
      recordAudit(tx, actor, "directory.import", undefined, {
        added: report.added.length,
        updated: report.updated.length,
        deactivated: report.deactivated.length + report.deactivatedMissing.length,
        unchanged: report.unchanged.length,
        rejected: report.rejected.length,
        deactivateMissing: Boolean(options.deactivateMissing),
        moved: moves.length,
        moves: moves.slice(0, MOVES_AUDITED),
      });
    },
    { behavior: "immediate" },
  );
  return report;
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
    ...report.rejected.map((r) => `  line ${r.line}: ${r.reason}`),
  ];
  if (report.deactivatedMissing.length)
    out.push(`not in the file, deactivated: ${report.deactivatedMissing.join(", ")}`);
  return out.join("\n");
}
