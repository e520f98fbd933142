import type { Breakdown } from "../models/small-groups";
import { K } from "../models/small-groups";

/** A breakdown after small-group suppression: shown groups, hidden ones, their combined count, the total. */
export function SmallGroupTable({
  groupLabel,
  countLabel,
  breakdown,
  extra,
}: {
  groupLabel: string;
  countLabel: string;
  breakdown: Breakdown;
  /** An extra column (e.g. an average), given per shown row label. */
  extra?: { label: string; value: (rowLabel: string) => string };
}) {
  return (
    <table className="data-table">
      <thead>
        <tr>
          <th scope="col">{groupLabel}</th>
          <th scope="col">{countLabel}</th>
          {extra ? <th scope="col">{extra.label}</th> : null}
        </tr>
      </thead>
      <tbody>
        {breakdown.rows.map((row) => (
          <tr key={row.label}>
            <th scope="row">{row.label}</th>
            <td>
              {row.shown
                ? row.total.toLocaleString("en")
                : row.fewerThanK
                  ? `fewer than ${K}`
                  : "combined below"}
            </td>
            {extra ? <td>{row.shown ? extra.value(row.label) : "—"}</td> : null}
          </tr>
        ))}
        {breakdown.folded !== null ? (
          <tr>
            <th scope="row">Not shown, combined</th>
            <td>{breakdown.folded.toLocaleString("en")}</td>
            {extra ? <td>—</td> : null}
          </tr>
        ) : null}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row">Total</th>
          <td>{breakdown.total.toLocaleString("en")}</td>
          {extra ? <td /> : null}
        </tr>
      </tfoot>
    </table>
  );
}
