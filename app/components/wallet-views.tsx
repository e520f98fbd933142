import { Link } from "@remix-run/react";
import { useEffect, useState } from "react";
import { anonymityAvailable } from "../browser/background-tokens";
import {
  type FeedbackReceipt,
  type PetitionToken,
  refreshFeedback,
  refreshPetitionToken,
  walletEntries,
} from "../browser/wallet";
import { SanitizedHtml } from "./sanitized-html";

/**
 * Lists of what this browser holds: its anonymous signatures and its anonymous feedback. The server
 * knows neither, so these render only in the browser; without JavaScript they say why they are empty.
 */

function useWallet() {
  const [state, setState] = useState<{
    ready: boolean;
    available: boolean;
    petitions: PetitionToken[];
    feedback: FeedbackReceipt[];
  }>({ ready: false, available: false, petitions: [], feedback: [] });
  useEffect(() => {
    if (!anonymityAvailable()) {
      setState({ ready: true, available: false, petitions: [], feedback: [] });
      return;
    }
    void (async () => {
      const all = await walletEntries();
      const petitions: PetitionToken[] = [];
      const feedback: FeedbackReceipt[] = [];
      for (const entry of all) {
        if (entry.kind === "petition" && (entry.status === "pending" || entry.status === "counted")) {
          petitions.push((await refreshPetitionToken(entry.petitionId).catch(() => entry)) ?? entry);
        }
        if (entry.kind === "feedback") feedback.push(await refreshFeedback(entry).catch(() => entry));
      }
      setState({ ready: true, available: true, petitions, feedback });
    })();
  }, []);
  return state;
}

function Unavailable({ ready, what }: { ready: boolean; what: string }) {
  return (
    <p className="muted">
      {ready
        ? `Your ${what} are kept only in your browser, which needs a secure connection (https) to hold them.`
        : `Your ${what} are kept only in your browser: this list needs JavaScript.`}
    </p>
  );
}

export function AnonymousSignaturesHeld() {
  const wallet = useWallet();
  return (
    <section className="card" aria-labelledby="anonymous-signed-title">
      <h2 id="anonymous-signed-title">Signed anonymously from this browser</h2>
      {!wallet.available ? (
        <Unavailable ready={wallet.ready} what="anonymous signatures" />
      ) : wallet.petitions.length ? (
        <ul>
          {wallet.petitions.map((entry) => (
            <li key={entry.petitionId}>
              <Link to={`/petitions/${entry.slug}`}>{entry.title ?? entry.slug}</Link>{" "}
              <span className="muted">
                {entry.status === "pending"
                  ? "waiting for its batch"
                  : entry.standing
                    ? "counted"
                    : "withdrawn"}
              </span>{" "}
              · receipt <code className="receipt-code">{entry.token?.tokenId.slice(0, 16)}…</code>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">None on this browser.</p>
      )}
      <p className="hint">
        The platform cannot list these for you, and emails anonymous signers nothing. To see them on another
        device, <Link to="/my/tokens">move your tokens</Link>.
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

export function FeedbackReplies({ secret }: { secret: string }) {
  const [replies, setReplies] = useState<Replies | null | undefined>();
  useEffect(() => {
    void readReplies(secret).then(setReplies, () => setReplies(null));
  }, [secret]);
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
  const wallet = useWallet();
  return (
    <section className="card" aria-labelledby="anonymous-feedback-title">
      <h2 id="anonymous-feedback-title">Sent anonymously from this browser</h2>
      {!wallet.available ? (
        <Unavailable ready={wallet.ready} what="anonymous feedback receipts" />
      ) : wallet.feedback.length ? (
        <ul className="stack">
          {wallet.feedback.map((item) => (
            <li key={item.tokenId} className="card">
              <p>
                <Link to={`/policies/${item.policySlug}`}>{item.policyTitle}</Link>{" "}
                <span className="muted">sent anonymously on {item.sentOn}</span>
              </p>
              <blockquote>{item.body}</blockquote>
              <p>
                Receipt code: <code className="receipt-code">{item.secret}</code>
              </p>
              <FeedbackReplies secret={item.secret} />
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">None on this browser.</p>
      )}
      <p className="hint">
        Nobody can email you about feedback sent anonymously — it is stored with no author. Replies are read
        here, or with its receipt code on <Link to="/feedback/receipt">the receipt page</Link>.
      </p>
    </section>
  );
}
