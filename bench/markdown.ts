/**
 * What one saved text can cost the markdown renderer (ADR 0029): for each shape of text that has cost
 * it most (list items, setext headings, quotes, paragraphs, emphasis…), the CPU time of
 * `renderMarkdown` for 10,000 characters of it (a petition body's limit) and for the largest text of
 * that shape the bounds let through — the worst a colleague can make one save cost. Best of 3 after
 * a warm-up, in process; a refused text costs only the bounds check.
 *
 *   npm run bench:markdown     (writes docs/benchmarks.md, block "markdown")
 *
 * BENCH_BEFORE=$(npx tsx bench/checkout.ts REV) also times commit REV's renderer on the same texts.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { machine, ms, table, today, writeLatest } from "./report";

type Renderer = {
  renderMarkdown: (source: string) => string;
  checkMarkdownBounds?: (source: string) => void;
};

const LENGTH = 10_000;
const ROUNDS = 3;

/** Shapes of text: a unit repeated (a line, a paragraph, a run), filled up to the length. */
const SHAPES: Array<[string, string]> = [
  ["plain prose", "Lorem ipsum dolor sit amet, consectetur adipiscing elit. "],
  ["list items `- a`", "- a\n"],
  ["numbered items `1. a`", "1. a\n"],
  ["nested items `- - - - a`", "- - - - a\n"],
  ["list items in quotes `- > a`", "- > a\n"],
  ["setext headings `a` / `=`", "a\n=\n"],
  ["setext headings `a` / `-`", "a\n-\n"],
  ["headings `# a`", "# a\n"],
  ["quotes `> a`, blank line", "> a\n\n"],
  ["lazy lines `> - a` / `b`", "> - a\nb\n"],
  ["paragraphs `a`, blank line", "a\n\n"],
  ["lines `a`", "a\n"],
  ["hard breaks `a␠␠`", "a  \n"],
  ["thematic breaks `---`", "---\n"],
  ["fences `~~~`", "~~~\n~~~\n"],
  ["emphasis `*a*`, 150 per paragraph", `${"*a* ".repeat(75)}\n\n`],
  ["emphasis runs `***a***`", `${"***a*** ".repeat(21)}\n\n`],
  ["link definitions `[a]: b`", "[a]: b\n"],
  ["links `[a](b)`", `${"[a](b) ".repeat(75)}\n\n`],
  ["character references `&amp;`", "&amp; "],
];

/**
 * Every bound spent at once, under 10,000 characters: 400 numbered items (blocks) with a link each
 * (a blank line every 50, for the per-block bound), then 600 lazy lines with hard breaks (1,000
 * lines), 50 of them emphasised (1,700 formatting characters).
 */
const EVERYTHING = [
  ...Array.from({ length: 400 }, (_, i) => `${i + 1}. [a](b) a${(i + 1) % 50 === 0 && i < 399 ? "\n" : ""}`),
  ...Array.from({ length: 600 }, (_, i) => (i < 50 ? "*b* c  " : "b  ")),
].join("\n");

const fill = (unit: string, length: number) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length);

function cpuMs(fn: () => void): number {
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/** CPU of the best of ROUNDS renders, and whether the text was refused. */
function time(renderer: Renderer, text: string): { ms: number; refused: boolean } {
  let best = Number.POSITIVE_INFINITY;
  let refused = false;
  for (let i = 0; i < ROUNDS; i++) {
    best = Math.min(
      best,
      cpuMs(() => {
        try {
          renderer.renderMarkdown(text);
        } catch (error) {
          if (!(error instanceof Error) || error.constructor.name !== "MarkdownRefusal") throw error;
          refused = true;
        }
      }),
    );
  }
  return { ms: best, refused };
}

/** The longest text of the unit, up to LENGTH, that the bounds let through (they are monotone in it). */
function largestAccepted(renderer: Renderer, unit: string): string {
  const check = renderer.checkMarkdownBounds;
  if (!check) return fill(unit, LENGTH);
  const passes = (n: number) => {
    try {
      check(fill(unit, n));
      return true;
    } catch {
      return false;
    }
  };
  let low = 0;
  let high = LENGTH;
  if (passes(high)) return fill(unit, high);
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (passes(mid)) low = mid;
    else high = mid;
  }
  return fill(unit, low);
}

// The renderer moved into platform/content/; an older checkout (BENCH_BEFORE) has it one level up.
const load = async (root: string): Promise<Renderer> => {
  const moved = path.join(root, "app/platform/content/markdown.server.ts");
  return (await import(
    existsSync(moved) ? moved : path.join(root, "app/platform/markdown.server.ts")
  )) as Renderer;
};

const about = machine();
console.log(about);
const after = await load(process.cwd());
const before = process.env.BENCH_BEFORE ? await load(process.env.BENCH_BEFORE) : undefined;
const warm = "- a\n# b\n> c\n\n*d* [e](f)\n\nlorem ipsum\n".repeat(40);
for (const renderer of [after, before]) for (let i = 0; i < 5; i++) renderer?.renderMarkdown(warm);

const outcome = (r: { ms: number; refused: boolean }) => `${ms(r.ms)}${r.refused ? ", refused" : ""}`;
const largestCell = (renderer: Renderer, unit: string) => {
  const largest = largestAccepted(renderer, unit);
  const { ms: cpu } = time(renderer, largest);
  return { cpu, cell: `${largest.length.toLocaleString("en")} chars: ${ms(cpu)}` };
};
const rows: string[][] = [];
let worst = 0;
for (const [label, unit] of SHAPES) {
  const full = fill(unit, LENGTH);
  const now = largestCell(after, unit);
  worst = Math.max(worst, now.cpu);
  const row = before
    ? [
        label,
        outcome(time(before, full)),
        outcome(time(after, full)),
        largestCell(before, unit).cell,
        now.cell,
      ]
    : [label, outcome(time(after, full)), now.cell];
  console.log(row.join(" | "));
  rows.push(row);
}
after.checkMarkdownBounds?.(EVERYTHING);
const everything = time(after, EVERYTHING);
worst = Math.max(worst, everything.ms);
const mixed = `${EVERYTHING.length.toLocaleString("en")} chars: ${ms(everything.ms)}`;
rows.push(
  before
    ? ["every bound at once", outcome(time(before, EVERYTHING)), outcome(everything), "", mixed]
    : ["every bound at once", outcome(everything), mixed],
);
const header = before
  ? ["text (10,000 characters of it)", "before", "now", "largest accepted before", "largest accepted now"]
  : ["text (10,000 characters of it)", "now", "largest accepted: CPU"];
const result = table(header, rows);
console.log(result);
writeLatest(
  "markdown",
  `Latest run (${today()}): ${about}. CPU time of \`renderMarkdown\`, best of ${ROUNDS}${before ? `; "before" is ${path.basename(process.env.BENCH_BEFORE ?? "")}` : ""}. Worst accepted: ${ms(worst)}.

${result}`,
);
