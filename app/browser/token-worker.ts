/// <reference lib="webworker" />
import { WalletError } from "./wallet/http";
import { PROGRESS_CHANNEL, type Progress, runIssuance } from "./wallet/issuance-run";

/**
 * The background run (wallet/issuance-run.ts), off the page's thread. It tells every tab how far it
 * got (a BroadcastChannel: a signer waiting in another tab sees the progress line move) and its page
 * when it is done.
 */
const channel = new BroadcastChannel(PROGRESS_CHANNEL);

self.addEventListener("message", (event: MessageEvent<{ scope?: string }>) => {
  runIssuance({ force: false, scope: event.data?.scope }, (progress: Progress) =>
    channel.postMessage(progress),
  ).then(
    (progress) => postMessage({ ok: true, ...progress }),
    (error: unknown) =>
      postMessage({
        ok: false,
        error: error instanceof Error ? error.message : "The run stopped.",
        // The page says it in the reader's words when the wallet has them.
        words: error instanceof WalletError ? error.words : undefined,
      }),
  );
});
