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
import { SETUP_PATH } from "./anonymous-signing";
import { COMPARE_FINGERPRINT, comparableFingerprint } from "./format";
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

const names = (list: string[]) =>
  list.length <= 1 ? (list[0] ?? "") : `${list.slice(0, -1).join(", ")} and ${list.at(-1)}`;

/**
 * What this device pinned of the public log the first time it checked it: the log's key ID and the
 * witnesses it requires. That first sight is trusted as the server showed it (a server could show a
 * new device a log of its own), so it is shown here for colleagues to compare; nothing when this
 * device has not checked the log.
 */
export function ThisDevicesLog() {
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
      This device checks <a href="/transparency">the public log</a> with key ID{" "}
      <code className="key-fingerprint">{copy.keyId}</code>,{" "}
      {copy.witnesses.length
        ? `confirmed by the independent ${copy.witnesses.length === 1 ? "witness" : "witnesses"} ${names(copy.witnesses)}`
        : "with no independent witness"}
      . It took them as the server showed them the first time it checked the log, and they cannot change on
      this device since. Compare the key ID and the witnesses with a colleague's: if they differ, someone may
      be showing one of you a log of its own.
    </p>
  );
}

function Unavailable({ ready, what }: { ready: boolean; what: string }) {
  return (
    <p className="muted">
      {ready
        ? `Your ${what} are known only to your devices, and this browser needs a secure connection (https) to hold them.`
        : `Your ${what} are known only to your devices: this list needs JavaScript.`}
    </p>
  );
}

export function AnonymousSignaturesHeld() {
  const held = useHeld();
  return (
    <section className="card" aria-labelledby="anonymous-signed-title">
      <h2 id="anonymous-signed-title">Signed anonymously, as this device knows</h2>
      {!held.available ? (
        <Unavailable ready={held.ready} what="anonymous signatures" />
      ) : held.petitions.length ? (
        <ul>
          {held.petitions.map((entry) => (
            <li key={entry.petitionId}>
              <Link to={`/petitions/${entry.slug}`}>{entry.title ?? entry.slug}</Link>{" "}
              <span className="muted">
                {entry.status === "pending"
                  ? "waiting for its batch"
                  : entry.standing
                    ? "counted"
                    : "withdrawn"}
              </span>
              {entry.token ? (
                <>
                  {" "}
                  · receipt <code className="receipt-code">{receiptOf(entry.token.tokenId)}</code>
                </>
              ) : null}{" "}
              · this petition's signing key{" "}
              <code className="key-fingerprint">{comparableFingerprint(entry.fingerprint)}</code>
              {entry.refused && KEY_REFUSALS.has(entry.refused.reason) ? (
                <>
                  {" "}
                  <span className="muted">
                    (not the one in the public log: this device will not sign it again anonymously)
                  </span>
                </>
              ) : !entry.logConfirmed || entry.logConfirmed !== entry.fingerprint ? (
                <>
                  {" "}
                  <span className="muted">(not yet confirmed in the public log)</span>
                </>
              ) : null}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">None on this device.</p>
      )}
      {held.petitions.length ? (
        <p className="hint">
          Each signing key is compared with the one in <a href="/transparency">the public log</a>.{" "}
          {COMPARE_FINGERPRINT}
        </p>
      ) : null}
      {held.available ? <ThisDevicesLog /> : null}
      <p className="hint">
        The platform cannot list these for you, and emails anonymous signers nothing. A signature made on
        another of your devices shows on its petition's page here once you have{" "}
        <Link to={SETUP_PATH}>unlocked anonymous signing on this device</Link>.
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
  const [entry, setEntry] = useState<FeedbackRepliesEntry | null | undefined>();
  useEffect(() => {
    if (!digest) return;
    void findReplies(digest, code).then(setEntry, () => setEntry(null));
  }, [digest, code]);
  if (digest === null)
    return <p className="muted">The replies could not be read just now: reload the page.</p>;
  if (!digest || entry === undefined) return <p className="muted">Reading replies…</p>;
  if (!entry) {
    return (
      <p className="muted">
        No reply yet. (Replies show here for 90 days after the latest one; feedback still waiting for its
        batch has none.)
      </p>
    );
  }
  return (
    <>
      {withFeedback ? (
        <>
          <p>
            Your feedback on <Link to={`/policies/${entry.policySlug}`}>{entry.policyTitle}</Link>{" "}
            <span className="muted">sent anonymously on {entry.sentOn}</span>
          </p>
          <blockquote>{entry.body}</blockquote>
        </>
      ) : null}
      <ul className="stack">
        {entry.replies.map((reply, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: replies have no id here and never reorder
          <li key={index}>
            <p className="muted">The policy's owners replied on {reply.at}:</p>
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
  const held = useHeld();
  const digest = useRepliesDigest();
  const [resent, setResent] = useState<Record<string, string>>({});
  return (
    <section className="card" aria-labelledby="anonymous-feedback-title">
      <h2 id="anonymous-feedback-title">Sent anonymously from this device</h2>
      {!held.available ? (
        <Unavailable ready={held.ready} what="anonymous feedback receipts" />
      ) : held.feedback.length ? (
        <ul className="stack">
          {held.feedback.map((item) => (
            <li key={item.tokenId} className="card">
              <p>
                <Link to={`/policies/${item.policySlug}`}>{item.policyTitle}</Link>{" "}
                <span className="muted">sent anonymously on {item.sentOn}</span>
              </p>
              <blockquote>{item.body}</blockquote>
              <p>
                Receipt code: <code className="receipt-code">{item.secret}</code>
              </p>
              <FeedbackReplies digest={digest} code={item.secret} />
              {item.status === "pending" ? (
                <p>
                  <button
                    type="button"
                    className="link-button"
                    onClick={() => {
                      setResent((r) => ({ ...r, [item.tokenId]: "Sending again in a moment…" }));
                      void refreshFeedback(item).then(
                        (next) =>
                          setResent((r) => ({
                            ...r,
                            [item.tokenId]:
                              next.status === "stored" ? "Stored." : "Sent again: waiting for its batch.",
                          })),
                        () => setResent((r) => ({ ...r, [item.tokenId]: "Not sent: try again later." })),
                      );
                    }}
                  >
                    Send it again if it was lost
                  </button>{" "}
                  <span role="status">{resent[item.tokenId] ?? ""}</span>
                </p>
              ) : null}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">None on this device.</p>
      )}
      <p className="hint">
        Nobody can email you about feedback sent anonymously — it is stored with no author. Replies are read
        here, or with its receipt code on <Link to="/feedback/receipt">the receipt page</Link>: this page
        downloads the same replies for everyone, readable only with a receipt code, and finds yours on this
        device, so asking tells nobody which feedback is yours.
      </p>
    </section>
  );
}
