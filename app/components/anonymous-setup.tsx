import { Link } from "@remix-run/react";
import { type FormEvent, type ReactNode, useCallback, useEffect, useState } from "react";
import { anonymityAvailable, startBackgroundIssuance, watchIssuance } from "../browser/background-tokens";
import { WalletError } from "../browser/wallet/http";
import type { Progress } from "../browser/wallet/issuance-run";
import {
  addPasskey,
  currentRecoveryCode,
  passkeySupport,
  resetWallet,
  type ServerWallet,
  serverWallet,
  setUpWallet,
  unlockWithPasskey,
  unlockWithRecoveryCode,
} from "../browser/wallet/setup";
import { forgetThisDevice, readRun, walletSecret } from "../browser/wallet/store";
import { progressLine } from "./anonymous-signing";
import { QrCode } from "./qr-code";

/**
 * "Anonymous signing on this device": the same step offered to everyone signed in on a device
 * without the wallet secret — set it up (the server has no wallet for them) or unlock it (passkey,
 * or the recovery code typed) — and, on a device that holds it, its recovery code, a passkey, and
 * forgetting it here. Everything happens in the browser; the server keeps only the check and sealed
 * copies (docs/anonymity.md).
 */
type Person = { id: number; email: string; name: string };
type Phase =
  | { kind: "loading" }
  | { kind: "no-script" }
  | { kind: "insecure" }
  | { kind: "ready"; justDone: "set-up" | "unlocked" | null }
  | { kind: "set-up" }
  | { kind: "unlock"; wallet: ServerWallet };

const messageOf = (error: unknown) =>
  error instanceof WalletError ? error.message : "That did not work on this device. Try again.";

export function AnonymousSetup({ person, back }: { person: Person; back: string | null }) {
  const [phase, setPhase] = useState<Phase>({ kind: "no-script" });
  const [status, setStatus] = useState<{ kind: "success" | "error"; message: string } | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [busy, setBusy] = useState(false);

  const look = useCallback(async () => {
    if (!anonymityAvailable()) return setPhase({ kind: "insecure" });
    if (await walletSecret()) return setPhase({ kind: "ready", justDone: null });
    try {
      const wallet = await serverWallet();
      setPhase(wallet ? { kind: "unlock", wallet } : { kind: "set-up" });
    } catch (error) {
      setStatus({ kind: "error", message: messageOf(error) });
    }
  }, []);

  useEffect(() => {
    setPhase({ kind: "loading" });
    void look();
    void readRun().then(
      (run) =>
        run &&
        !run.completedAt &&
        setProgress({ done: run.done, total: run.total, completed: false, paused: run.paused ?? undefined }),
    );
    return watchIssuance(setProgress);
  }, [look]);

  const act = async (step: () => Promise<string | null>) => {
    setBusy(true);
    setStatus(null);
    try {
      const message = await step();
      if (message) setStatus({ kind: "success", message });
    } catch (error) {
      setStatus({ kind: "error", message: messageOf(error) });
    } finally {
      setBusy(false);
    }
  };
  const ready = (justDone: "set-up" | "unlocked") => {
    setPhase({ kind: "ready", justDone });
    void startBackgroundIssuance();
  };

  return (
    <>
      <h1>Anonymous signing on this device</h1>
      <p>
        Anonymous signing follows you, not your browser: one secret, kept only on your own devices, makes your
        anonymous signatures — the same ones on every device where you unlock it, so you can sign, check and
        withdraw from any of them. The server keeps only a check (to tell a typo from your code) and, if you
        add a passkey, a copy of the secret sealed by it that only the passkey can open.
      </p>
      {status ? (
        <p className={`flash flash-${status.kind}`} role={status.kind === "error" ? "alert" : "status"}>
          {status.message}
        </p>
      ) : null}
      {phase.kind === "no-script" ? (
        <p className="card">
          This page needs JavaScript: anonymous signing lives on your devices, not on the server.
        </p>
      ) : phase.kind === "loading" ? (
        <p className="card muted">Looking at this device…</p>
      ) : phase.kind === "insecure" ? (
        <p className="card">
          Anonymous signing needs a secure connection (https): this page was not loaded over one.
        </p>
      ) : phase.kind === "set-up" ? (
        <section className="card stack" aria-labelledby="set-up-title">
          <h2 id="set-up-title">Set up anonymous signing</h2>
          <p>
            This makes your secret on this device and shows it once as a recovery code. Write it down or keep
            its QR code: with it (or a passkey) you unlock anonymous signing on your other devices, and
            without either nobody, not even the administrators, can give it back.
          </p>
          <Residual />
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              void act(async () => {
                await setUpWallet();
                ready("set-up");
                return null;
              })
            }
          >
            Set up anonymous signing
          </button>
        </section>
      ) : phase.kind === "unlock" ? (
        <Unlock
          wallet={phase.wallet}
          busy={busy}
          act={act}
          onUnlocked={() => ready("unlocked")}
          onReset={() => setPhase({ kind: "set-up" })}
        />
      ) : (
        <Ready
          person={person}
          justDone={phase.justDone}
          back={back}
          progress={progress}
          busy={busy}
          act={act}
        >
          <section className="card stack" aria-labelledby="forget-title">
            <h2 id="forget-title">Forget on this device</h2>
            <p>
              On a shared computer, or if someone demands to look: this removes your secret and everything
              about your anonymous signatures from this browser. They stay counted; you can unlock this device
              again later with your passkey or recovery code.
            </p>
            <button
              type="button"
              className="danger"
              disabled={busy}
              onClick={() =>
                void act(async () => {
                  await forgetThisDevice();
                  await look();
                  return "This device no longer holds your anonymous signing.";
                })
              }
            >
              Forget anonymous signing on this device
            </button>
          </section>
        </Ready>
      )}
      <p>
        See also <Link to="/my/petitions">My petitions</Link> and <Link to="/my/feedback">My feedback</Link>.
      </p>
    </>
  );
}

/** What a first unlocking on the day of signing shows: said on the screen where it happens. */
function Residual() {
  return (
    <p className="hint">
      What this cannot hide: the server records the day each of your devices first gets ready, for every open
      petition. So if the first device you get ready does so on the day you sign a petition none of your
      devices was ready for before, the server's records say you became able to sign it that day — not whether
      you signed, nor how. Getting ready a day ahead avoids even that.
    </p>
  );
}

function Unlock({
  wallet,
  busy,
  act,
  onUnlocked,
  onReset,
}: {
  wallet: ServerWallet;
  busy: boolean;
  act: (step: () => Promise<string | null>) => Promise<void>;
  onUnlocked: () => void;
  onReset: () => void;
}) {
  const [support, setSupport] = useState<"yes" | "no" | "unknown">("unknown");
  useEffect(() => {
    void passkeySupport().then(setSupport);
  }, []);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const field = event.currentTarget.elements.namedItem("recovery-code");
    const code = field instanceof HTMLInputElement ? field.value : "";
    void act(async () => {
      await unlockWithRecoveryCode(code, wallet);
      onUnlocked();
      return null;
    });
  };
  return (
    <section className="card stack" aria-labelledby="unlock-title">
      <h2 id="unlock-title">Unlock anonymous signing here</h2>
      <p>
        You set up anonymous signing on another device. Unlock it here with your passkey or your recovery
        code.
      </p>
      <Residual />
      {wallet.passkeys.length ? (
        support === "no" ? (
          <p className="hint">
            This browser cannot open your passkey's sealed copy (it lacks the passkey PRF extension): use your
            recovery code.
          </p>
        ) : (
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              void act(async () => {
                await unlockWithPasskey(wallet);
                onUnlocked();
                return null;
              })
            }
          >
            Unlock with my passkey
          </button>
        )
      ) : null}
      <form onSubmit={submit} className="stack">
        <label htmlFor="recovery-code">Recovery code</label>
        <input
          id="recovery-code"
          name="recovery-code"
          autoComplete="off"
          autoCapitalize="characters"
          spellCheck={false}
          required
          aria-describedby="recovery-code-hint"
        />
        <p id="recovery-code-hint" className="hint">
          26 letters and digits, as you wrote them down (or read from its QR code); spaces, dashes and lower
          case do not matter.
        </p>
        <button type="submit" disabled={busy}>
          Unlock with my recovery code
        </button>
      </form>
      <details>
        <summary>Lost both your recovery code and your passkeys?</summary>
        <p>
          You can start again with a new secret. Your anonymous signatures stay counted, but you can no longer
          see or withdraw them, and for petitions where you already were given one you cannot sign anonymously
          again (one signature per person) — you can still sign those publicly.
        </p>
        <button
          type="button"
          className="danger"
          disabled={busy}
          onClick={() =>
            void act(async () => {
              await resetWallet();
              onReset();
              return "Your old anonymous signing is closed. Set up a new one below.";
            })
          }
        >
          Start again with a new recovery code
        </button>
      </details>
    </section>
  );
}

function Ready({
  person,
  justDone,
  back,
  progress,
  busy,
  act,
  children,
}: {
  person: Person;
  justDone: "set-up" | "unlocked" | null;
  back: string | null;
  progress: Progress | null;
  busy: boolean;
  act: (step: () => Promise<string | null>) => Promise<void>;
  children: ReactNode;
}) {
  const [code, setCode] = useState<string | null>(null);
  const [support, setSupport] = useState<"yes" | "no" | "unknown">("unknown");
  useEffect(() => {
    void passkeySupport().then(setSupport);
    if (justDone === "set-up") void currentRecoveryCode().then(setCode);
  }, [justDone]);
  const line = progressLine(progress);
  return (
    <>
      <section className="card stack" aria-labelledby="ready-title">
        <h2 id="ready-title">
          {justDone === "set-up"
            ? "Anonymous signing is set up on this device"
            : justDone === "unlocked"
              ? "Anonymous signing is unlocked on this device"
              : "This device is ready for anonymous signing"}
        </h2>
        {line ? <p role="status">{line}</p> : null}
        {back ? (
          <p>
            <Link to={back}>Back to where you were</Link>
          </p>
        ) : null}
      </section>
      <section className="card stack" aria-labelledby="code-title">
        <h2 id="code-title">Your recovery code</h2>
        {code ? (
          <>
            <p>
              Write it down, or keep a photo of its QR code, somewhere only you can reach: it unlocks
              anonymous signing on your other devices and can withdraw your anonymous signatures.
            </p>
            <p>
              <code className="recovery-code">{code}</code>
            </p>
            <QrCode text={code} label="Your recovery code as a QR code" />
          </>
        ) : (
          <button
            type="button"
            className="secondary"
            onClick={() =>
              void act(async () => {
                setCode(await currentRecoveryCode());
                return null;
              })
            }
          >
            Show my recovery code
          </button>
        )}
      </section>
      <section className="card stack" aria-labelledby="passkey-title">
        <h2 id="passkey-title">Unlock with a passkey</h2>
        {support === "no" ? (
          <p>
            This browser cannot make a passkey that keeps your anonymous signing (it needs the passkey PRF
            extension). Your recovery code does the same job.
          </p>
        ) : (
          <>
            <p>
              A passkey (on this phone or computer, or in your password manager, which may copy it to your
              other devices) can unlock anonymous signing instead of typing the recovery code. Some password
              managers cannot: this page says so if yours cannot.
            </p>
            <button
              type="button"
              className="secondary"
              disabled={busy}
              onClick={() =>
                void act(async () => {
                  await addPasskey(person);
                  return "Passkey added: it can unlock anonymous signing on your devices.";
                })
              }
            >
              Add a passkey
            </button>
          </>
        )}
      </section>
      {children}
    </>
  );
}
