/**
 * What the public log costs (ADR 0039), in one process on one database file:
 * - appending one entry (its leaf, the perfect nodes it completes, a checkpoint signed with Ed25519),
 *   against a raw SQLite insert of a row of the same size in its own transaction — the baseline;
 * - the scheduler's log job at a batch boundary with BENCH_OPEN (200) open petitions, all moved;
 * - serving proofs from a log of BENCH_LEAVES (100,000) entries: an inclusion proof, a consistency
 *   proof, a page of 1,000 entries;
 * - a device's check of /api/log/keys at BENCH_OPEN keys (the checkpoint's signatures and every
 *   inclusion proof, with the same code the browser runs), and the bytes a log entry takes on disk.
 *
 *   npm run bench:transparency
 */
import { benchCompany } from "./setup";

const { machine, ms, table, today, writeLatest } = await import("./report");
const { getDb } = await import("../db/client");
const { appendEntries, latestCheckpoint, inclusionProofOf, consistencyProofOf, logEntries, logVkey } =
  await import("../app/platform/transparency/log.server");
const { logCurrentState } = await import("../app/domain/transparency/log-writer.server");
const { liveKeysWithProofs } = await import("../app/domain/transparency/log-reads.server");
const { leafHash, verifyInclusion } = await import("../app/platform/transparency/merkle");
const { fromBase64, parseCheckpoint, parseNote, parseVkey, signatureBy, verifySignature } = await import(
  "../app/platform/transparency/signed-note"
);
const { HOUR_MS } = await import("../app/platform/time");

const N = Number(process.env.BENCH_N ?? 2000);
const OPEN = Number(process.env.BENCH_OPEN ?? 200);
const LEAVES = Number(process.env.BENCH_LEAVES ?? 100_000);
const about = machine();
console.log(about);

const { openPetition } = benchCompany(10);
for (let i = 0; i < OPEN; i++) openPetition(`Benchmark petition ${i}`);
const db = getDb();
const sqlite = db.$client;

const cpu = (fn: () => void, times: number) => {
  const since = process.cpuUsage();
  for (let i = 0; i < times; i++) fn();
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000 / times;
};

const hour = new Date(Date.now() - (Date.now() % HOUR_MS)).toISOString();
const state = (i: number) => ({
  type: "petition" as const,
  petition: 1 + (i % OPEN),
  length: i + 2,
  head: (i + 1).toString(16).padStart(64, "0"),
  count: i,
  tokensIssued: i,
  publicWithToken: 0,
  publicWithoutToken: i,
  at: hour,
});
const line = new TextDecoder().decode(
  (await import("../app/platform/transparency/log-entries")).encodeEntry(state(0)),
);

// The baseline: a row of an entry's size, inserted in a transaction of its own.
sqlite.exec("create table bench_rows (id integer primary key, data text not null)");
const insert = sqlite.prepare("insert into bench_rows (data) values (?)");
const rawMs = cpu(() => sqlite.transaction(() => insert.run(line))(), N);
let next = 0;
const appendMs = cpu(
  () => db.transaction(() => appendEntries([state(next++)]), { behavior: "immediate" }),
  N,
);

// The boundary job with every open petition moved since its last entry.
const moveAll = sqlite.prepare(
  "update petitions set ledger_length = ledger_length + 0, signature_count = signature_count + 1",
);
let slot = Date.now() + HOUR_MS;
const boundaryRuns = 5;
const boundaryMs = cpu(() => {
  moveAll.run();
  slot += HOUR_MS;
  logCurrentState(slot);
}, boundaryRuns);

// A big log: entries appended 1,000 a transaction (the fill is not what is measured).
while ((latestCheckpoint()?.size ?? 0) < LEAVES) {
  const first = next;
  db.transaction(() => appendEntries(Array.from({ length: 1000 }, (_, i) => state(first + i))), {
    behavior: "immediate",
  });
  next += 1000;
}
const size = latestCheckpoint()?.size ?? 0;
let k = 0;
const inclusionMs = cpu(() => inclusionProofOf((k++ * 7919) % size, size), 1000);
const consistencyMs = cpu(() => consistencyProofOf(1 + ((k++ * 104729) % (size - 1)), size), 1000);
const pageMs = cpu(() => logEntries((k++ * 997) % (size - 1000), ((k * 997) % (size - 1000)) + 1000), 100);

// A device's check of the keys answer (what its background run does before asking for anything).
const answer = liveKeysWithProofs();
const vkey = logVkey();
if (!answer.checkpoint || !vkey) throw new Error("no checkpoint");
const verifier = parseVkey(vkey);
const checkpointText = answer.checkpoint;
const deviceMs = cpu(() => {
  const note = parseNote(checkpointText);
  const signature = signatureBy(note.signatures, verifier);
  if (!signature || !verifySignature(note.body, signature, verifier)) throw new Error("bad signature");
  const checkpoint = parseCheckpoint(note.body);
  for (const key of answer.keys)
    if (
      !verifyInclusion(
        leafHash(new TextEncoder().encode(key.data)),
        key.index,
        checkpoint.size,
        key.proof.map(fromBase64),
        checkpoint.root,
      )
    )
      throw new Error("bad proof");
}, 20);

const bytes = (name: string) =>
  (
    sqlite.prepare("select coalesce(sum(pgsize), 0) as b from dbstat where name = ?").get(name) as {
      b: number;
    }
  ).b;
const perEntry =
  (bytes("log_leaves") +
    bytes("log_nodes") +
    bytes("log_checkpoints") +
    bytes("log_leaves_petition_idx") +
    bytes("log_leaves_scope_idx")) /
  size;

const rows = [
  ["a raw SQLite insert of an entry-sized row in its own transaction, the baseline", ms(rawMs), "1.0×"],
  [
    "appending one entry (leaf, nodes, a signed checkpoint)",
    ms(appendMs),
    `${(appendMs / rawMs).toFixed(1)}×`,
  ],
  [`the log job at a boundary, ${OPEN} open petitions all moved`, ms(boundaryMs), ""],
  [`an inclusion proof in ${size.toLocaleString("en")} entries`, ms(inclusionMs), ""],
  [`a consistency proof in ${size.toLocaleString("en")} entries`, ms(consistencyMs), ""],
  ["a page of 1,000 entries", ms(pageMs), ""],
  [`a device's check of ${answer.keys.length} keys (signature + every inclusion proof)`, ms(deviceMs), ""],
  ["bytes on disk per entry (leaves, nodes, checkpoints, indexes)", `${Math.round(perEntry)} B`, ""],
];
const report = `The public log, ${today()}, CPU per call (process.cpuUsage), ${about}\n\n${table(["step", "CPU", "of the baseline"], rows)}`;
console.log(report);
writeLatest("transparency", report);
