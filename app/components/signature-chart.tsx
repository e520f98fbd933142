import type { SeriesPoint } from "../domain/petitions/signature-series";
import { type Formatter, useFormat } from "../i18n/format";
import { useT } from "../i18n/translate";
import { DAY_MS } from "../platform/time";

/**
 * Signatures over time as two server-rendered SVG charts — the running total (with milestone
 * markers) and signatures per period — plus the same numbers as a table. No script, no third-party
 * library: the SVG is plain markup the page already carries.
 *
 * An SVG scales as a whole, its text with it: drawn 720 wide, a phone showed it at under half size
 * (5-pixel dates). So each chart is drawn twice, wide and narrow (fewer date labels), and the page's
 * CSS shows the one that fits; the other is display:none, out of the accessibility tree too.
 */

type Layout = { key: "wide" | "narrow"; width: number; xLabels: number };
const LAYOUTS: readonly Layout[] = [
  { key: "wide", width: 720, xLabels: 6 },
  { key: "narrow", width: 360, xLabels: 3 },
];
const HEIGHT = 220;
const PAD = { top: 16, right: 12, bottom: 32, left: 52 };
const PLOT_H = HEIGHT - PAD.top - PAD.bottom;

type Milestone = { threshold: number; reachedAt: string | Date | null };

/** Round tick steps (1, 2, 5 × 10ⁿ) so the axis reads 0, 500, 1,000 rather than 0, 437, 874. */
export function niceTicks(max: number, count = 4): number[] {
  if (max <= 0) return [0, 1];
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let t = 0; t < max + step; t += step) ticks.push(t);
  return ticks;
}

/**
 * The series' buckets are UTC days or hours, and the chart says so once (its range, the table's
 * heading): each bucket is written as that UTC day or hour, in the reader's language.
 */
/** A bucket as an axis says it: "6 Dec", or "6 Dec, 14:00" by hour. */
export const axisLabel = (format: Formatter, start: number, bucketMs: number) =>
  format.utcPeriod(start, { hourly: bucketMs < DAY_MS, short: true });

/** A bucket in full, for descriptions and the table: "6 Dec 2026", or "6 Dec 2026, 14:00". */
const fullLabel = (format: Formatter, start: number, bucketMs: number) =>
  format.utcPeriod(start, { hourly: bucketMs < DAY_MS });

/** At most `wanted` date labels, evenly spaced, always the first and the last bucket's. */
export function xTickIndexes(length: number, wanted: number): number[] {
  if (length <= 1 || wanted <= 1) return length ? [0] : [];
  const count = Math.min(length, wanted);
  return [...new Set(Array.from({ length: count }, (_, k) => Math.round((k * (length - 1)) / (count - 1))))];
}

type Geometry = { width: number; step: number; x: (i: number) => number };

/**
 * Grid lines with value labels, and date labels along the bottom: the first anchored at its start
 * and the last at its end, so neither is cut off at the edge. (Inside role="img": not read out.)
 */
function Axes({
  ticks,
  y,
  dates,
  geometry: { width, step, x },
}: {
  ticks: number[];
  y: (v: number) => number;
  dates: { i: number; text: string }[];
  geometry: Geometry;
}) {
  const format = useFormat();
  const last = dates.at(-1)?.i;
  return (
    <g>
      {ticks.map((t) => (
        <g key={t}>
          <line x1={PAD.left} x2={width - PAD.right} y1={y(t)} y2={y(t)} className="chart-grid" />
          <text x={PAD.left - 6} y={y(t) + 4} textAnchor="end" className="chart-label">
            {format.number(t)}
          </text>
        </g>
      ))}
      {dates.map(({ i, text }) => {
        const anchor = dates.length > 1 && i === 0 ? "start" : i === last && i > 0 ? "end" : "middle";
        const at = anchor === "start" ? x(i) : anchor === "end" ? x(i) + step : x(i) + step / 2;
        return (
          <text key={i} x={at} y={HEIGHT - 10} textAnchor={anchor} className="chart-label">
            {text}
          </text>
        );
      })}
    </g>
  );
}

export function SignatureChart({
  points,
  bucketMs,
  milestones,
}: {
  points: SeriesPoint[];
  bucketMs: number;
  milestones: Milestone[];
}) {
  const t = useT();
  const format = useFormat();
  const period = bucketMs < DAY_MS ? "hour" : "day";
  if (!points.length) return <p>{t("petition.chart.none")}</p>;
  const last = points[points.length - 1];
  const total = last?.cumulative ?? 0;
  let peak = points[0];
  for (const p of points) if (peak && p.count > peak.count) peak = p;

  // Only milestones within (or just above) the drawn range, so the line keeps its shape.
  const shownMilestones = milestones.filter((m) => m.threshold <= Math.max(total * 1.25, 1));
  const cumulativeTicks = niceTicks(Math.max(total, ...shownMilestones.map((m) => m.threshold)));
  const cumulativeMax = cumulativeTicks.at(-1) ?? 1;
  const yCum = (v: number) => PAD.top + PLOT_H - (v / cumulativeMax) * PLOT_H;
  const before = (points[0]?.cumulative ?? 0) - (points[0]?.count ?? 0);
  const countTicks = niceTicks(peak?.count ?? 0);
  const countMax = countTicks.at(-1) ?? 1;
  const yCount = (v: number) => PAD.top + PLOT_H - (v / countMax) * PLOT_H;

  const range = t("petition.chart.range", {
    from: fullLabel(format, points[0]?.start ?? 0, bucketMs),
    to: fullLabel(format, last?.start ?? 0, bucketMs),
  });
  const geometryOf = (layout: Layout): Geometry => {
    const step = (layout.width - PAD.left - PAD.right) / points.length;
    return { width: layout.width, step, x: (i: number) => PAD.left + i * step };
  };
  const datesOf = (layout: Layout) =>
    xTickIndexes(points.length, layout.xLabels).map((i) => ({
      i,
      text: axisLabel(format, points[i]?.start ?? 0, bucketMs),
    }));

  return (
    <div className="stack">
      <figure className="chart">
        {LAYOUTS.map((layout) => {
          const geometry = geometryOf(layout);
          const { x, step, width } = geometry;
          const line = points.map(
            (p, i) => `${i ? "L" : "M"}${(x(i) + step).toFixed(1)},${yCum(p.cumulative).toFixed(1)}`,
          );
          const start = `M${x(0).toFixed(1)},${yCum(before).toFixed(1)}`;
          const id = `chart-total-${layout.key}`;
          return (
            <svg
              key={layout.key}
              viewBox={`0 0 ${width} ${HEIGHT}`}
              role="img"
              aria-labelledby={`${id}-title ${id}-desc`}
              className={`chart-svg chart-${layout.key}`}
            >
              <title id={`${id}-title`}>{t("petition.chart.totalTitle")}</title>
              <desc id={`${id}-desc`}>
                {[
                  t("petition.chart.totalDesc", { range, period, total }),
                  ...shownMilestones.map((m) =>
                    m.reachedAt
                      ? t("petition.chart.milestoneReached", {
                          threshold: m.threshold,
                          at: format.dateTime(m.reachedAt),
                        })
                      : t("petition.chart.milestoneNotReached", { threshold: m.threshold }),
                  ),
                ].join(" ")}
              </desc>
              <Axes ticks={cumulativeTicks} y={yCum} dates={datesOf(layout)} geometry={geometry} />
              {shownMilestones.map((m) => (
                <g key={m.threshold}>
                  <line
                    x1={PAD.left}
                    x2={width - PAD.right}
                    y1={yCum(m.threshold)}
                    y2={yCum(m.threshold)}
                    className={m.reachedAt ? "chart-milestone chart-milestone-reached" : "chart-milestone"}
                  />
                  <text
                    x={width - PAD.right - 4}
                    y={yCum(m.threshold) - 4}
                    textAnchor="end"
                    className="chart-label"
                  >
                    {format.number(m.threshold)}
                    {m.reachedAt ? " ✓" : ""}
                  </text>
                </g>
              ))}
              <path d={`${start} ${line.join(" ")}`} className="chart-line" />
            </svg>
          );
        })}
        <figcaption>{t("petition.chart.totalCaption")}</figcaption>
      </figure>
      <figure className="chart">
        {LAYOUTS.map((layout) => {
          const geometry = geometryOf(layout);
          const { x, step, width } = geometry;
          const id = `chart-period-${layout.key}`;
          return (
            <svg
              key={layout.key}
              viewBox={`0 0 ${width} ${HEIGHT}`}
              role="img"
              aria-labelledby={`${id}-title ${id}-desc`}
              className={`chart-svg chart-${layout.key}`}
            >
              <title id={`${id}-title`}>{t("petition.chart.perTitle", { period })}</title>
              <desc id={`${id}-desc`}>
                {t("petition.chart.perDesc", {
                  range,
                  period,
                  when: fullLabel(format, peak?.start ?? 0, bucketMs),
                  count: peak?.count ?? 0,
                })}
              </desc>
              <Axes ticks={countTicks} y={yCount} dates={datesOf(layout)} geometry={geometry} />
              <g>
                {points.map((p, i) =>
                  p.count ? (
                    <rect
                      key={p.start}
                      x={x(i) + step * 0.1}
                      width={Math.max(step * 0.8, 0.5)}
                      y={yCount(p.count)}
                      height={PAD.top + PLOT_H - yCount(p.count)}
                      className="chart-bar"
                    />
                  ) : null,
                )}
              </g>
            </svg>
          );
        })}
        <figcaption>{t("petition.chart.perCaption", { period })}</figcaption>
      </figure>
      <details>
        <summary>{t("petition.chart.table")}</summary>
        <div className="table-wrap">
          <table className="data-table">
            <caption className="sr-only">{t("petition.chart.tableCaption", { period })}</caption>
            <thead>
              <tr>
                <th scope="col">{t("petition.chart.bucket", { period })}</th>
                <th scope="col">{t("petition.page.signatures")}</th>
                <th scope="col">{t("petition.groups.total")}</th>
              </tr>
            </thead>
            <tbody>
              {points.map((p) => (
                <tr key={p.start}>
                  <th scope="row">{fullLabel(format, p.start, bucketMs)}</th>
                  <td>{format.number(p.count)}</td>
                  <td>{format.number(p.cumulative)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </div>
  );
}
