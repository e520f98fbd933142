import { Link } from "@remix-run/react";
import { useEffect, useState } from "react";
import { anonymityAvailable } from "../browser/background-tokens";
import { receiptOf } from "../browser/derived-tokens";
import {
  downloadRepliesDigest,
  type FeedbackRepliesDigest,
  type FeedbackRepliesEntry,
  findReplies,
} from "../browser/feedback-replies";
import { feedbackReceipts, refreshFeedback } from "../browser/wallet/feedback";
import { moveLegacyEntries } from "../browser/wallet/legacy";
import { KEY_REFUSALS, pinnedLogSummary } from "../browser/wallet/log-check";
import { allEntries, logPins } from "../browser/wallet/store";
import type { FeedbackReceipt, HeldPetition } from "../browser/wallet/types";
import { useFormat } from "../i18n/format";
import { useT } from "../i18n/translate";
import { SETUP_PATH } from "./anonymous-signing";
import { comparableFingerprint } from "./fingerprint";
import { SanitizedHtml } from "./sanitized-html";

/**
 * What this device holds of its person's anonymous signatures and feedback. The server knows
 * neither, so these render only in the browser, from what the device keeps (no request per
 * signature: each petition's page checks its own against the public digest).
 */

function useHeld() {
  const [state, setState] = useState<{
    ready: boolean;
    available: boolean;
    petitions: HeldPetition[];
    feedback: FeedbackReceipt[];
  }>({ ready: false, available: false, petitions: [], feedback: [] });
  useEffect(() => {
    if (!anonymityAvailable()) {
      setState({ ready: true, available: false, petitions: [], feedback: [] });
      return;
    }
    void (async () => {
      await moveLegacyEntries();
      const all = await allEntries();
      const petitions = all.filter(
        (entry): entry is HeldPetition =>
          entry.kind === "petition" &&
          Boolean(entry.token) &&
          (entry.status === "pending" || entry.status === "counted"),
      );
      setState({ ready: true, available: true, petitions, feedback: await feedbackReceipts() });
    })();
  }, []);
  return state;
}

/**
 * What this device pinned of the public log the first time it checked it: the log's key ID and the
 * witnesses it requires. That first sight is trusted as the server showed it (a server could show a
 * new device a log of its own), so it is shown here for colleagues to compare; nothing when this
 * device has not checked the log.
 */
export function ThisDevicesLog() {
  const t = useT();
  // The witnesses' names as the reader's language lists them ("A, B and C").
  const format = useFormat();
  const [copy, setCopy] = useState<{ keyId: string; witnesses: string[] } | null>(null);
  useEffect(() => {
    if (!anonymityAvailable()) return;
    void logPins.read().then(
      (pin) => setCopy(pin ? pinnedLogSummary(pin) : null),
      () => undefined,
    );
  }, []);
  if (!copy) return null;
  return (
    <p className="hint" data-testid="this-devices-log">
      {t.rich("signing.wallet.pinned", {
        log: (chunks) => <a href="/transparency">{chunks}</a>,
        keyId: <code className="key-fingerprint">{copy.keyId}</code>,
        count: copy.witnesses.length,
        names: format.list(copy.witnesses),
      })}{" "}
      {t("signing.wallet.pinnedTrust")} {t("signing.wallet.pinnedCompare")}
    </p>
  );
}

function Unavailable({ ready, what }: { ready: boolean; what: "signatures" | "feedback" }) {
  const t = useT();
  return (
    <p className="muted">
      {ready
        ? t("signing.wallet.unavailableHttps", { what })
        : t("signing.wallet.unavailableScript", { what })}
    </p>
  );
}

export function AnonymousSignaturesHeld() {
  const t = useT();
  const held = useHeld();
  return (
    <section className="card" aria-labelledby="anonymous-signed-title">
      <h2 id="anonymous-signed-title">{t("signing.wallet.signedTitle")}</h2>
      {!held.available ? (
        <Unavailable ready={held.ready} what="signatures" />
      ) : held.petitions.length ? (
        <ul>
          {held.petitions.map((entry) => (
            <li key={entry.petitionId}>
              <Link to={`/petitions/${entry.slug}`}>{entry.title ?? entry.slug}</Link>{" "}
              <span className="muted">
                {t("signing.wallet.status", {
                  status: entry.status === "pending" ? "pending" : entry.standing ? "counted" : "withdrawn",
                })}
              </span>
              {entry.token ? (
                <>
                  {" "}
                  ·{" "}
                  {t.rich("signing.wallet.receipt", {
                    code: <code className="receipt-code">{receiptOf(entry.token.tokenId)}</code>,
                  })}
                </>
              ) : null}{" "}
              ·{" "}
              {t.rich("signing.wallet.itemKey", {
                fingerprint: (
                  <code className="key-fingerprint">{comparableFingerprint(entry.fingerprint)}</code>
                ),
              })}
              {entry.refused && KEY_REFUSALS.has(entry.refused.reason) ? (
                <>
                  {" "}
                  <span className="muted">{t("signing.wallet.keyRefused")}</span>
                </>
              ) : !entry.logConfirmed || entry.logConfirmed !== entry.fingerprint ? (
                <>
                  {" "}
                  <span className="muted">{t("signing.wallet.keyUnconfirmed")}</span>
                </>
              ) : null}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">{t("signing.wallet.none")}</p>
      )}
      {held.petitions.length ? (
        <p className="hint">
          {t.rich("signing.wallet.keysCompared", { log: (chunks) => <a href="/transparency">{chunks}</a> })}{" "}
          {t("signing.fingerprint.compare")}
        </p>
      ) : null}
      {held.available ? <ThisDevicesLog /> : null}
      <p className="hint">
        {t.rich("signing.wallet.cannotList", { link: (chunks) => <Link to={SETUP_PATH}>{chunks}</Link> })}
      </p>
    </section>
  );
}

/**
 * The owners' replies from the public digest, opened on this device with the receipt code: nothing
 * about this item is sent anywhere (every view downloads the same digest, without cookies).
 */
export function FeedbackReplies({
  digest,
  code,
  withFeedback = false,
}: {
  digest: FeedbackRepliesDigest | null | undefined;
  code: string;
  withFeedback?: boolean;
}) {
  const t = useT();
  const format = useFormat();
  const [entry, setEntry] = useState<FeedbackRepliesEntry | null | undefined>();
  useEffect(() => {
    if (!digest) return;
    void findReplies(digest, code).then(setEntry, () => setEntry(null));
  }, [digest, code]);
  if (digest === null) return <p className="muted">{t("signing.wallet.repliesUnreadable")}</p>;
  if (!digest || entry === undefined) return <p className="muted">{t("signing.wallet.readingReplies")}</p>;
  if (!entry) {
    return <p className="muted">{t("signing.wallet.noReply")}</p>;
  }
  return (
    <>
      {withFeedback ? (
        <>
          <p>
            {t.rich("signing.wallet.yourFeedback", {
              policy: entry.policyTitle,
              link: (chunks) => <Link to={`/policies/${entry.policySlug}`}>{chunks}</Link>,
            })}{" "}
            {/* Kept to the UTC day on purpose: an anonymous act. */}
            <span className="muted">{t("signing.wallet.sentOn", { day: format.utcDay(entry.sentOn) })}</span>
          </p>
          <blockquote>{entry.body}</blockquote>
        </>
      ) : null}
      <ul className="stack">
        {entry.replies.map((reply, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: replies have no id here and never reorder
          <li key={index}>
            <p className="muted">{t("signing.wallet.repliedOn", { day: format.utcDay(reply.at) })}</p>
            <SanitizedHtml html={reply.bodyHtml} />
          </li>
        ))}
      </ul>
    </>
  );
}

/** Every view of a page that reads replies downloads the digest on load, alike for everyone. */
export function useRepliesDigest() {
  const [digest, setDigest] = useState<FeedbackRepliesDigest | null | undefined>();
  useEffect(() => {
    void downloadRepliesDigest().then(setDigest, () => setDigest(null));
  }, []);
  return digest;
}

export function AnonymousFeedbackHeld() {
  const t = useT();
  const format = useFormat();
  const held = useHeld();
  const digest = useRepliesDigest();
  const [resent, setResent] = useState<Record<string, string>>({});
  return (
    <section className="card" aria-labelledby="anonymous-feedback-title">
      <h2 id="anonymous-feedback-title">{t("signing.wallet.feedbackTitle")}</h2>
      {!held.available ? (
        <Unavailable ready={held.ready} what="feedback" />
      ) : held.feedback.length ? (
        <ul className="stack">
          {held.feedback.map((item) => (
            <li key={item.tokenId} className="card">
              <p>
                <Link to={`/policies/${item.policySlug}`}>{item.policyTitle}</Link>{" "}
                <span className="muted">
                  {t("signing.wallet.sentOn", { day: format.utcDay(item.sentOn) })}
                </span>
              </p>
              <blockquote>{item.body}</blockquote>
              <p>
                {t.rich("signing.wallet.receiptCode", {
                  code: <code className="receipt-code">{item.secret}</code>,
                })}
              </p>
              <FeedbackReplies digest={digest} code={item.secret} />
              {item.status === "pending" ? (
                <p>
                  <button
                    type="button"
                    className="link-button"
                    onClick={() => {
                      setResent((r) => ({ ...r, [item.tokenId]: t("signing.wallet.resending") }));
                      void refreshFeedback(item).then(
                        (next) =>
                          setResent((r) => ({
                            ...r,
                            [item.tokenId]:
                              next.status === "stored"
                                ? t("signing.wallet.stored")
                                : t("signing.wallet.resent"),
                          })),
                        () => setResent((r) => ({ ...r, [item.tokenId]: t("signing.wallet.notSent") })),
                      );
                    }}
                  >
                    {t("signing.wallet.resend")}
                  </button>{" "}
                  <span role="status">{resent[item.tokenId] ?? ""}</span>
                </p>
              ) : null}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">{t("signing.wallet.noneFeedback")}</p>
      )}
      <p className="hint">
        {t.rich("signing.wallet.feedbackHint", {
          link: (chunks) => <Link to="/feedback/receipt">{chunks}</Link>,
        })}
      </p>
    </section>
  );
}
