/**
 * A second writer on a test's database, as a live server is to the CLI: run as its own process,
 * `node --import tsx test/support/signing-process.ts PETITION_ID PERSON_ID...`, it signs for each
 * person and then withdraws each, one transaction per change, round after round until its standard
 * input is closed; then it finishes the round, prints how many rounds it made and exits. Being
 * stopped by the test rather than after a fixed number of rounds lets the test decide how much
 * overlap it needs, however slow the machine. DATABASE_URL and the data folder's session secret are
 * the test's.
 */

import type { User } from "../../app/domain/identity/sessions.server";
import { signPetition, withdrawSignature } from "../../app/domain/petitions/signing.server";
import { resetRateLimits } from "../../app/platform/security/rate-limits.server";
import { closeDb } from "../../db/client";

const [petitionId = 0, ...personIds] = process.argv.slice(2).map(Number);
const users: User[] = personIds.map((id) => ({
  id,
  email: `person${id}@corp.example`,
  name: null,
  department: null,
  location: null,
  roles: [],
}));

let stopped = false;
process.stdin.on("end", () => {
  stopped = true;
});
process.stdin.resume();

let rounds = 0;
while (!stopped) {
  // The per-person limit would stop a person signing more than 30 times in ten minutes.
  resetRateLimits();
  for (const user of users) await signPetition({ noAnonymousSignature: true, petitionId, user, ip: null });
  for (const user of users) withdrawSignature(petitionId, user);
  rounds++;
  // Lets the stdin "end" event through between rounds.
  await new Promise((resolve) => setImmediate(resolve));
}
closeDb();
process.stdout.write(`${rounds}\n`);
