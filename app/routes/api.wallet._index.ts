import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { z } from "zod";
import { createWallet, walletOf } from "../domain/people/wallets.server";
import { apiRefusal } from "../web/refusal-reply.server";
import { readJson } from "../web/request.server";
import { requireApiUser } from "../web/session.server";

const NO_STORE = { "Cache-Control": "no-store" };

/**
 * GET /api/wallet — the signed-in person's wallet record (ADR 0038): null, or its check and the
 * secret as wrapped by each of their passkeys. A device without the secret unlocks it from these.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireApiUser(request);
  return json({ wallet: walletOf(user.id) }, { headers: NO_STORE });
}

const body = z.object({
  check: z.string().regex(/^[0-9a-f]{32}$/, "the wallet check, 32 lower-case hex characters"),
});

/** POST /api/wallet `{check}` — records a new wallet; 409 when the person has one already. */
export async function action({ request }: ActionFunctionArgs) {
  const user = await requireApiUser(request);
  const { check } = await readJson(request, body);
  try {
    createWallet(user.id, check);
    return json({ wallet: walletOf(user.id) }, { status: 201, headers: NO_STORE });
  } catch (error) {
    return apiRefusal(error);
  }
}
