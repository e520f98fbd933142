import { Link } from "@remix-run/react";
import { useT } from "../../i18n/translate";
import { type PetitionKey, SETUP_PATH } from "../anonymous-signing";
import { LogSmallPrint } from "../transparency-bits";

/**
 * The sign form's one choice: by name or anonymously, one line each, and one sentence naming the main
 * limit of anonymity (docs/anonymity.md, "Out of scope"); the rest is one click away, in "How
 * anonymous signing works", so that a few lines stand between a colleague and the Sign button.
 */
export function AnonymityChoice({
  slug,
  anonymity,
  hydrated,
  available,
  hasWallet,
  lastingRefusal,
  unconfirmed,
  onChange,
}: {
  slug: string;
  anonymity: PetitionKey;
  /** JavaScript runs: the browser can make an anonymous signature. */
  hydrated: boolean;
  /** This page can sign anonymously (a secure connection, a petition key). */
  available: boolean;
  /** Whether this device holds the person's wallet (null: not known yet). */
  hasWallet: boolean | null;
  lastingRefusal: string | null;
  unconfirmed: string | null;
  onChange: (visibility: "public" | "anonymous") => void;
}) {
  const t = useT();
  const anonymousHint = !hydrated
    ? t("signing.anonymity.needsJavaScript")
    : !anonymity
      ? t("signing.anonymity.noKey")
      : !available
        ? t("signing.anonymity.needsHttps")
        : // The main limit, in one sentence: the rest is in "How anonymous signing works", after the button.
          // Every language says exactly this, no softer and promising no more (issue 27).
          t("signing.anonymity.limit");
  return (
    <fieldset className="choice">
      {/* The heading above says what the choice is about; each line says it cannot be switched. */}
      <legend className="sr-only">{t("signing.anonymity.legend")}</legend>
      <div className="radio">
        <input
          type="radio"
          id="visibility-public"
          name="visibility"
          value="public"
          defaultChecked
          aria-describedby="public-line"
          onChange={() => onChange("public")}
        />
        <span>
          <label htmlFor="visibility-public">{t("signing.anonymity.public")}</label>
          <span id="public-line" className="choice-line">
            {t("signing.anonymity.publicLine")}
          </span>
        </span>
      </div>
      <div className="radio">
        <input
          type="radio"
          id="visibility-anonymous"
          name="visibility"
          value="anonymous"
          disabled={!available || !anonymity}
          aria-describedby="anonymous-line anonymous-hint"
          onChange={() => onChange("anonymous")}
        />
        <span>
          <label htmlFor="visibility-anonymous">{t("signing.anonymity.anonymous")}</label>
          <span id="anonymous-line" className="choice-line">
            {hydrated && available && anonymity && hasWallet === false
              ? t.rich("signing.anonymity.getReady", {
                  link: (chunks) => (
                    <Link to={`${SETUP_PATH}?${new URLSearchParams({ back: `/petitions/${slug}` })}`}>
                      {chunks}
                    </Link>
                  ),
                })
              : // The promise: every language says exactly this, no softer and promising no more (issue 27).
                t("signing.anonymity.promise")}
          </span>
        </span>
      </div>
      <p id="anonymous-hint" className="hint">
        {anonymousHint}
      </p>
      {lastingRefusal ? (
        <p className="flash flash-error" role="alert">
          {lastingRefusal}
        </p>
      ) : null}
      {unconfirmed ? (
        <p className="hint" role="status">
          {unconfirmed}
        </p>
      ) : null}
    </fieldset>
  );
}

/** Everything the form used to say before the button, for whoever wants it: after the button. */
export function HowAnonymousSigningWorks({
  slug,
  anonymity,
  witnesses,
}: {
  slug: string;
  anonymity: PetitionKey;
  witnesses: string[];
}) {
  const t = useT();
  return (
    <details className="read-more">
      <summary>{t("signing.how.title")}</summary>
      <p>{t("signing.how.protects")}</p>
      <p>{t("signing.how.batches")}</p>
      {anonymity ? <LogSmallPrint witnesses={witnesses} /> : null}
      <p>{t("signing.how.reason")}</p>
      <p>
        {t.rich("signing.how.emails", {
          myPetitions: (chunks) => <Link to="/my/petitions">{chunks}</Link>,
          feed: (chunks) => <a href={`/petitions/${slug}/feed.atom`}>{chunks}</a>,
        })}
      </p>
      <p>{t("signing.how.elsewhere")}</p>
    </details>
  );
}
