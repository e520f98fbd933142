import type { ActionFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { z } from "zod";
import { addWalletPasskey, walletOf } from "../domain/people/wallets.server";
import { apiRefusal } from "../web/refusal-reply.server";
import { readJson } from "../web/request.server";
import { requireApiUser } from "../web/session.server";

const body = z.object({
  // A WebAuthn credential id is at most 1,023 bytes.
  credentialId: z.string().regex(/^[A-Za-z0-9_-]{16,1364}$/, "a passkey's credential id, base64url"),
  wrapped: z.string().regex(/^[A-Za-z0-9_.:-]{20,512}$/, "the wrapped secret, base64url"),
});

/**
 * POST /api/wallet/passkeys `{credentialId, wrapped}` — stores the wallet secret as wrapped by one of
 * the person's passkeys (the server cannot unwrap it). At most MAX_WALLET_PASSKEYS.
 */
export async function action({ request }: ActionFunctionArgs) {
  const user = await requireApiUser(request);
  const passkey = await readJson(request, body);
  try {
    addWalletPasskey(user.id, passkey);
    return json({ wallet: walletOf(user.id) }, { status: 201, headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    return apiRefusal(error);
  }
}

export const loader = () => json({ error: "POST a passkey's wrapped secret." }, { status: 405 });
