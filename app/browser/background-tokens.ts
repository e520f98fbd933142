/**
 * Starts background issuance (app/browser/token-worker.ts) at most once an hour per browser, on
 * signed-in pages, where WebCrypto exists (a secure context: https or localhost).
 */
const LAST_RUN = "undersigned:tokens-fetched-at";
const EVERY_MS = 60 * 60_000;

export const anonymityAvailable = () =>
  typeof window !== "undefined" && window.isSecureContext && Boolean(window.crypto?.subtle);

export function startBackgroundIssuance(onDone?: (result: { petitions: number; policies: number }) => void) {
  if (!anonymityAvailable() || typeof Worker === "undefined") return;
  const last = Number(localStorage.getItem(LAST_RUN) ?? 0);
  if (Date.now() - last < EVERY_MS) return;
  localStorage.setItem(LAST_RUN, String(Date.now()));
  const worker = new Worker(new URL("./token-worker.ts", import.meta.url), { type: "module" });
  worker.onmessage = (event: MessageEvent<{ petitions: number; policies: number }>) => {
    worker.terminate();
    onDone?.(event.data);
  };
}

/** Forgets when tokens were last fetched (with the wallet), so the next page fetches them again. */
export const forgetBackgroundRun = () => localStorage.removeItem(LAST_RUN);
