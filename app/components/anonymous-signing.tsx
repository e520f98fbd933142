import { useCallback, useEffect, useRef, useState } from "react";
import { type IntlShape, useIntl } from "react-intl";
import {
  anonymityAvailable,
  ensureReady,
  startBackgroundIssuance,
  watchIssuance,
} from "../browser/background-tokens";
import { receiptOf } from "../browser/derived-tokens";
import { followOnThisDevice } from "../browser/followed-petitions";
import { WalletError, type WalletWords } from "../browser/wallet/http";
import type { Progress } from "../browser/wallet/issuance-run";
import { moveLegacyEntries } from "../browser/wallet/legacy";
import {
  actOnSignature,
  heldPetition,
  markSignedPublicly,
  needsResend,
  reconcile,
  rememberTitle,
  resendUncounted,
  signAnonymously,
  tokenForPublicSigning,
} from "../browser/wallet/signing";
import { type Digest, fetchDigest, nextDigestIn, resendDelay, whenCounted } from "../browser/wallet/status";
import { readRun, walletSecret } from "../browser/wallet/store";
import type { HeldPetition, Token } from "../browser/wallet/types";
import { walletWordsIn, wordsOfWalletError } from "../browser/wallet/words";
import { useFormat } from "../i18n/format";
import { translatorOf, useT } from "../i18n/translate";

/**
 * The petition page's side of anonymous signing. It runs in the browser: the server cannot know who
 * signed anonymously, so only this device (with the public digest every view downloads alike) can
 * say "you signed".
 */

export type PetitionKey = { publicKey: string; fingerprint: string } | null;

export const SETUP_PATH = "/my/anonymous-signing";

const messageOf = (error: unknown, intl: IntlShape) =>
  wordsOfWalletError(error, intl) ?? translatorOf(intl)("signing.error.unknown");

type Pause = { paused?: string | null; pausedWords?: WalletWords | null };

/** Why runs ask for nothing, in the reader's words (the English kept with it when it has none). */
const pauseWords = (pause: Pause, intl: IntlShape) =>
  walletWordsIn(pause.pausedWords, pause.paused ?? "", intl) || null;

/** A run's pause, kept as the run recorded it (worded when shown), or null. */
const pauseOf = (pause: Pause | null | undefined): Pause | null => (pause?.paused ? pause : null);

/** How far this device's run got, or why it asked for nothing (the public log's witness, say), in the reader's words. */
export function useProgressLine() {
  const intl = useIntl();
  const t = translatorOf(intl);
  return (progress: Progress | null) => {
    if (progress?.paused)
      return pauseWords({ paused: progress.paused, pausedWords: progress.pausedWords }, intl);
    return progress && !progress.completed
      ? t("signing.progress", { done: progress.done, total: progress.total })
      : null;
  };
}

/** The same in English, for pages not yet speaking the reader's language (useProgressLine replaces it). */
export function progressLine(progress: Progress | null) {
  if (progress?.paused) return progress.paused;
  return progress && !progress.completed
    ? `Getting this device ready for anonymous signing: ${progress.done.toLocaleString("en")} of ${progress.total.toLocaleString("en")}`
    : null;
}

export function useAnonymousSigning(
  petition: { id: number; slug: string; title: string },
  key: PetitionKey,
  signedPublicly: boolean,
) {
  const intl = useIntl();
  const t = translatorOf(intl);
  const scope = `petition:${petition.id}`;
  const [available, setAvailable] = useState(false);
  const [hasWallet, setHasWallet] = useState<boolean | null>(null);
  const [entry, setEntry] = useState<HeldPetition | undefined>();
  const [digest, setDigest] = useState<Digest | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  /** Why this device's runs ask for nothing now (a witness has not confirmed the public log lately). */
  const [paused, setPaused] = useState<Pause | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const digestRef = useRef<Digest | null>(null);

  useEffect(() => {
    const usable = anonymityAvailable();
    setAvailable(usable);
    if (!usable) return;
    let stopped = false;
    const timers: ReturnType<typeof setTimeout>[] = [];
    const stopWatching = watchIssuance((p) => {
      if (stopped) return;
      setProgress(p);
      if (p.paused) setPaused(pauseOf(p));
      if (p.completed) {
        setPaused(null);
        void heldPetition(petition.id).then(setEntry);
      }
    });
    const refresh = async () => {
      const latest = await fetchDigest(petition.id);
      if (stopped) return;
      if (latest) {
        digestRef.current = latest;
        setDigest(latest);
        const current = await reconcile(petition.id, latest);
        if (stopped) return;
        setEntry(current);
        // The server restarted since this device sent something it has not counted: send it
        // again, after a random 2–15 minutes (never right after the page loaded).
        if (needsResend(current, latest)) {
          timers.push(
            setTimeout(() => {
              void resendUncounted(petition.id, latest).then(
                (next) => !stopped && setEntry(next),
                () => undefined,
              );
            }, resendDelay()),
          );
        }
      }
      timers.push(setTimeout(() => void refresh(), nextDigestIn(latest, Date.now())));
    };
    void (async () => {
      await moveLegacyEntries();
      const secret = await walletSecret();
      if (stopped) return;
      setHasWallet(secret !== null);
      setPaused(pauseOf(await readRun()));
      if (signedPublicly) await markSignedPublicly(petition.id);
      await rememberTitle(petition.id, petition.title);
      setEntry(await heldPetition(petition.id));
      // A petition this device's last run did not cover starts a run now (for every viewer alike).
      if (key) {
        void startBackgroundIssuance(scope).then(async () => {
          if (stopped) return;
          setEntry(await heldPetition(petition.id));
          setPaused(pauseOf(await readRun()));
        });
      }
      await refresh();
    })();
    return () => {
      stopped = true;
      stopWatching();
      for (const timer of timers) clearTimeout(timer);
    };
  }, [petition.id, petition.title, signedPublicly, key, scope]);

  const run = useCallback(
    async (label: string, step: () => Promise<HeldPetition>) => {
      setBusy(label);
      setError(null);
      try {
        setEntry(await step());
      } catch (problem) {
        setError(messageOf(problem, intl));
        setEntry(await heldPetition(petition.id));
      } finally {
        setBusy(null);
        setProgress(null);
      }
    },
    [petition.id, intl],
  );

  const signedAnonymously = Boolean(
    entry?.token && (entry.status === "pending" || entry.status === "counted"),
  );
  return {
    available,
    hasWallet,
    entry,
    digest,
    progress,
    paused: paused ? pauseWords(paused, intl) : null,
    busy,
    error,
    /** Whether this device says its person signed here anonymously (standing, pending or withdrawn). */
    signedAnonymously,
    /** This device holds an unspent signature for the petition: a public signature spends it. */
    holdsUnspent: Boolean(entry?.token && entry.status === "unused"),
    sign: (reason: string | null) =>
      void run(t("signing.busy.signing"), async () => {
        if (!(await walletSecret())) throw new WalletError(t("signing.error.notSetUp"));
        await ensureReady(scope, setProgress);
        setProgress(null);
        const held = await heldPetition(petition.id);
        if (held?.refused?.reason === "issued-otherwise")
          throw new WalletError(t("signing.refusal.issuedOtherwise"));
        const signed = await signAnonymously(petition.id, reason, digestRef.current?.bootId ?? null);
        // Its news comes to this device's notifications, from the feed every browser reads.
        followOnThisDevice(petition.id);
        return signed;
      }),
    /** Before a public signature: this device's unspent signature, so that it is spent on it (or null). */
    preparePublic: async (): Promise<Token | null> => {
      if (!available) return null;
      return tokenForPublicSigning(petition.id).catch(() => null);
    },
    act: (action: "withdraw" | "sign") =>
      void run(action === "withdraw" ? t("signing.busy.withdrawing") : t("signing.busy.signingAgain"), () =>
        actOnSignature(petition.id, action, digestRef.current?.bootId ?? null),
      ),
  };
}

/** What a petition page knows of this device's anonymous signature, and what it can do with it. */
export type AnonymousSigning = ReturnType<typeof useAnonymousSigning>;

/** What this device holds of its anonymous signature: pending, counted (with its receipt), withdrawn. */
export function AnonymousReceipt({ signing }: { signing: AnonymousSigning }) {
  const t = useT();
  const format = useFormat();
  const { entry, busy, error, digest } = signing;
  if (!entry?.token || (entry.status !== "pending" && entry.status !== "counted")) return null;
  const counted = entry.status === "counted";
  const receipt = receiptOf(entry.token.tokenId);
  return (
    <section className="card receipt" aria-labelledby="anonymous-receipt-title">
      <h2 id="anonymous-receipt-title">
        {entry.standing || !counted ? t("signing.anonReceipt.signed") : t("signing.anonReceipt.withdrew")}
      </h2>
      {counted ? (
        <p>{t("signing.anonReceipt.counted")}</p>
      ) : (
        <p role="status">
          {t("signing.anonReceipt.waiting")}{" "}
          {digest ? `${whenCounted(digest, Date.now(), { t, format })} ` : null}
          {t("signing.anonReceipt.minHolders", { count: digest?.batch.minHolders ?? 20 })}
        </p>
      )}
      {entry.pendingAction ? (
        <p role="status">
          {digest
            ? t("signing.anonReceipt.pendingWhen", {
                action: entry.pendingAction.action,
                when: whenCounted(digest, Date.now(), { t, format }),
              })
            : t("signing.anonReceipt.pending", { action: entry.pendingAction.action })}
        </p>
      ) : null}
      <p>
        {t.rich("signing.anonReceipt.receipt", { code: <code className="receipt-code">{receipt}</code> })}
      </p>
      {error ? (
        <p className="flash flash-error" role="alert">
          {error}
        </p>
      ) : null}
      {counted && !entry.pendingAction ? (
        <button
          type="button"
          className={entry.standing ? "danger" : undefined}
          disabled={busy !== null}
          onClick={() => signing.act(entry.standing ? "withdraw" : "sign")}
        >
          {busy ?? (entry.standing ? t("signing.anonReceipt.withdraw") : t("signing.anonReceipt.signAgain"))}
        </button>
      ) : null}
      <p className="hint">
        {/* A plain link: a router link appearing only after signing would make the router fetch its
            route manifest, one request a signer's visit has and a viewer's has not. */}
        {t.rich("signing.anonReceipt.anyDevice", { link: (chunks) => <a href={SETUP_PATH}>{chunks}</a> })}
      </p>
    </section>
  );
}
