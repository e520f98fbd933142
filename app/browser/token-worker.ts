/// <reference lib="webworker" />
import { ensureFeedbackToken, ensurePetitionToken, type PetitionTarget } from "./wallet";

/**
 * Background issuance, off the page's thread: every signed-in browser fetches its tokens for the
 * newest open petitions and this week's feedback tokens for every policy, whatever its person means
 * to sign. That is what keeps the server's issuance list (who holds a token) from being a list of
 * who signs anonymously. Tokens already held cost nothing; a refusal is kept and not retried.
 */
type Targets = { petitions: PetitionTarget[]; policies: Array<{ id: number }> };

async function run() {
  const response = await fetch("/api/tokens", { headers: { Accept: "application/json" } });
  if (!response.ok) return { petitions: 0, policies: 0, failed: 1 };
  const targets = (await response.json()) as Targets;
  let petitions = 0;
  let policies = 0;
  let failed = 0;
  for (const target of targets.petitions) {
    try {
      if ((await ensurePetitionToken(target)).token) petitions++;
    } catch {
      failed++;
    }
  }
  for (const policy of targets.policies) {
    try {
      if ((await ensureFeedbackToken(policy.id)).token) policies++;
    } catch {
      failed++;
    }
  }
  return { petitions, policies, failed };
}

run().then(
  (result) => postMessage({ done: true, ...result }),
  () => postMessage({ done: true, petitions: 0, policies: 0, failed: 1 }),
);
