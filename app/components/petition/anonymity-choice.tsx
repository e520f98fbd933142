import { Link } from "@remix-run/react";
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
  const anonymousHint = !hydrated
    ? "Signing anonymously needs JavaScript: your browser makes the signature itself, so that the server never learns it is yours. Without it you can sign with your name."
    : !anonymity
      ? "This petition takes no anonymous signatures at the moment."
      : !available
        ? "Signing anonymously needs a secure connection (https): this page was not loaded over one."
        : // The main limit, in one sentence: the rest is in "How anonymous signing works", after the button.
          "Its limit: whoever watches the network or this server as your browser sends or withdraws it could tell it was you.";
  return (
    <fieldset className="choice">
      {/* The heading above says what the choice is about; each line says it cannot be switched. */}
      <legend className="sr-only">How your signature appears</legend>
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
          <label htmlFor="visibility-public">Sign with my name</label>
          <span id="public-line" className="choice-line">
            Stays public, with your department.
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
          <label htmlFor="visibility-anonymous">Sign anonymously</label>
          <span id="anonymous-line" className="choice-line">
            {hydrated && available && anonymity && hasWallet === false ? (
              <>
                Never made public.{" "}
                <Link to={`${SETUP_PATH}?${new URLSearchParams({ back: `/petitions/${slug}` })}`}>
                  Get this device ready
                </Link>{" "}
                first.
              </>
            ) : (
              "Never made public: the database, its backups and the logs never say it was you."
            )}
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
  return (
    <details className="read-more">
      <summary>How anonymous signing works</summary>
      <p>
        It protects you from anyone who later holds the database, its backups or the logs: the server never
        learns which signature is yours. It cannot protect you from someone watching the network or the server
        live as you sign, or from a server that sends your browser altered code: signing from another network,
        and the short random wait before it is sent, make the first harder.
      </p>
      <p>
        Anonymous signatures are counted together, in batches at fixed times and only once at least 20
        colleagues' devices are ready to sign here, so that none can be dated finer than its batch: the count
        rises later than you sign.
      </p>
      {anonymity ? <LogSmallPrint witnesses={witnesses} /> : null}
      <p>
        A reason given with an anonymous signature is posted as an anonymous comment, with no time finer than
        the day (not while moderators have the discussion locked, or if you have just posted several
        comments).
      </p>
      <p>
        Anonymous signers are emailed nothing — the platform cannot know who they are: follow the petition
        here, in <Link to="/my/petitions">My petitions</Link>, or by its{" "}
        <a href={`/petitions/${slug}/feed.atom`}>feed</a>. Emails to public signers travel through company
        mail, where mail administrators can see who was sent one.
      </p>
      <p>
        A public signature from a device that cannot sign anonymously for you asks whether you already signed
        anonymously elsewhere: one signature per person, and if you did, it already counts. The petition
        publishes how many public signatures were made that way.
      </p>
    </details>
  );
}
