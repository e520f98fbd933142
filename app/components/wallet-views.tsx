import { Link } from "@remix-run/react";
import { useEffect, useState } from "react";
import { anonymityAvailable } from "../browser/background-tokens";
import { receiptOf } from "../browser/derived-tokens";
import { feedbackReceipts, refreshFeedback } from "../browser/wallet/feedback";
import { moveLegacyEntries } from "../browser/wallet/legacy";
import { allEntries } from "../browser/wallet/store";
import type { FeedbackReceipt, HeldPetition } from "../browser/wallet/types";
import { SETUP_PATH } from "./anonymous-signing";
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
              ) : null}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">None on this device.</p>
      )}
      <p className="hint">
        The platform cannot list these for you, and emails anonymous signers nothing. A signature made on
        another of your devices shows on its petition's page here once you have{" "}
        <Link to={SETUP_PATH}>unlocked anonymous signing on this device</Link>.
      </p>
    </section>
  );
}

type Replies = { replies: Array<{ id: number; bodyHtml: string; createdAt: string }>; status: string };

async function readReplies(secret: string): Promise<Replies | null> {
  const response = await fetch("/api/feedback/replies", {
    method: "POST",
    credentials: "omit",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ secret }),
  });
  return response.ok ? ((await response.json()) as Replies) : null;
}

/** Replies read with a receipt code: on the receipt page at once (the code was typed), here on a click. */
export function FeedbackReplies({ secret, onClick = false }: { secret: string; onClick?: boolean }) {
  const [replies, setReplies] = useState<Replies | null | undefined>();
  const [asked, setAsked] = useState(!onClick);
  useEffect(() => {
    if (!asked) return;
    void readReplies(secret).then(setReplies, () => setReplies(null));
  }, [secret, asked]);
  if (!asked) {
    return (
      <button type="button" className="secondary" onClick={() => setAsked(true)}>
        Read replies
      </button>
    );
  }
  if (replies === undefined) return <p className="muted">Reading replies…</p>;
  if (replies === null) return <p className="muted">Not stored yet: it is waiting for its batch.</p>;
  return replies.replies.length ? (
    <ul className="stack">
      {replies.replies.map((reply) => (
        <li key={reply.id}>
          <SanitizedHtml html={reply.bodyHtml} />
        </li>
      ))}
    </ul>
  ) : (
    <p className="muted">No reply yet.</p>
  );
}

export function AnonymousFeedbackHeld() {
  const held = useHeld();
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
              <FeedbackReplies secret={item.secret} onClick />
              {item.status === "pending" ? (
                <p>
                  <button
                    type="button"
                    className="link-button"
                    onClick={() =>
                      void refreshFeedback(item).then(
                        (next) =>
                          setResent((r) => ({
                            ...r,
                            [item.tokenId]:
                              next.status === "stored" ? "Stored." : "Sent again: waiting for its batch.",
                          })),
                        () => setResent((r) => ({ ...r, [item.tokenId]: "Not sent: try again later." })),
                      )
                    }
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
        here, or with its receipt code on <Link to="/feedback/receipt">the receipt page</Link>.
      </p>
    </section>
  );
}
