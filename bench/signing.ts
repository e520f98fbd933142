/**
 * Signatures per second through signPetition (rate limits, unique index, ledger entry, count,
 * milestone check — one transaction each) against a raw better-sqlite3 transaction that inserts a
 * signature row and bumps a counter, in the same process on the same database file.
 *
 *   npm run bench:signing     (BENCH_N=20000 by default, in BENCH_ROUNDS=3 alternating rounds)
 */
import { benchCompany, cleanUp } from "./setup";

const { machine, percent, perSecond, spread, table, today, writeLatest } = await import("./report");

const { getDb } = await import("../db/client");
const { signPetition } = await import("../app/domain/petitions/signing.server");

const N = Number(process.env.BENCH_N ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const about = machine();
console.log(about);
const { staff: signers, openPetition } = benchCompany(2 * N + 5);
const domainPetition = openPetition("Benchmark petition through the domain");
const rawPetition = openPetition("Benchmark petition through raw SQL");

const sqlite = getDb().$client;
const insert = sqlite.prepare(
  "insert into signatures (petition_id, person_id, visibility, ledger_seq, ledger_hash, created_at) values (?, ?, 'public', 0, '', ?)",
);
const bump = sqlite.prepare("update petitions set signature_count = signature_count + 1 where id = ?");
const rawSign = sqlite.transaction((personId: number) => {
  insert.run(rawPetition.id, personId, Date.now());
  bump.run(rawPetition.id);
});

async function time(
  label: string,
  from: number,
  to: number,
  fn: (i: number) => void | Promise<void>,
): Promise<number> {
  const start = process.hrtime.bigint();
  for (let i = from; i < to; i++) await fn(i);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const rate = (to - from) / seconds;
  console.log(
    `${label.padEnd(34)} ${rate.toFixed(0).padStart(7)} signatures/s  (${to - from} in ${seconds.toFixed(2)} s)`,
  );
  return rate;
}

// Alternate rounds (and halves of the people) so neither side gets a warmer cache or a fuller WAL.
const half = Math.floor(N / 2);
const rawRates: number[] = [];
const domainRates: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const from = Math.floor((r * N) / ROUNDS);
  const to = Math.floor(((r + 1) * N) / ROUNDS);
  rawRates.push(
    await time("raw insert + counter transaction", from, to, (i) =>
      rawSign(signers[i < half ? i : N + i]?.id ?? 0),
    ),
  );
  domainRates.push(
    await time("signPetition (domain)", from, to, async (i) => {
      const user = signers[i < half ? N + i : i];
      if (!user) return;
      await signPetition({
        noAnonymousSignature: true,
        petitionId: domainPetition.id,
        user,
        ip: `10.0.${(i >> 8) & 255}.${i & 255}`,
      });
    }),
  );
}
const ratios = domainRates.map((rate, i) => rate / (rawRates[i] ?? 1));
const summary = table(
  ["raw transaction", "signPetition", "ratio (goal ≥ 50 %)"],
  [[spread(rawRates, perSecond), spread(domainRates, perSecond), spread(ratios, percent)]],
);
console.log(summary);
writeLatest(
  "signing",
  `Latest run (${today()}): ${about}. ${N.toLocaleString("en")} signatures each in ${ROUNDS} alternating rounds, median (min–max) of the rounds.

${summary}`,
);
cleanUp();
