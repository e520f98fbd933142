import { Link } from "@remix-run/react";
import { type FormEvent, type ReactNode, useCallback, useEffect, useState } from "react";
import { useIntl } from "react-intl";
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
import { wordsOfWalletError } from "../browser/wallet/words";
import { translatorOf, useT } from "../i18n/translate";
import { useProgressLine } from "./anonymous-signing";
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

/** A wallet's error, worded when shown (wordsOfWalletError); null: the page says that it did not work. */
const messageOf = (error: unknown) => (error instanceof WalletError ? error : null);

export function AnonymousSetup({ person, back }: { person: Person; back: string | null }) {
  const intl = useIntl();
  const t = translatorOf(intl);
  const [phase, setPhase] = useState<Phase>({ kind: "no-script" });
  const [status, setStatus] = useState<{
    kind: "success" | "error";
    message: string | WalletError | null;
  } | null>(null);
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
        setProgress({
          done: run.done,
          total: run.total,
          completed: false,
          paused: run.paused ?? undefined,
          pausedWords: run.pausedWords ?? undefined,
        }),
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
      <h1>{t("signing.setup.title")}</h1>
      <p>{t("signing.setup.intro")}</p>
      {status ? (
        <p className={`flash flash-${status.kind}`} role={status.kind === "error" ? "alert" : "status"}>
          {typeof status.message === "string"
            ? status.message
            : (wordsOfWalletError(status.message, intl) ?? t("signing.setup.error"))}
        </p>
      ) : null}
      {phase.kind === "no-script" ? (
        <p className="card">{t("signing.setup.noScript")}</p>
      ) : phase.kind === "loading" ? (
        <p className="card muted">{t("signing.setup.loading")}</p>
      ) : phase.kind === "insecure" ? (
        <p className="card">{t("signing.setup.insecure")}</p>
      ) : phase.kind === "set-up" ? (
        <section className="card stack" aria-labelledby="set-up-title">
          <h2 id="set-up-title">{t("signing.setup.setUpTitle")}</h2>
          <p>{t("signing.setup.setUpText")}</p>
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
            {t("signing.setup.setUp")}
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
            <h2 id="forget-title">{t("signing.setup.forgetTitle")}</h2>
            <p>{t("signing.setup.forgetText")}</p>
            <button
              type="button"
              className="danger"
              disabled={busy}
              onClick={() =>
                void act(async () => {
                  await forgetThisDevice();
                  await look();
                  return t("signing.setup.forgotten");
                })
              }
            >
              {t("signing.setup.forget")}
            </button>
          </section>
        </Ready>
      )}
      <p>
        {t.rich("signing.setup.seeAlso", {
          petitions: (chunks) => <Link to="/my/petitions">{chunks}</Link>,
          feedback: (chunks) => <Link to="/my/feedback">{chunks}</Link>,
        })}
      </p>
    </>
  );
}

/** What a first unlocking on the day of signing shows: said on the screen where it happens. */
function Residual() {
  const t = useT();
  return <p className="hint">{t("signing.setup.residual")}</p>;
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
  const t = useT();
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
      <h2 id="unlock-title">{t("signing.setup.unlockTitle")}</h2>
      <p>{t("signing.setup.unlockText")}</p>
      <Residual />
      {wallet.passkeys.length ? (
        support === "no" ? (
          <p className="hint">{t("signing.setup.noPrfUnlock")}</p>
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
            {t("signing.setup.unlockPasskey")}
          </button>
        )
      ) : null}
      <form onSubmit={submit} className="stack">
        <label htmlFor="recovery-code">{t("signing.setup.recoveryCode")}</label>
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
          {t("signing.setup.recoveryCodeHint")}
        </p>
        <button type="submit" disabled={busy}>
          {t("signing.setup.unlockCode")}
        </button>
      </form>
      <details>
        <summary>{t("signing.setup.lostBoth")}</summary>
        <p>{t("signing.setup.lostBothText")}</p>
        <button
          type="button"
          className="danger"
          disabled={busy}
          onClick={() =>
            void act(async () => {
              await resetWallet();
              onReset();
              return t("signing.setup.closed");
            })
          }
        >
          {t("signing.setup.startAgain")}
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
  const t = useT();
  const progressLine = useProgressLine();
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
          {t("signing.setup.readyTitle", {
            state: justDone === "set-up" ? "setUp" : justDone === "unlocked" ? "unlocked" : "ready",
          })}
        </h2>
        {line ? <p role="status">{line}</p> : null}
        {back ? (
          <p>
            <Link to={back}>{t("signing.setup.back")}</Link>
          </p>
        ) : null}
      </section>
      <section className="card stack" aria-labelledby="code-title">
        <h2 id="code-title">{t("signing.setup.codeTitle")}</h2>
        {code ? (
          <>
            <p>{t("signing.setup.codeText")}</p>
            <p>
              <code className="recovery-code">{code}</code>
            </p>
            <QrCode text={code} label={t("signing.setup.qrLabel")} />
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
            {t("signing.setup.showCode")}
          </button>
        )}
      </section>
      <section className="card stack" aria-labelledby="passkey-title">
        <h2 id="passkey-title">{t("signing.setup.passkeyTitle")}</h2>
        {support === "no" ? (
          <p>{t("signing.setup.noPrfAdd")}</p>
        ) : (
          <>
            <p>{t("signing.setup.passkeyText")}</p>
            <button
              type="button"
              className="secondary"
              disabled={busy}
              onClick={() =>
                void act(async () => {
                  await addPasskey(person, t("signing.wallet.passkeyName"));
                  return t("signing.setup.passkeyAdded");
                })
              }
            >
              {t("signing.setup.addPasskey")}
            </button>
          </>
        )}
      </section>
      {children}
    </>
  );
}
