import { fetchToken, type HeldToken, redeem } from "../../app/demo/anonymous-signer.server";
import type { User } from "../../app/domain/identity/sessions.server";
import { commitAnonymousBatches } from "../../app/domain/petitions/anonymous-signing.server";
import { signPetition } from "../../app/domain/petitions/signing.server";

/**
 * Signs anonymously through the whole protocol (a token issued to `user`, redeemed without them) and
 * writes the petition's batch at once, as the scheduler would: for tests that need an anonymous
 * signature counted, not the batching itself.
 */
export async function signAnonymously(
  petitionId: number,
  user: User,
  options: { reason?: string; at?: number } = {},
): Promise<HeldToken> {
  const token = await fetchToken({ id: petitionId }, user, options.at);
  await redeem(token, options);
  await commitAnonymousBatches(options.at ?? Date.now(), petitionId);
  return token;
}

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
