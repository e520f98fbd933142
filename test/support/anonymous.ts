import { ANONYMOUS_MIN_HOLDERS } from "../../app/config/environment.server";
import { fetchToken, type HeldToken, redeem } from "../../app/demo/anonymous-signer.server";
import { rolesOf } from "../../app/domain/identity/permissions.server";
import type { User } from "../../app/domain/identity/sessions.server";
import { findPersonByEmail } from "../../app/domain/people/directory.server";
import { importDirectory } from "../../app/domain/people/directory-import.server";
import { commitAnonymousBatches } from "../../app/domain/petitions/anonymous-signing.server";
import { signPetition } from "../../app/domain/petitions/signing.server";
import { scopeKey } from "../../app/platform/anonymity/token-issuance.server";
import { petitionScope } from "../../app/platform/anonymity/token-messages";
import { CLI_ACTOR } from "../../app/platform/security/audit.server";
import { getDb } from "../../db/client";

/**
 * Colleagues who hold the petition's token (issued through the real issuance, as their browsers'
 * background runs would), added to the directory as needed until at least ANONYMOUS_MIN_HOLDERS
 * (20) hold it: a petition counts no anonymous signature with fewer. They sign nothing. The
 * published `tokensIssued` moves at the next batch boundary, as ever. Returns the holders added.
 */
export async function giveTokenHolders(
  petition: { id: number },
  at = Date.now(),
  atLeast = ANONYMOUS_MIN_HOLDERS,
): Promise<User[]> {
  const issued = scopeKey(getDb(), petitionScope(petition.id))?.issued ?? 0;
  const emails = Array.from(
    { length: Math.max(0, atLeast - issued) },
    (_, i) => `holder${i + 1}.petition${petition.id}@corp.example`,
  );
  if (emails.length === 0) return [];
  importDirectory(
    `email,name,department,location\n${emails.map((e, i) => `${e},Token Holder ${i + 1},Engineering,London`).join("\n")}\n`,
    CLI_ACTOR,
  );
  const holders: User[] = [];
  for (const email of emails) {
    const person = findPersonByEmail(getDb(), email);
    if (!person) throw new Error(`${email} missing`);
    const holder = { ...person, roles: rolesOf(person.id) };
    await fetchToken(petition, holder, at);
    holders.push(holder);
  }
  return holders;
}

/**
 * Signs anonymously through the whole protocol (a token issued to `user`, redeemed without them) and
 * writes the petition's batch at once (its holders made up to 20 first): for tests that need an
 * anonymous signature counted, not the batching itself.
 */
export async function signAnonymously(
  petitionId: number,
  user: User,
  options: { reason?: string; at?: number } = {},
): Promise<HeldToken> {
  const token = await fetchToken({ id: petitionId }, user, options.at);
  await giveTokenHolders({ id: petitionId }, options.at);
  await redeem(token, options);
  await commitAnonymousBatches(options.at ?? Date.now(), petitionId);
  return token;
}

/** A public signature from no address (the one place to change if signing changes its input). */
export const signPublicly = (petitionId: number, user: User, at?: number) =>
  signPetition({ noAnonymousSignature: true, petitionId, user, ip: null }, at);

/**
 * Signs publicly (signPetition, as the no-JavaScript form does) or anonymously (through the
 * protocol, counted at once): for tests that sign both ways.
 */
export async function signAs(
  visibility: "public" | "anonymous",
  input: { petitionId: number; user: User; reason?: string; wantsUpdates?: boolean; ip: string | null },
  at?: number,
): Promise<void> {
  if (visibility === "public") await signPetition({ ...input, noAnonymousSignature: true }, at);
  else await signAnonymously(input.petitionId, input.user, { reason: input.reason, at });
}
