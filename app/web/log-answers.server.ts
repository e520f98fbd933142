import { json } from "@remix-run/node";
import { Refusal } from "../platform/refusal";

/**
 * The public log's answers (docs/api.md): never cached by a shared cache (a checkpoint grows), and a
 * refusal as plain words at its status — text for the note endpoints a witness reads, JSON for the rest.
 */
const NO_STORE = { "Cache-Control": "no-store" };

export function logText(read: () => string): Response {
  return logAnswer(
    () => new Response(read(), { headers: { ...NO_STORE, "Content-Type": "text/plain; charset=utf-8" } }),
  );
}

export function logJson(read: () => unknown): Response {
  try {
    return json(read(), { headers: NO_STORE });
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    return json({ error: error.message }, { status: error.status, headers: NO_STORE });
  }
}

export function logAnswer(answer: () => Response): Response {
  try {
    return answer();
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    return new Response(`${error.message}\n`, {
      status: error.status,
      headers: { ...NO_STORE, "Content-Type": "text/plain; charset=utf-8" },
    });
  }
}
