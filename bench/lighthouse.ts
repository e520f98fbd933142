/**
 * Lighthouse (12, its default mobile preset: a mid-range phone, simulated slow 4G and a 4× slower
 * CPU) against the seeded demo app, signed out, on the five pages a first visit sees most: home, the
 * petition list, the MCI petition, announcements and the MCI policy. Debian's Chromium at
 * /usr/bin/chromium (CHROMIUM_PATH overrides). Each page is audited BENCH_RUNS times (3) and the
 * median run's scores kept; the failing audits of any category under 100 are printed.
 *
 *   npm run bench:lighthouse     (writes docs/benchmarks.md, block "lighthouse")
 */
import * as chromeLauncher from "chrome-launcher";
import lighthouse from "lighthouse";
import { machine, table, today, writeLatest } from "./report";
import { DEMO_PAGES, startSeededApp } from "./seeded";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PAGES = DEMO_PAGES;

const about = machine();
console.log(about);
const app = await startSeededApp();

const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});

type Run = {
  performance: number;
  accessibility: number;
  bestPractices: number;
  fcp: number;
  lcp: number;
  tbt: number;
  cls: number;
  bytes: number;
  failing: string[];
};

async function audit(url: string): Promise<Run> {
  const result = await lighthouse(url, {
    port: chrome.port,
    output: "json",
    logLevel: "error",
    onlyCategories: ["performance", "accessibility", "best-practices"],
  });
  if (!result) throw new Error(`no Lighthouse result for ${url}`);
  const { categories, audits } = result.lhr;
  const score = (id: string) => Math.round((categories[id]?.score ?? 0) * 100);
  const failing: string[] = [];
  for (const id of ["accessibility", "best-practices"]) {
    for (const ref of categories[id]?.auditRefs ?? []) {
      const a = audits[ref.id];
      if (a && ref.weight > 0 && a.score !== null && a.score < 1) failing.push(`${id}: ${a.id} (${a.title})`);
    }
  }
  const errors = audits["errors-in-console"]?.details as
    | { items?: Array<{ description?: string }> }
    | undefined;
  for (const item of errors?.items ?? []) failing.push(`console: ${item.description ?? ""}`.slice(0, 300));
  const issues = audits["inspector-issues"]?.details as
    | { items?: Array<{ issueType?: string; subItems?: { items?: unknown[] } }> }
    | undefined;
  for (const item of issues?.items ?? [])
    failing.push(
      `issue: ${item.issueType ?? ""} ${JSON.stringify(item.subItems?.items ?? []).slice(0, 300)}`,
    );
  const numeric = (id: string) => audits[id]?.numericValue ?? Number.NaN;
  return {
    performance: score("performance"),
    accessibility: score("accessibility"),
    bestPractices: score("best-practices"),
    fcp: numeric("first-contentful-paint"),
    lcp: numeric("largest-contentful-paint"),
    tbt: numeric("total-blocking-time"),
    cls: numeric("cumulative-layout-shift"),
    bytes: numeric("total-byte-weight"),
    failing,
  };
}

const rows: string[][] = [];
const problems: string[] = [];
try {
  for (const [label, pagePath] of PAGES) {
    const runs: Run[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(await audit(`${app.baseUrl}${pagePath}`));
    runs.sort((a, b) => a.performance - b.performance);
    const median = runs[Math.floor(runs.length / 2)] as Run;
    const spreadOf = (values: number[]) =>
      values.length > 1 ? ` (${Math.min(...values)}–${Math.max(...values)})` : "";
    console.log(
      `${label}: performance ${median.performance}, accessibility ${median.accessibility}, best practices ${median.bestPractices}; FCP ${(median.fcp / 1000).toFixed(1)} s, LCP ${(median.lcp / 1000).toFixed(1)} s, TBT ${Math.round(median.tbt)} ms, ${Math.round(median.bytes / 1024)} KiB`,
    );
    for (const f of new Set(runs.flatMap((r) => r.failing))) {
      console.log(`  ${f}`);
      problems.push(`${label}: ${f}`);
    }
    rows.push([
      label,
      `${median.performance}${spreadOf(runs.map((r) => r.performance))}`,
      String(median.accessibility),
      String(median.bestPractices),
      `${(median.fcp / 1000).toFixed(1)} s`,
      `${(median.lcp / 1000).toFixed(1)} s`,
      `${Math.round(median.tbt)} ms`,
      median.cls.toFixed(3),
      `${Math.round(median.bytes / 1024)} KiB`,
    ]);
  }
} finally {
  chrome.kill();
  await app.stop();
}

const summary = table(
  [
    "page (signed out)",
    "performance",
    "accessibility",
    "best practices",
    "FCP",
    "LCP",
    "TBT",
    "CLS",
    "transferred",
  ],
  rows,
);
console.log(summary);
writeLatest(
  "lighthouse",
  `Latest run (${today()}): ${about}. Lighthouse 12.2.3, mobile preset (simulated slow 4G, 4× CPU slowdown), Debian Chromium headless; ${RUNS} runs a page, the median run by performance (range in brackets).

${summary}
${problems.length ? `\nFailing audits: ${[...new Set(problems)].join("; ")}.\n` : "\nNo failing accessibility or best-practices audit.\n"}`,
);
