import type { ActionFunctionArgs } from "@remix-run/node";
import { acceptCosignatures } from "../platform/transparency/witnessing.server";
import { logAnswer } from "../web/log-answers.server";
import { readText } from "../web/request.server";

/**
 * POST /api/log/cosignature — a witness's cosignature (the checkpoint as a signed note carrying its
 * line, text/plain). Accepted only from a witness listed in WITNESSES, only verifying, only for a
 * checkpoint this log signed: no session is needed, the signature is the credential.
 */
export async function action({ request }: ActionFunctionArgs) {
  if (request.method !== "POST") return new Response("Only POST.\n", { status: 405 });
  const text = await readText(request, 16 * 1024);
  return logAnswer(() => {
    acceptCosignatures(text, Date.now());
    return new Response(null, { status: 204 });
  });
}
