/**
 * What every benchmark reports with: the machine it ran on, summary statistics, and the block of
 * docs/benchmarks.md that holds its latest figures (between `<!-- latest:NAME -->` markers; the
 * history tables around them are written by hand).
 */
import { readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import Database from "better-sqlite3";

const DOC = "docs/benchmarks.md";

/** Cores, CPU model, load, Node, SQLite and better-sqlite3: enough to compare two runs' figures. */
export function machine(): string {
  const cpus = os.cpus();
  const sqlite = new Database(":memory:");
  const version = (sqlite.prepare("select sqlite_version() as v").get() as { v: string }).v;
  sqlite.close();
  const driver = (
    JSON.parse(readFileSync("node_modules/better-sqlite3/package.json", "utf8")) as { version: string }
  ).version;
  const load = os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" / ");
  return `${cpus.length} cores (${cpus[0]?.model.trim() ?? "unknown CPU"}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}, SQLite ${version} (better-sqlite3 ${driver}), load average ${load} at the start`;
}

export type Stats = { n: number; mean: number; p50: number; p90: number; p99: number; max: number };

export function stats(samples: ArrayLike<number>): Stats {
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  let sum = 0;
  for (const s of sorted) sum += s;
  return {
    n: sorted.length,
    mean: sorted.length ? sum / sorted.length : 0,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: sorted[sorted.length - 1] ?? 0,
  };
}

/** The median of several rounds' figures. */
export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** "median (min–max)" of several rounds' figures. */
export function spread(values: number[], format: (v: number) => string): string {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  if (sorted.length < 2) return format(median);
  return `${format(median)} (${format(sorted[0] ?? 0)}–${format(sorted[sorted.length - 1] ?? 0)})`;
}

export const ms = (v: number) => `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms`;
export const perSecond = (v: number) => `${Math.round(v).toLocaleString("en")} /s`;
export const percent = (v: number) => `${Math.round(v * 100)} %`;

/** A markdown table from a header row and rows of cells. */
export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/**
 * Replaces this benchmark's latest-run block in docs/benchmarks.md (BENCH_WRITE=0 leaves the file
 * alone, e.g. while profiling). The block is created at the end if the markers are missing.
 */
export function writeLatest(name: string, markdown: string): void {
  if (process.env.BENCH_WRITE === "0") return;
  const start = `<!-- latest:${name} -->`;
  const end = `<!-- /latest:${name} -->`;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const doc = readFileSync(DOC, "utf8");
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  const next =
    from >= 0 && to > from
      ? `${doc.slice(0, from)}${block}${doc.slice(to + end.length)}`
      : `${doc.trimEnd()}\n\n${block}\n`;
  writeFileSync(DOC, next);
  console.log(`(latest figures written to ${DOC})`);
}

export const today = () => new Date().toISOString().slice(0, 10);
