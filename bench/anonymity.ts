/**
 * What anonymity costs, in the same process on the same database file:
 * - the server's work per issued token (issuePetitionToken: the blind signature with node:crypto,
 *   its re-check, the issuance row) and per redemption verified and held (redeemAnonymously), against
 *   a public signature through signPetition — the baseline;
 * - the client's work per token with fresh randomness (app/browser/blind-tokens.ts over rsabssa.ts:
 *   prepare + blind, and finalize), here in Node's WebCrypto and BigInt, the same module the browser's
 *   worker runs;
 * - the budget of tokens that follow the person (ADR 0038) at BENCH_OPEN open petitions (200): a
 *   person's first full run — deriving and finalizing every petition's token from the wallet secret
 *   (app/browser/derived-tokens.ts, run in Node as a stand-in for the browser: same code, same
 *   WebCrypto calls, V8's BigInt as in Chromium) — the server's CPU per token issued and re-signed,
 *   and the bytes each issuance row takes in the SQLite file, measured with dbstat after
 *   BENCH_STAFF (80,000) people × 3 petitions' rows.
 *
 *   npm run bench:anonymity     (BENCH_N=300 tokens by default)
 */
import { benchCompany } from "./setup";

const { machine, ms, table, today, writeLatest } = await import("./report");
const { signPetition } = await import("../app/domain/petitions/signing.server");
const { issuePetitionToken, petitionKeyView } = await import("../app/domain/petitions/petition-keys.server");
const { redeemAnonymously } = await import("../app/domain/petitions/anonymous-signing.server");
const { resetRateLimits } = await import("../app/platform/security/rate-limits.server");
const { finalizeToken, newSignerKey, requestToken } = await import("../app/browser/blind-tokens");
const { deriveRequest, deriveSignerKey, finalizeDerived, newWalletSecret } = await import(
  "../app/browser/derived-tokens"
);
const { blindSign } = await import("../app/platform/anonymity/blind-signatures.server");
const { getDb } = await import("../db/client");
const { blindKeys } = await import("../db/schema");
const { eq } = await import("drizzle-orm");

const N = Number(process.env.BENCH_N ?? 300);
const about = machine();
console.log(about);
const { staff, openPetition } = benchCompany(2 * N + 5);
const publicPetition = openPetition("Benchmark petition signed publicly");
const anonymousPetition = openPetition("Benchmark petition signed anonymously");
const key = petitionKeyView(anonymousPetition.id);
if (!key) throw new Error("the petition has no key");
const scope = `petition:${anonymousPetition.id}`;

const perCall = async (fn: (i: number) => Promise<unknown> | unknown) => {
  const start = process.hrtime.bigint();
  for (let i = 0; i < N; i++) await fn(i);
  return Number(process.hrtime.bigint() - start) / 1e6 / N;
};

// The client's side first: its requests are what the server then signs and redeems.
const signer = await newSignerKey();
const requests: Awaited<ReturnType<typeof requestToken>>[] = [];
const blindMs = await perCall(async () => {
  requests.push(await requestToken(key.publicKey, scope, signer));
});
const blindSignatures: string[] = [];
resetRateLimits();
const issueMs = await perCall((i) => {
  const user = staff[N + i];
  const request = requests[i];
  if (!user || !request) throw new Error("too few");
  blindSignatures.push(
    issuePetitionToken(anonymousPetition.id, user, Buffer.from(request.blindedMessage, "base64url")).toString(
      "base64url",
    ),
  );
});
const tokens: string[] = [];
const finalizeMs = await perCall(async (i) => {
  const request = requests[i];
  const blind = blindSignatures[i];
  if (!request || !blind) throw new Error("too few");
  tokens.push(await finalizeToken(key.publicKey, request, blind));
});
resetRateLimits();
const redeemMs = await perCall(async (i) => {
  resetRateLimits();
  await redeemAnonymously({
    petitionId: anonymousPetition.id,
    message: requests[i]?.message ?? "",
    signature: tokens[i] ?? "",
    ip: null,
  });
});
const publicMs = await perCall(async (i) => {
  resetRateLimits();
  const user = staff[i];
  if (!user) throw new Error("too few");
  await signPetition({ noAnonymousSignature: true, petitionId: publicPetition.id, user, ip: null });
});

// ── A person's first full run at BENCH_OPEN open petitions (ADR 0038) ──────────────────────────────
const OPEN = Number(process.env.BENCH_OPEN ?? 200);
const RUNNERS = Number(process.env.BENCH_RUNNERS ?? 3);
const STAFF = Number(process.env.BENCH_STAFF ?? 80_000);
const cpuMs = (since: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};
const open = [];
for (let i = 0; i < OPEN; i++) open.push(openPetition(`Benchmark petition ${i} of a full run`));
const targets = open.map((p) => {
  const view = petitionKeyView(p.id);
  if (!view) throw new Error("a petition has no key");
  return {
    petition: p,
    scope: `petition:${p.id}`,
    issuer: { publicKey: view.publicKey, fingerprint: view.fingerprint },
  };
});
const runs: { derive: number; finalize: number; wall: number; issue: number; resign: number }[] = [];
for (let k = 0; k < RUNNERS; k++) {
  const person = staff[2 * N + k];
  if (!person) throw new Error("too few people");
  const secret = newWalletSecret();
  const wallStart = performance.now();
  let since = process.cpuUsage();
  const derived: Awaited<ReturnType<typeof deriveRequest>>[] = [];
  for (const target of targets) derived.push(await deriveRequest(secret, target.scope, target.issuer));
  const derive = cpuMs(since);
  resetRateLimits();
  since = process.cpuUsage();
  const blinds = targets.map((target, i) =>
    issuePetitionToken(
      target.petition.id,
      person,
      Buffer.from(derived[i]?.blindedMessage ?? "", "base64url"),
    ),
  );
  const issue = cpuMs(since);
  since = process.cpuUsage();
  for (const [i, target] of targets.entries()) {
    const request = derived[i];
    const blind = blinds[i];
    if (!request || !blind) throw new Error("too few");
    await finalizeDerived(target.issuer, request, blind.toString("base64url"));
  }
  const finalize = cpuMs(since);
  const wall = performance.now() - wallStart;
  // Another device of the same person asks again: the same requests, the same answers.
  since = process.cpuUsage();
  for (const [i, target] of targets.entries())
    issuePetitionToken(
      target.petition.id,
      person,
      Buffer.from(derived[i]?.blindedMessage ?? "", "base64url"),
    );
  const resign = cpuMs(since);
  runs.push({ derive, finalize, wall, issue: issue / OPEN, resign: resign / OPEN });
}
// Re-signing from a stored hash: the blind signature itself (node:crypto raw RSA and its check).
const someKey = getDb()
  .select()
  .from(blindKeys)
  .where(eq(blindKeys.scope, targets[0]?.scope ?? ""))
  .get();
if (!someKey?.privateKey) throw new Error("no key");
const sample = Buffer.from(
  (
    await deriveRequest(
      newWalletSecret(),
      targets[0]?.scope ?? "",
      targets[0]?.issuer ?? { publicKey: "", fingerprint: "" },
    )
  ).blindedMessage,
  "base64url",
);
let since = process.cpuUsage();
for (let i = 0; i < N; i++)
  blindSign({ publicKey: someKey.publicKey, privateKey: someKey.privateKey }, sample);
const blindSignMs = cpuMs(since) / N;
since = process.cpuUsage();
for (let i = 0; i < N; i++)
  await deriveSignerKey(
    newWalletSecret(),
    targets[0]?.scope ?? "",
    targets[0]?.issuer ?? { publicKey: "", fingerprint: "" },
  );
const signerKeyMs = cpuMs(since) / N;

// Bytes per issuance row: the real token_issuance table filled to STAFF people × 3 petitions, by
// copying the rows issued above (same sizes; foreign keys off for the copy, as only the bytes count),
// then its b-tree and its indexes' pages read with dbstat. Beside it, the layout ADR 0038 plans
// (scope, person, day, SHA-256 of the blinded message), in scratch tables, three ways.
const sqlite = (getDb() as unknown as { $client: import("better-sqlite3").Database }).$client;
type Column = { name: string };
const columns = (sqlite.prepare("pragma table_info(token_issuance)").all() as Column[]).map((c) => c.name);
const pageBytes = (tables: string[]) =>
  (
    sqlite
      .prepare(
        `select coalesce(sum(pgsize), 0) bytes from dbstat where name in (${tables.map(() => "?").join(",")})`,
      )
      .get(...tables) as { bytes: number }
  ).bytes;
const indexesOf = (table: string) =>
  (
    sqlite.prepare("select name from sqlite_master where type = 'index' and tbl_name = ?").all(table) as {
      name: string;
    }[]
  ).map((r) => r.name);
const scopes = targets.slice(0, 3).map((t) => t.scope);
const template = sqlite
  .prepare(`select ${columns.map((c) => `"${c}"`).join(", ")} from token_issuance where scope = ? limit 1`)
  .get(scopes[0]) as Record<string, unknown>;
sqlite.pragma("foreign_keys = off");
sqlite.exec("delete from token_issuance");
const copy = sqlite.prepare(
  `insert into token_issuance (${columns.map((c) => `"${c}"`).join(", ")}) values (${columns.map((c) => `@${c}`).join(", ")})`,
);
sqlite.transaction(() => {
  for (const scope of scopes)
    for (let person = 1; person <= STAFF; person++) copy.run({ ...template, scope, person_id: person });
})();
const issuanceRows = STAFF * scopes.length;
const realBytes = pageBytes(["token_issuance", ...indexesOf("token_issuance")]) / issuanceRows;
const planned = {
  "rowid table, primary key (scope, person), hash as hex":
    "create table plan_a (scope text not null, person_id integer not null, issued_on integer not null, blinded_hash text not null, primary key (scope, person_id))",
  "WITHOUT ROWID, hash as hex":
    "create table plan_b (scope text not null, person_id integer not null, issued_on integer not null, blinded_hash text not null, primary key (scope, person_id)) without rowid",
  "WITHOUT ROWID, hash as a 32-byte blob":
    "create table plan_c (scope text not null, person_id integer not null, issued_on integer not null, blinded_hash blob not null, primary key (scope, person_id)) without rowid",
};
const plannedRows: string[][] = [];
for (const [label, ddl] of Object.entries(planned)) {
  sqlite.exec(ddl);
  const name = /create table (\w+)/.exec(ddl)?.[1] ?? "";
  const blob = ddl.includes("blob");
  const insert = sqlite.prepare(`insert into ${name} values (?, ?, ?, ?)`);
  sqlite.transaction(() => {
    for (const scope of scopes)
      for (let person = 1; person <= STAFF; person++) {
        const hash = globalThis.crypto.getRandomValues(new Uint8Array(32)) as Uint8Array;
        insert.run(
          scope,
          person,
          1_780_000_000,
          blob ? Buffer.from(hash) : Buffer.from(hash).toString("hex"),
        );
      }
  })();
  plannedRows.push([
    `other layouts, for comparison: ${label}`,
    `${Math.round(pageBytes([name, ...indexesOf(name)]) / issuanceRows)} B`,
  ]);
}

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const budget = [
  [
    `browser CPU of a first full run: derive ${OPEN} requests (Node as the browser's stand-in)`,
    ms(mean(runs.map((r) => r.derive))),
  ],
  [`browser CPU: finalize and check ${OPEN} blind signatures`, ms(mean(runs.map((r) => r.finalize)))],
  [
    `browser CPU of the whole run (${OPEN} tokens; budget 20 s)`,
    ms(mean(runs.map((r) => r.derive + r.finalize))),
  ],
  ["wall time of the run, in one process with the server's work", ms(mean(runs.map((r) => r.wall)))],
  ["browser CPU: a derived signer key (when signing)", ms(signerKeyMs)],
  ["server CPU per token issued (issuePetitionToken; budget 2 ms)", ms(mean(runs.map((r) => r.issue)))],
  [
    "server CPU per token asked again (issuePetitionToken, same request)",
    ms(mean(runs.map((r) => r.resign))),
  ],
  ["server CPU per blind signature (re-signing from a hash: blindSign and its check)", ms(blindSignMs)],
  [
    `bytes per issuance row, token_issuance as it is (${issuanceRows.toLocaleString("en")} rows; budget 100)`,
    `${Math.round(realBytes)} B`,
  ],
  ...plannedRows,
];
const budgetReport = `A person's first full run at ${OPEN} open petitions (${RUNNERS} people, CPU from process.cpuUsage), and issuance rows at ${STAFF.toLocaleString("en")} people × ${scopes.length} petitions\n\n${table(["measure", "figure"], budget)}`;

const rows = [
  ["public signature (signPetition), the baseline", ms(publicMs), "100 %"],
  [
    "issuing a token (blind signature + re-check + row)",
    ms(issueMs),
    `${Math.round((issueMs / publicMs) * 100)} %`,
  ],
  ["redeeming (verify + hold for the batch)", ms(redeemMs), `${Math.round((redeemMs / publicMs) * 100)} %`],
  ["client: prepare + blind (WebCrypto, Node)", ms(blindMs), ""],
  ["client: finalize + check (WebCrypto, Node)", ms(finalizeMs), ""],
];
const report = `Anonymity costs, ${today()}, ${N} each, ${about}\n\n${table(["step", "per call", "of a public signature"], rows)}\n\n${budgetReport}`;
console.log(report);
writeLatest("anonymity", report);
