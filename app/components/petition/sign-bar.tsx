import { useT } from "../../i18n/translate";
import { SIGN_BOX_ID, signInToSign } from "./sign-panel";

/**
 * On a phone, once the sign box has scrolled away: the count and a way back to it, at the bottom of the
 * screen. Pure CSS (app.css, `.sign-bar`): it sits at the end of the petition's text and discussion,
 * `position: sticky` to the screen's bottom while they scroll by, so it shows only below the sign box
 * and ends in its own place, covering nothing at the end. Plain links: an in-page anchor works without
 * JavaScript, and a router link here would fetch the route manifest for some readers and not others.
 * Rendered only for who can sign (or could, after signing in).
 */
export function SignBar({ slug, count, signedIn }: { slug: string; count: number; signedIn: boolean }) {
  const t = useT();
  return (
    <div className="sign-bar">
      <p>{t.rich("signing.bar.count", { count, strong: (chunks) => <strong>{chunks}</strong> })}</p>
      {signedIn ? (
        <a className="button" href={`#${SIGN_BOX_ID}`}>
          {t("signing.bar.sign")}
        </a>
      ) : (
        <a className="button" href={signInToSign(slug)}>
          {t("signing.bar.signInToSign")}
        </a>
      )}
    </div>
  );
}
