import type { SeriesPoint } from "../domain/petitions/signature-series";
import { DAY_MS } from "../platform/time";

/**
 * Signatures over time as two server-rendered SVG charts — the running total (with milestone
 * markers) and signatures per period — plus the same numbers as a table. No script, no third-party
 * library: the SVG is plain markup the page already carries.
 */

const WIDTH = 720;
const HEIGHT = 220;
const PAD = { top: 16, right: 16, bottom: 32, left: 56 };
const PLOT_W = WIDTH - PAD.left - PAD.right;
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

const label = (start: number, bucketMs: number) => {
  const iso = new Date(start).toISOString();
  return bucketMs < DAY_MS ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(0, 10);
};

function xTicks(points: SeriesPoint[], bucketMs: number) {
  if (!points.length) return [];
  const every = Math.max(1, Math.ceil(points.length / 6));
  return points
    .map((p, i) => ({ i, text: label(p.start, bucketMs) }))
    .filter(({ i }) => i % every === 0 || i === points.length - 1);
}

/** Grid lines with value labels, and date labels along the bottom. (Inside role="img": not read out.) */
function Axes({
  ticks,
  y,
  xTicks: labels,
  x,
  step,
}: {
  ticks: number[];
  y: (v: number) => number;
  xTicks: { i: number; text: string }[];
  x: (i: number) => number;
  step: number;
}) {
  return (
    <g>
      {ticks.map((t) => (
        <g key={t}>
          <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(t)} y2={y(t)} className="chart-grid" />
          <text x={PAD.left - 6} y={y(t) + 4} textAnchor="end" className="chart-label">
            {t.toLocaleString("en")}
          </text>
        </g>
      ))}
      {labels.map(({ i, text }) => (
        <text key={i} x={x(i) + step / 2} y={HEIGHT - 10} textAnchor="middle" className="chart-label">
          {text}
        </text>
      ))}
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
  const period = bucketMs < DAY_MS ? "hour" : "day";
  if (!points.length) return <p>No signatures yet.</p>;
  const last = points[points.length - 1];
  const total = last?.cumulative ?? 0;
  let peak = points[0];
  for (const p of points) if (peak && p.count > peak.count) peak = p;
  const step = PLOT_W / points.length;
  const x = (i: number) => PAD.left + i * step;
  const ticksX = xTicks(points, bucketMs);

  // Only milestones within (or just above) the drawn range, so the line keeps its shape.
  const shownMilestones = milestones.filter((m) => m.threshold <= Math.max(total * 1.25, 1));
  const cumulativeTicks = niceTicks(Math.max(total, ...shownMilestones.map((m) => m.threshold)));
  const cumulativeMax = cumulativeTicks.at(-1) ?? 1;
  const yCum = (v: number) => PAD.top + PLOT_H - (v / cumulativeMax) * PLOT_H;
  const line = points.map(
    (p, i) => `${i ? "L" : "M"}${(x(i) + step).toFixed(1)},${yCum(p.cumulative).toFixed(1)}`,
  );
  const before = (points[0]?.cumulative ?? 0) - (points[0]?.count ?? 0);
  const start = `M${x(0).toFixed(1)},${yCum(before).toFixed(1)}`;

  const countTicks = niceTicks(peak?.count ?? 0);
  const countMax = countTicks.at(-1) ?? 1;
  const yCount = (v: number) => PAD.top + PLOT_H - (v / countMax) * PLOT_H;

  const range = `${label(points[0]?.start ?? 0, bucketMs)} to ${label(last?.start ?? 0, bucketMs)} (UTC)`;
  return (
    <div className="stack">
      <figure className="chart">
        <svg
          viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
          role="img"
          aria-labelledby="chart-total-title chart-total-desc"
          className="chart-svg"
        >
          <title id="chart-total-title">Total signatures over time</title>
          <desc id="chart-total-desc">
            {`From ${range}, by ${period}: the total reached ${total.toLocaleString("en")}.`}
            {shownMilestones
              .map((m) =>
                m.reachedAt
                  ? ` Milestone ${m.threshold.toLocaleString("en")} reached ${new Date(m.reachedAt).toISOString().slice(0, 10)}.`
                  : ` Milestone ${m.threshold.toLocaleString("en")} not reached yet.`,
              )
              .join("")}
          </desc>
          <Axes ticks={cumulativeTicks} y={yCum} xTicks={ticksX} x={x} step={step} />
          {shownMilestones.map((m) => (
            <g key={m.threshold}>
              <line
                x1={PAD.left}
                x2={WIDTH - PAD.right}
                y1={yCum(m.threshold)}
                y2={yCum(m.threshold)}
                className={m.reachedAt ? "chart-milestone chart-milestone-reached" : "chart-milestone"}
              />
              <text
                x={WIDTH - PAD.right - 4}
                y={yCum(m.threshold) - 4}
                textAnchor="end"
                className="chart-label"
              >
                {m.threshold.toLocaleString("en")}
                {m.reachedAt ? " ✓" : ""}
              </text>
            </g>
          ))}
          <path d={`${start} ${line.join(" ")}`} className="chart-line" />
        </svg>
        <figcaption>Total signatures (running count), with milestones as dashed lines.</figcaption>
      </figure>
      <figure className="chart">
        <svg
          viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
          role="img"
          aria-labelledby="chart-period-title chart-period-desc"
          className="chart-svg"
        >
          <title id="chart-period-title">{`Signatures per ${period}`}</title>
          <desc id="chart-period-desc">
            {`From ${range}. The busiest ${period} was ${label(peak?.start ?? 0, bucketMs)} with ${(peak?.count ?? 0).toLocaleString("en")} signatures.`}
          </desc>
          <Axes ticks={countTicks} y={yCount} xTicks={ticksX} x={x} step={step} />
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
        <figcaption>{`Signatures per ${period} (UTC).`}</figcaption>
      </figure>
      <details>
        <summary>The numbers as a table</summary>
        <table className="data-table">
          <caption className="sr-only">{`Signatures per ${period} and running total`}</caption>
          <thead>
            <tr>
              <th scope="col">{period === "hour" ? "Hour (UTC)" : "Day (UTC)"}</th>
              <th scope="col">Signatures</th>
              <th scope="col">Total</th>
            </tr>
          </thead>
          <tbody>
            {points.map((p) => (
              <tr key={p.start}>
                <th scope="row">{label(p.start, bucketMs)}</th>
                <td>{p.count.toLocaleString("en")}</td>
                <td>{p.cumulative.toLocaleString("en")}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </div>
  );
}
