import { useFormat } from "../i18n/format";
import { useT } from "../i18n/translate";
import type { Breakdown } from "../platform/anonymity/small-groups";
import { K } from "../platform/anonymity/small-groups";

/**
 * A breakdown after small-group suppression: the shown groups, one row for the folded ones combined,
 * the total, and the folded groups' names (all alike: each has fewer than K or is combined to
 * protect one that has).
 */
export function SmallGroupTable({
  groupLabel,
  countLabel,
  breakdown,
  extra,
}: {
  groupLabel: string;
  countLabel: string;
  breakdown: Breakdown;
  /** An extra column (e.g. an average), given per shown row label, for the combined row and the total. */
  extra?: { label: string; value: (rowLabel: string) => string; folded?: string; total?: string };
}) {
  const t = useT();
  const format = useFormat();
  const folded = breakdown.rows.filter((row) => !row.shown).map((row) => row.label);
  return (
    <>
      <table className="data-table">
        <thead>
          <tr>
            <th scope="col">{groupLabel}</th>
            <th scope="col">{countLabel}</th>
            {extra ? <th scope="col">{extra.label}</th> : null}
          </tr>
        </thead>
        <tbody>
          {breakdown.rows.map((row) =>
            row.shown ? (
              <tr key={row.label}>
                <th scope="row">{row.label}</th>
                <td>{format.number(row.total)}</td>
                {extra ? <td>{extra.value(row.label)}</td> : null}
              </tr>
            ) : null,
          )}
          {breakdown.folded !== null ? (
            <tr>
              <th scope="row">{t("petition.groups.combined", { count: folded.length })}</th>
              <td>{format.number(breakdown.folded)}</td>
              {extra ? <td>{extra.folded ?? t("common.time.none")}</td> : null}
            </tr>
          ) : null}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">{t("petition.groups.total")}</th>
            <td>{format.number(breakdown.total)}</td>
            {extra ? <td>{extra.total ?? ""}</td> : null}
          </tr>
        </tfoot>
      </table>
      {folded.length > 0 ? (
        <details>
          <summary>{t("petition.groups.notShown", { count: folded.length })}</summary>
          <p className="muted">{t("petition.groups.why", { k: K, groups: folded.join(", ") })}</p>
        </details>
      ) : null}
    </>
  );
}
