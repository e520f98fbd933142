/**
 * A second writer on a test's database, as a live server is to the CLI: run as its own process,
 * `node --import tsx test/support/signing-process.ts PETITION_ID ROUNDS PERSON_ID...`, it signs for
 * each person and then withdraws each, ROUNDS times, one transaction per change. DATABASE_URL and
 * the data folder's session secret are the test's.
 */
import { resetRateLimits } from "../../app/models/rate-limits.server";
import type { User } from "../../app/models/sessions.server";
import { signPetition, withdrawSignature } from "../../app/models/signatures.server";
import { closeDb } from "../../db/client";

const [petitionId, rounds, ...personIds] = process.argv.slice(2).map(Number);
const users: User[] = personIds.map((id) => ({
  id,
  email: `person${id}@corp.example`,
  name: null,
  department: null,
  location: null,
  roles: [],
}));
for (let round = 0; round < (rounds ?? 0); round++) {
  // The per-person limit would stop a person signing more than 30 times in ten minutes.
  resetRateLimits();
  for (const user of users)
    signPetition({ petitionId: petitionId ?? 0, user, visibility: "public", ip: null });
  for (const user of users) withdrawSignature(petitionId ?? 0, user);
}
closeDb();
