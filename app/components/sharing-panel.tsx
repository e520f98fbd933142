import { useRef, useState } from "react";
import { mailtoHref, type ShareView, teamsShareHref } from "../domain/sharing/share-links";
import { useT } from "../i18n/translate";
import { useHydrated } from "./use-hydrated";

/** Why the panel is shown now: after the reader's own signature or co-sponsorship it asks for more. */
export type ShareMoment = "signed" | "coSponsored" | "none";
export const shareMoment = (signed: boolean, coSponsored: boolean): ShareMoment =>
  signed ? "signed" : coSponsored ? "coSponsored" : "none";

/**
 * Copy link, email, Teams and a message for Slack, built only from what the page already holds (the
 * petition's address, title and summary, and the reader's words): rendering it sends nothing, so a
 * page that shows it after an anonymous signature makes no request a reader's page does not.
 * Without JavaScript the address and the message are shown to select; the links work as links.
 */
export function SharingPanel({
  share,
  petition,
  moment,
}: {
  share: ShareView;
  petition: { title: string; summary: string; state: string };
  moment: ShareMoment;
}) {
  const t = useT();
  const hydrated = useHydrated();
  const [status, setStatus] = useState<string | null>(null);
  const link = useRef<HTMLInputElement>(null);
  const slack = useRef<HTMLTextAreaElement>(null);
  const { title, summary, state } = petition;
  const message = t("sharing.message", { state, title, url: share.url });
  const email = mailtoHref(
    t("sharing.email.subject", { title }),
    t("sharing.email.body", { state, title, summary, url: share.url }),
  );

  // The clipboard needs a secure context and the browser's leave: failing that, the text is left
  // selected for the person's own Ctrl+C.
  const copy = (field: HTMLInputElement | HTMLTextAreaElement | null) => {
    if (!field) return;
    const selectIt = () => {
      field.focus();
      field.select();
      setStatus(t("sharing.copyFailed"));
    };
    if (!navigator.clipboard) return selectIt();
    navigator.clipboard.writeText(field.value).then(() => setStatus(t("sharing.copied")), selectIt);
  };

  return (
    <section className="card stack sharing-panel" aria-labelledby="sharing-title">
      <h2 id="sharing-title">{t("sharing.title", { moment })}</h2>
      <p className="hint">{t("sharing.intro")}</p>
      {/* The same for every signer, so the panel tells no one how the reader signed. */}
      {moment === "signed" ? <p className="hint">{t("sharing.afterSigning.caution")}</p> : null}
      <div className="row">
        <div className="field grow">
          <label htmlFor="sharing-link">{t("sharing.link.label")}</label>
          <input
            id="sharing-link"
            ref={link}
            type="url"
            readOnly
            value={share.url}
            onFocus={(event) => event.currentTarget.select()}
          />
        </div>
        {hydrated ? (
          <button type="button" className="secondary" onClick={() => copy(link.current)}>
            {t("sharing.link.copy")}
          </button>
        ) : null}
      </div>
      <ul>
        <li>
          <a href={email}>{t("sharing.email")}</a>
        </li>
        <li>
          <a
            href={teamsShareHref(share.url, message)}
            target="_blank"
            rel="noopener noreferrer"
            aria-describedby="sharing-teams-hint"
          >
            {t("sharing.teams")}
          </a>{" "}
          <span id="sharing-teams-hint" className="hint">
            {t("sharing.teams.hint")}
          </span>
        </li>
      </ul>
      <details className="read-more">
        <summary>{t("sharing.slack.summary")}</summary>
        <p className="hint" id="sharing-slack-hint">
          {t("sharing.slack.hint")}
        </p>
        <div className="field">
          <label htmlFor="sharing-slack">{t("sharing.slack.label")}</label>
          <textarea
            id="sharing-slack"
            ref={slack}
            readOnly
            rows={3}
            value={message}
            aria-describedby="sharing-slack-hint"
            onFocus={(event) => event.currentTarget.select()}
          />
        </div>
        {hydrated ? (
          <button type="button" className="secondary" onClick={() => copy(slack.current)}>
            {t("sharing.slack.copy")}
          </button>
        ) : null}
      </details>
      <p role="status" className="hint">
        {status}
      </p>
    </section>
  );
}
