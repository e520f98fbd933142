/**
 * What compressing pages costs (ADR 27): the seeded demo's five signed-out pages compressed in process
 * as the server compresses them (brotli quality 4, gzip level 6: the compression middleware's
 * defaults), 300 times each; and the MCI petition page loaded through the server with and without
 * `Accept-Encoding: br`, in alternating rounds, with the server's CPU per request.
 *
 *   npm run bench:compression     (writes docs/benchmarks.md, block "compression")
 */
import { performance } from "node:perf_hooks";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { describe as describeLoad, type LoadResult, resultsTable, runRounds, startBareServer } from "./load";
import { machine, ms, table, today, writeLatest } from "./report";
import { DEMO_PAGES, startSeededApp } from "./seeded";

const REPEAT = 300;
const about = machine();
console.log(about);
const app = await startSeededApp();
const port = Number(new URL(app.baseUrl).port);
const rows: string[][] = [];
try {
  for (const [label, path] of DEMO_PAGES) {
    const html = Buffer.from(await (await fetch(`${app.baseUrl}${path}`)).text());
    const time = (fn: () => Buffer) => {
      let out = fn();
      const start = performance.now();
      for (let i = 0; i < REPEAT; i++) out = fn();
      return { ms: (performance.now() - start) / REPEAT, bytes: out.length };
    };
    const br = time(() => brotliCompressSync(html, { params: { [constants.BROTLI_PARAM_QUALITY]: 4 } }));
    const gz = time(() => gzipSync(html, { level: 6 }));
    rows.push([
      label,
      `${(html.length / 1024).toFixed(1)} KiB`,
      `${(br.bytes / 1024).toFixed(1)} KiB, ${ms(br.ms)}`,
      `${(gz.bytes / 1024).toFixed(1)} KiB, ${ms(gz.ms)}`,
    ]);
  }
  const pageTable = table(["page (signed out)", "HTML", "brotli 4: size, CPU", "gzip 6: size, CPU"], rows);
  console.log(pageTable);

  const bare = await startBareServer();
  const mci = DEMO_PAGES[2]?.[1] ?? "/";
  const targets = [
    {
      label: "bare node:http",
      port: bare.port,
      pid: bare.pid,
      next: () => ({ path: "/" }),
      results: [] as LoadResult[],
    },
    {
      label: "MCI petition, uncompressed",
      port,
      pid: app.pid,
      next: () => ({ path: mci }),
      results: [] as LoadResult[],
    },
    {
      label: "MCI petition, brotli",
      port,
      pid: app.pid,
      next: () => ({ path: mci, headers: { "Accept-Encoding": "br" } }),
      results: [] as LoadResult[],
    },
  ];
  await runRounds(targets, { rounds: 3, seconds: 5, connections: 8 });
  for (const t of targets) console.log(t.label, describeLoad(t.results[0] as LoadResult));
  await bare.stop();
  const loadTable = resultsTable(targets);
  console.log(loadTable);
  writeLatest(
    "compression",
    `Latest run (${today()}): ${about}. In process, ${REPEAT} compressions of each page as a signed-out visitor gets it; through the server (1 worker), 3 alternating rounds of 5 s, 8 connections.

${pageTable}

${loadTable}`,
  );
} finally {
  await app.stop();
}
