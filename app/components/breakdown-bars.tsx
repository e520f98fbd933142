import type { Headcounts } from "../domain/petitions/dashboard.server";
import { type Translate, useT } from "../i18n/translate";
import type { Breakdown } from "../platform/anonymity/small-groups";
import { K } from "../platform/anonymity/small-groups";

/**
 * A breakdown of public signers after small-group suppression, as bars of each group's share of its
 * colleagues in the directory — where a petition has support and where to campaign. Shown groups
 * come highest share first; the folded ones are one combined row, their names listed alike (each has
 * fewer than K signers, or is combined so that one that has cannot be worked out).
 *
 * Each bar is a small SVG (the page's CSP allows no style attributes, so no inline widths), hidden
 * from screen readers: the words beside it say the same.
 */

const percent = (signers: number, colleagues: number) =>
  colleagues > 0 ? Math.min(1, signers / colleagues) : null;

function Bar({ share }: { share: number | null }) {
  return (
    <svg
      viewBox="0 0 100 10"
      preserveAspectRatio="none"
      aria-hidden="true"
      className="share-bar"
      focusable="false"
    >
      <rect width="100" height="10" className="share-bar-track" />
      {share ? <rect width={Math.max(share * 100, 0.5)} height="10" className="share-bar-fill" /> : null}
    </svg>
  );
}

const shareText = (t: Translate, signers: number, colleagues: number) => {
  const share = percent(signers, colleagues);
  return share === null
    ? t("petition.breakdown.signers", { count: signers })
    : t("petition.breakdown.share", { signers, colleagues, share });
};

export function BreakdownBars({
  breakdown,
  headcounts,
  what,
}: {
  breakdown: Breakdown;
  headcounts: Headcounts;
  /** How the folded row and the list name a group. */
  what: "department" | "location";
}) {
  const t = useT();
  const shown = breakdown.rows
    .flatMap((row) => (row.shown ? [{ label: row.label, total: row.total }] : []))
    .map((row) => ({ ...row, colleagues: headcounts.shown[row.label] ?? 0 }))
    .sort(
      (a, b) =>
        (percent(b.total, b.colleagues) ?? 0) - (percent(a.total, a.colleagues) ?? 0) ||
        a.label.localeCompare(b.label),
    );
  const folded = breakdown.rows.filter((row) => !row.shown).map((row) => row.label);
  return (
    <>
      <ul className="share-bars">
        {shown.map((row) => (
          <li key={row.label} className="share-bar-row">
            <span className="share-bar-label">{row.label}</span>
            <Bar share={percent(row.total, row.colleagues)} />
            <span className="share-bar-figure">{shareText(t, row.total, row.colleagues)}</span>
          </li>
        ))}
        {breakdown.folded !== null ? (
          <li className="share-bar-row">
            <span className="share-bar-label">
              {t("petition.breakdown.combined", { count: folded.length, what })}
            </span>
            <Bar share={percent(breakdown.folded, headcounts.folded ?? 0)} />
            <span className="share-bar-figure">{shareText(t, breakdown.folded, headcounts.folded ?? 0)}</span>
          </li>
        ) : null}
      </ul>
      <p className="muted">{t("petition.breakdown.total", { count: breakdown.total })}</p>
      {folded.length > 0 ? (
        <details>
          <summary>{t("petition.breakdown.which", { count: folded.length })}</summary>
          <p className="muted">{t("petition.breakdown.why", { k: K, groups: folded.join(", ") })}</p>
        </details>
      ) : null}
    </>
  );
}
