import type { ActionFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { z } from "zod";
import { resetWallet } from "../domain/people/wallets.server";
import { readJson } from "../web/request.server";
import { requireApiUser } from "../web/session.server";

const body = z.object({
  confirm: z.literal("reset", { message: 'send "reset" to confirm' }),
});

/**
 * POST /api/wallet/reset `{confirm: "reset"}` — forgets the person's wallet and its passkeys' copies
 * (they lost the recovery code and every passkey). Public signing is unaffected.
 */
export async function action({ request }: ActionFunctionArgs) {
  const user = await requireApiUser(request);
  await readJson(request, body);
  const had = resetWallet(user.id);
  return json({ wallet: null, reset: had }, { headers: { "Cache-Control": "no-store" } });
}

export const loader = () => json({ error: 'POST {"confirm": "reset"}.' }, { status: 405 });
