import { WalletError, type WalletWords } from "./wallet/http";
import { PROGRESS_CHANNEL, type Progress, runIsDue } from "./wallet/issuance-run";
import { moveLegacyEntries } from "./wallet/legacy";
import { readEntry, readRun, walletSecret } from "./wallet/store";
import type { HeldFeedbackPermission, HeldPetition } from "./wallet/types";

/**
 * Starts the background run (token-worker.ts) on signed-in pages of a device holding the wallet
 * secret, where WebCrypto exists (a secure context: https or localhost): at most hourly, at once
 * when a run was cut short, and whenever a page shows a target the last run did not cover. A signer
 * whose run has not completed waits for it (`ensureReady`): nothing is ever fetched at signing time.
 */

export const anonymityAvailable = () =>
  typeof window !== "undefined" && window.isSecureContext && Boolean(window.crypto?.subtle);

let running: Promise<Progress> | null = null;

function startWorker(scope?: string): Promise<Progress> {
  running ??= new Promise<Progress>((resolve, reject) => {
    const worker = new Worker(new URL("./token-worker.ts", import.meta.url), { type: "module" });
    worker.onmessage = (
      event: MessageEvent<Progress & { ok: boolean; error?: string; words?: WalletWords }>,
    ) => {
      worker.terminate();
      running = null;
      if (event.data.ok) resolve(event.data);
      else if (event.data.error) reject(new WalletError(event.data.error, event.data.words));
      else reject(new WalletError("This device could not get ready.", { key: "signing.device.notReady" }));
    };
    worker.onerror = () => {
      worker.terminate();
      running = null;
      reject(
        new WalletError(
          "This device could not get ready for anonymous signing. Reload the page to try again.",
          { key: "signing.device.notReadyReload" },
        ),
      );
    };
    worker.postMessage({ scope });
  });
  return running;
}

let retry: ReturnType<typeof setTimeout> | null = null;

/**
 * On every signed-in page: a run if one is due (nothing at all when this device has no secret). A
 * run that fails (the network, a busy server) is tried again on a timer, a few random minutes later,
 * never on a click: a run that started when someone pressed "Sign" would say who signs.
 */
export async function startBackgroundIssuance(scope?: string) {
  if (!anonymityAvailable() || typeof Worker === "undefined") return;
  await moveLegacyEntries();
  if (!(await walletSecret())) return;
  if (running || !runIsDue(await readRun(), Date.now(), scope)) return;
  await startWorker(scope).catch(() => {
    if (retry) return;
    retry = setTimeout(
      () => {
        retry = null;
        void startBackgroundIssuance(scope);
      },
      (2 + Math.random() * 8) * 60_000,
    );
  });
}

/** Every run's progress, from whichever tab runs it. */
export function watchIssuance(listener: (progress: Progress) => void): () => void {
  if (typeof BroadcastChannel === "undefined") return () => undefined;
  const channel = new BroadcastChannel(PROGRESS_CHANNEL);
  channel.onmessage = (event: MessageEvent<Progress>) => listener(event.data);
  return () => channel.close();
}

/** Whether this device's last run completed and holds what it could get for `scope`. */
export async function isReadyFor(scope: string): Promise<boolean> {
  if (running) return false;
  const run = await readRun();
  if (!run?.completedAt) return false;
  const held = await readEntry<HeldPetition | HeldFeedbackPermission>(scope);
  // A run that completed minutes ago without it (a petition no run covers: frozen, not open to
  // this person) is not run again for a click: the page says there is nothing to sign with.
  const recent = Date.now() - run.completedAt < 10 * 60_000;
  return Boolean(held?.token || held?.refused || run.scopes.includes(scope) || recent);
}

/**
 * Waits until this device's run in progress has completed, reporting its progress: a signer before
 * their run completes sees "Getting this device ready …". It never starts one (a run that began at the
 * click would say who signs): without a run in progress, the page says to try again shortly.
 */
export async function ensureReady(scope: string, onProgress: (progress: Progress) => void): Promise<void> {
  // A paused log (a silent witness, a log that cannot be trusted) pauses anonymous signing for every
  // device alike, a signature already held included: the words say why, public signing goes on.
  const last = await readRun();
  if (!running && last?.paused) throw new WalletError(last.paused, last.pausedWords ?? undefined);
  if (await isReadyFor(scope)) return;
  if (!running) {
    throw new WalletError(
      "This device is still getting ready for anonymous signing: it keeps trying in the background while a page of Undersigned is open. Try again in a few minutes, or sign publicly.",
      { key: "signing.device.stillGettingReady" },
    );
  }
  const stop = watchIssuance(onProgress);
  try {
    const run = await readRun();
    if (run) onProgress({ done: run.done, total: run.total, completed: false });
    await running;
  } finally {
    stop();
  }
  if (!(await isReadyFor(scope))) {
    throw new WalletError(
      "This device could not get ready for this petition yet. Try again in a few minutes, or sign publicly.",
      { key: "signing.device.notReadyForPetition" },
    );
  }
}
