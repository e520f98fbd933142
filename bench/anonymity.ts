/**
 * What anonymity costs, in the same process on the same database file:
 * - the server's work per issued token (issuePetitionToken: the blind signature with node:crypto,
 *   its re-check, the issuance row) and per redemption verified and held (redeemAnonymously), against
 *   a public signature through signPetition — the baseline;
 * - the client's work per token with @cloudflare/blindrsa-ts on WebCrypto (prepare + blind, and
 *   finalize), here in Node's WebCrypto, the same module the browser's worker runs.
 *
 *   npm run bench:anonymity     (BENCH_N=300 tokens by default)
 */
import { benchCompany } from "./setup";

const { machine, ms, table, today, writeLatest } = await import("./report");
const { signPetition } = await import("../app/domain/petitions/signing.server");
const { issuePetitionToken, petitionKeyView } = await import("../app/domain/petitions/petition-keys.server");
const { redeemAnonymously } = await import("../app/domain/petitions/anonymous-signing.server");
const { resetRateLimits } = await import("../app/platform/rate-limits.server");
const { finalizeToken, newSignerKey, requestToken } = await import("../app/browser/blind-tokens");

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
const report = `Anonymity costs, ${today()}, ${N} each, ${about}\n\n${table(["step", "per call", "of a public signature"], rows)}`;
console.log(report);
writeLatest("anonymity", report);
