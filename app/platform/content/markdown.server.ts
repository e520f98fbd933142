import rehypeSanitize, { defaultSchema, type Options as SanitizeSchema } from "rehype-sanitize";
import rehypeStringify from "rehype-stringify";
import remarkParse from "remark-parse";
import remarkRehype, { type Options as RemarkRehypeOptions } from "remark-rehype";
import { unified } from "unified";
import { Refusal } from "../refusal";
import { say } from "../said";

export type HastNode = {
  type: string;
  tagName?: string;
  value?: string;
  properties?: Record<string, unknown>;
  children?: HastNode[];
};

/**
 * Markdown → HTML for user content. Raw HTML in the source becomes plain text (nothing dropped,
 * nothing run); images become links to them (a remote image would be a request to a third party —
 * a tracking pixel — and the CSP blocks it anyway); then rehype-sanitize applies GitHub's allow-list
 * without <img> (no scripts, no event handlers, no javascript: URLs), and puts
 * rel="nofollow noopener ugc" on every link.
 */
const htmlTreeOptions: RemarkRehypeOptions = {
  handlers: {
    html: (_state, node: { value: string }) => ({ type: "text", value: node.value }),
    image: (_state, node: { url: string; alt?: string | null }) => ({
      type: "element",
      tagName: "a",
      properties: { href: node.url },
      children: [{ type: "text", value: node.alt || node.url }],
    }),
  },
};

const sanitizeSchema: SanitizeSchema = {
  ...defaultSchema,
  tagNames: defaultSchema.tagNames?.filter((name) => name !== "img"),
  // rel on every link, relative and mailto: ones included.
  required: { ...defaultSchema.required, a: { rel: ["nofollow", "noopener", "ugc"] } },
  clobberPrefix: "user-content-",
};

const processor = unified()
  .use(remarkParse)
  .use(remarkRehype, htmlTreeOptions)
  .use(rehypeSanitize, sanitizeSchema)
  .use(rehypeStringify);

type HastTransform = () => (tree: HastNode) => void;

/**
 * The same pipeline with a step of the caller's between building the HTML tree and sanitizing it
 * (the policy diff marks its insertions there), and one after sanitizing that may only add
 * constant markup: what either step makes still goes through the sanitizer's allow-list.
 */
export function renderMarkdownWith(
  source: string,
  steps: { beforeSanitizing: HastTransform; afterSanitizing: HastTransform },
): string {
  const withSteps = unified()
    .use(remarkParse)
    .use(remarkRehype, htmlTreeOptions)
    .use(steps.beforeSanitizing)
    .use(rehypeSanitize, sanitizeSchema)
    .use(steps.afterSanitizing)
    .use(rehypeStringify);
  return render(source, withSteps);
}

/**
 * Bounds on what one text may ask of the renderer (ADR 0029). Without them ~3,000 nested `>` threw a
 * RangeError (the tree walkers recurse once per level) and 5,000 characters of `*a*a…` took a fifth
 * of a second (micromark pairs emphasis delimiters within a paragraph: quadratic in them; and every
 * construct costs far more than plain text). Blocks cost most: each list item, quote, heading or
 * paragraph starts tokenizers of its own (~50–150 µs), and micromark rebuilds its whole list of
 * events when a quote or list closes and at each setext heading (`a` over `===`): 10,000 characters
 * of `- a` lines took 0.3 s, of setext headings 1.2 s, growing with the square of their number.
 * Text past a bound is refused when saved, with what to change; so the renderer's work is linear in
 * the length, with a bounded number of constructs (docs/benchmarks.md, "Markdown").
 * - `markersPerLine`: quote and list markers opening a line (`> > - 1.`).
 * - `depth`: how deep the parsed tree may go (indented lists nest too).
 * - `markupPerBlock`, `markup`: characters that open constructs (`* _ [ ] ` + "`" + ` < \\ &`) per
 *   block (lines between blank lines) and in all; a link or autolink counts two more (`](`, `<a`:
 *   ~100 µs each, three times an emphasis).
 * - `lines`: lines that are not blank.
 * - `blocks`: what opens a block: each quote or list marker, a heading (`#` or a setext underline),
 *   a thematic break, a code fence, a link definition, and a paragraph after a blank line.
 */
export const MARKDOWN_LIMITS = {
  markersPerLine: 16,
  depth: 64,
  markupPerBlock: 300,
  markup: 2_000,
  lines: 1_000,
  blocks: 400,
} as const;

/** A text the renderer will not take (nested too deeply, too much markup): a 400 saying what to change. */
export class MarkdownRefusal extends Refusal {}

// The marks are a value, not catalog text: "<" would open a tag in an ICU message.
const MARKS = "(* _ [ ] ` < \\ &; a link counts as four)";
const TOO_DEEP = say("server.markdown.tooDeep", { max: MARKDOWN_LIMITS.markersPerLine });
const TOO_MUCH_IN_BLOCK = say("server.markdown.tooMuchInBlock", {
  max: MARKDOWN_LIMITS.markupPerBlock,
  marks: MARKS,
});
const TOO_MUCH = say("server.markdown.tooMuch", { max: MARKDOWN_LIMITS.markup, marks: MARKS });
const TOO_MANY_LINES = say("server.markdown.tooManyLines", { max: MARKDOWN_LIMITS.lines });
const TOO_MANY_BLOCKS = say("server.markdown.tooManyBlocks", { max: MARKDOWN_LIMITS.blocks });

/** A quote or list marker opening a line, after any indentation (nested list items are indented). */
const CONTAINER_MARKER = /^[ \t]*(?:>|[-+*](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$))[ \t]?/;
/** What else opens a block: a heading, a setext underline or thematic break, a fence, a link definition. */
const BLOCK_OPENER = /^[ \t]*(?:#{1,6}(?=[ \t]|$)|[=-]+[ \t]*$|(?:[*_-][ \t]*){3,}$|`{3,}|~{3,}|\[[^\]]*\]:)/;
const MARKUP = /[*_[\]`<\\&]/g;
/** A link's destination or an autolink (or HTML tag): a construct that costs as much as three. */
const HEAVY_MARKUP = /\]\(|<[A-Za-z]/g;

/** Refuses (MarkdownRefusal) a text past MARKDOWN_LIMITS' nesting, markup, line or block bounds; linear in its length. */
export function checkMarkdownBounds(source: string): void {
  let inBlock = 0;
  let markupTotal = 0;
  let lines = 0;
  let blocks = 0;
  let afterBlank = true;
  for (const line of source.split("\n")) {
    if (!line.trim()) {
      inBlock = 0;
      afterBlank = true;
      continue;
    }
    if (++lines > MARKDOWN_LIMITS.lines) throw new MarkdownRefusal(TOO_MANY_LINES);
    let rest = line;
    let markers = 0;
    for (let m = CONTAINER_MARKER.exec(rest); m; m = CONTAINER_MARKER.exec(rest)) {
      if (++markers > MARKDOWN_LIMITS.markersPerLine) throw new MarkdownRefusal(TOO_DEEP);
      rest = rest.slice(m[0].length);
    }
    blocks += markers + (BLOCK_OPENER.test(rest) || (markers === 0 && afterBlank) ? 1 : 0);
    if (blocks > MARKDOWN_LIMITS.blocks) throw new MarkdownRefusal(TOO_MANY_BLOCKS);
    afterBlank = false;
    const markup = (line.match(MARKUP)?.length ?? 0) + 2 * (line.match(HEAVY_MARKUP)?.length ?? 0);
    inBlock += markup;
    markupTotal += markup;
    if (inBlock > MARKDOWN_LIMITS.markupPerBlock) throw new MarkdownRefusal(TOO_MUCH_IN_BLOCK);
    if (markupTotal > MARKDOWN_LIMITS.markup) throw new MarkdownRefusal(TOO_MUCH);
  }
}

type TreeNode = { children?: TreeNode[] };

/** The depth of a parsed tree, walked with a stack of its own (no recursion to overflow). */
function treeDepth(root: TreeNode): number {
  let deepest = 0;
  const stack: Array<[TreeNode, number]> = [[root, 1]];
  for (let top = stack.pop(); top; top = stack.pop()) {
    const [node, depth] = top;
    if (depth > deepest) deepest = depth;
    for (const child of node.children ?? []) stack.push([child, depth + 1]);
  }
  return deepest;
}

type Processor = typeof processor;

/** Checks the bounds, parses once, checks the tree's depth, then transforms and stringifies it. */
function render(source: string, proc: Processor, data: Record<string, unknown> = {}): string {
  checkMarkdownBounds(source);
  const file = { value: source, data };
  const tree = proc.parse(file);
  if (treeDepth(tree as TreeNode) > MARKDOWN_LIMITS.depth) throw new MarkdownRefusal(TOO_DEEP);
  try {
    return String(proc.stringify(proc.runSync(tree, file), file));
  } catch (error) {
    // Whatever the bounds missed: still the writer's answer, never a 500.
    if (error instanceof RangeError) throw new MarkdownRefusal(TOO_DEEP);
    throw error;
  }
}

/**
 * Markdown → sanitized HTML, for text being saved: call it before the transaction, and store the
 * result. Throws MarkdownRefusal (400) for text past MARKDOWN_LIMITS.
 */
export function renderMarkdown(source: string): string {
  return render(source, processor);
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * For text already stored (rendered again, or saved before the bounds): never throws — what the
 * renderer refuses is shown as plain paragraphs of escaped text.
 */
export function renderStoredMarkdown(source: string): string {
  try {
    return renderMarkdown(source);
  } catch (error) {
    if (!(error instanceof MarkdownRefusal)) throw error;
    return source
      .split(/\n[ \t]*\n/)
      .filter((paragraph) => paragraph.trim())
      .map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`)
      .join("\n");
  }
}

/**
 * The same rendering for an email, where links must stand on their own: every href (relative
 * paths, footnote fragments) is resolved against `pageUrl`, the page the content lives on.
 */
const emailProcessor = processor().use(() => (tree: HastNode, file: { data: Record<string, unknown> }) => {
  const base = String(file.data.pageUrl);
  const resolve = (node: HastNode) => {
    const href = node.tagName === "a" ? node.properties?.href : undefined;
    if (typeof href === "string" && node.properties) {
      try {
        node.properties.href = new URL(href, base).href;
      } catch {
        delete node.properties.href;
      }
    }
    node.children?.forEach(resolve);
  };
  resolve(tree);
});

/** As renderStoredMarkdown (emails quote text already saved): never throws. */
export function renderMarkdownForEmail(source: string, pageUrl: string): string {
  try {
    return render(source, emailProcessor, { pageUrl });
  } catch (error) {
    if (!(error instanceof MarkdownRefusal)) throw error;
    return renderStoredMarkdown(source);
  }
}
