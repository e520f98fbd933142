import { Link } from "@remix-run/react";
import { useCallback, useEffect, useState } from "react";
import { anonymityAvailable } from "../browser/background-tokens";
import {
  actOnSignature,
  markSignedPublicly,
  type PetitionTarget,
  type PetitionToken,
  petitionToken,
  prepareTokenForPublicSigning,
  refreshPetitionToken,
  signAnonymously,
  WalletError,
} from "../browser/wallet";

/**
 * The petition page's side of anonymous signing. Everything here runs in the browser: the server
 * cannot know who signed anonymously, so only this browser's wallet can say "you signed".
 */

export type PetitionKey = { publicKey: string; fingerprint: string } | null;

const messageOf = (error: unknown) =>
  error instanceof WalletError
    ? error.message
    : "Something went wrong on this device; nothing was counted. Try again.";

export function useAnonymousSigning(
  petition: { id: number; slug: string; title: string },
  key: PetitionKey,
  signedPublicly: boolean,
) {
  const [entry, setEntry] = useState<PetitionToken | undefined>();
  const [available, setAvailable] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const target: PetitionTarget | null = key ? { id: petition.id, slug: petition.slug, ...key } : null;

  useEffect(() => {
    setAvailable(anonymityAvailable() && key !== null);
    if (!anonymityAvailable()) return;
    let stopped = false;
    const load = async () => {
      if (signedPublicly) await markSignedPublicly(petition.id);
      const current = await refreshPetitionToken(petition.id).catch(() => petitionToken(petition.id));
      if (stopped) return;
      setEntry(current);
    };
    void load();
    // Until its batch counts it, a pending signature is checked (and re-sent if forgotten).
    const timer = setInterval(async () => {
      const current = await petitionToken(petition.id);
      if (current?.status === "pending" && !stopped) {
        setEntry(await refreshPetitionToken(petition.id).catch(() => current));
      }
    }, 5_000);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [petition.id, signedPublicly, key]);

  const run = useCallback(
    async (label: string, step: () => Promise<PetitionToken>) => {
      setBusy(label);
      setError(null);
      try {
        setEntry(await step());
      } catch (problem) {
        setError(messageOf(problem));
        setEntry(await petitionToken(petition.id));
      } finally {
        setBusy(null);
      }
    },
    [petition.id],
  );

  return {
    available,
    entry,
    busy,
    error,
    /** Whether this browser's wallet says its person signed here anonymously (standing or pending). */
    signedAnonymously: Boolean(entry && (entry.status === "pending" || entry.status === "counted")),
    sign: (reason: string | null) => {
      if (!target) return;
      void run("Signing anonymously…", () => signAnonymously(target, petition.title, reason));
    },
    /** Before a public signature: this browser's token, so that it is spent on it (or null). */
    preparePublic: async () => {
      if (!target || !available) return null;
      try {
        return await prepareTokenForPublicSigning(target);
      } catch {
        return null;
      }
    },
    act: (action: "withdraw" | "sign") =>
      void run(action === "withdraw" ? "Withdrawing…" : "Signing again…", () =>
        actOnSignature(petition.id, action),
      ),
  };
}

/** What this browser holds of its anonymous signature: pending, counted (with its receipt), withdrawn. */
export function AnonymousReceipt({
  slug,
  signing,
}: {
  slug: string;
  signing: ReturnType<typeof useAnonymousSigning>;
}) {
  const { entry, busy, error } = signing;
  if (!entry?.token || (entry.status !== "pending" && entry.status !== "counted")) return null;
  const counted = entry.status === "counted";
  return (
    <section className="card receipt" aria-labelledby="anonymous-receipt-title">
      <h2 id="anonymous-receipt-title">
        {entry.standing || !counted ? "You signed anonymously" : "You withdrew your anonymous signature"}
      </h2>
      {counted ? null : (
        <p role="status">
          Waiting for the next batch: anonymous signatures are counted together, in shuffled batches, so that
          none can be dated to the minute. This browser keeps sending it until it is counted — keep it until
          then.
        </p>
      )}
      {entry.pendingAction ? (
        <p role="status">
          Your {entry.pendingAction.action === "withdraw" ? "withdrawal" : "new signature"} is waiting for the
          next batch.
        </p>
      ) : null}
      <p>
        Receipt code (it proves this signature is counted; it cannot withdraw it):{" "}
        <code className="receipt-code">{entry.token.tokenId}</code>
      </p>
      {entry.receipt ? (
        <p>
          Entry <strong>#{entry.receipt.seq}</strong> of the{" "}
          <a href={`/api/petitions/${slug}/ledger?after=${entry.receipt.seq - 1}`}>public ledger</a>.
        </p>
      ) : null}
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
          {busy ?? (entry.standing ? "Withdraw my anonymous signature" : "Sign again anonymously")}
        </button>
      ) : null}
      <p className="hint">
        Only this browser can withdraw it. To use another device,{" "}
        <Link to="/my/tokens">move your tokens</Link>; if this browser's storage is cleared, the signature
        stays counted and can no longer be withdrawn.
      </p>
    </section>
  );
}
