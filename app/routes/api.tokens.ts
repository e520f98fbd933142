import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { z } from "zod";
import { ISSUANCE_BATCH, issuanceTargets, issueRequested } from "../domain/petitions/issuance-runs.server";
import { apiRefusal } from "../web/refusal-reply.server";
import { readJson } from "../web/request.server";
import { requireApiUser } from "../web/session.server";

const NO_STORE = { "Cache-Control": "no-store" };

/**
 * GET /api/tokens — what a device holding the person's wallet fetches tokens for, in full background
 * runs: every open petition's key and this week's feedback key of every policy, ordered by scope.
 * Public and read without a cookie (the keys are published anyway): one list for everyone, so no
 * person can be handed a key of their own (docs/anonymity.md).
 */
export function loader(_: LoaderFunctionArgs) {
  return json(issuanceTargets(), { headers: NO_STORE });
}

const body = z.object({
  requests: z
    .array(
      z.object({
        scope: z.string().max(40),
        blindedMessage: z.string().regex(/^[A-Za-z0-9_-]{300,400}$/, "a blinded message, base64url"),
      }),
    )
    .min(1)
    .max(ISSUANCE_BATCH),
});

/**
 * POST /api/tokens — a batch of blinded messages, each answered with its blind signature or why not
 * (`refused`: signed-publicly, issued-otherwise, not-open, frozen, not-eligible, with a message).
 * The same blinded message again gets the same signature. The server never sees the tokens.
 */
export async function action({ request }: ActionFunctionArgs) {
  const user = await requireApiUser(request);
  const { requests } = await readJson(request, body, 64 * 1024);
  try {
    const results = await issueRequested(
      user,
      requests.map((r) => ({ scope: r.scope, blindedMessage: Buffer.from(r.blindedMessage, "base64url") })),
    );
    return json({ results }, { headers: NO_STORE });
  } catch (error) {
    return apiRefusal(error);
  }
}
