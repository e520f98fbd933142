import rehypeSanitize, { defaultSchema } from "rehype-sanitize";
import rehypeStringify from "rehype-stringify";
import remarkParse from "remark-parse";
import remarkRehype from "remark-rehype";
import { unified } from "unified";
import { Refusal } from "./refusal";

/**
 * Markdown → HTML for user content. Raw HTML in the source becomes plain text (nothing dropped,
 * nothing run); images become links to them (a remote image would be a request to a third party —
 * a tracking pixel — and the CSP blocks it anyway); then rehype-sanitize applies GitHub's allow-list
 * without <img> (no scripts, no event handlers, no javascript: URLs), and puts
 * rel="nofollow noopener ugc" on every link.
 */
const processor = unified()
  .use(remarkParse)
  .use(remarkRehype, {
    handlers: {
      html: (_state, node: { value: string }) => ({ type: "text", value: node.value }),
      image: (_state, node: { url: string; alt?: string | null }) => ({
        type: "element",
        tagName: "a",
        properties: { href: node.url },
        children: [{ type: "text", value: node.alt || node.url }],
      }),
    },
  })
  .use(rehypeSanitize, {
    ...defaultSchema,
    tagNames: defaultSchema.tagNames?.filter((name) => name !== "img"),
    // rel on every link, relative and mailto: ones included.
    required: { ...defaultSchema.required, a: { rel: ["nofollow", "noopener", "ugc"] } },
    clobberPrefix: "user-content-",
  })
  .use(rehypeStringify);

/**
 * Bounds on what one text may ask of the renderer (ADR 0029). Without them ~3,000 nested `>` threw a
 * RangeError (the tree walkers recurse once per level) and 5,000 characters of `*a*a…` took a fifth
 * of a second (micromark pairs emphasis delimiters within a paragraph: quadratic in them; and every
 * construct costs far more than plain text). Text past a bound is refused when saved, with what to
 * change; so the renderer's work is linear in the length, with a bounded number of constructs.
 * - `markersPerLine`: quote and list markers opening a line (`> > - 1.`).
 * - `depth`: how deep the parsed tree may go (indented lists nest too).
 * - `markupPerBlock`, `markup`: characters that open constructs (`* _ [ ] ` + "`" + ` < \\`) per
 *   block (lines between blank lines) and in all.
 */
export const MARKDOWN_LIMITS = { markersPerLine: 16, depth: 64, markupPerBlock: 300, markup: 2_000 } as const;

/** A text the renderer will not take (nested too deeply, too much markup): a 400 saying what to change. */
export class MarkdownRefusal extends Refusal {}

const TOO_DEEP = `This text nests quotes or lists too deeply (at most ${MARKDOWN_LIMITS.markersPerLine} levels): flatten it and send it again.`;
const TOO_MUCH_IN_BLOCK = `One paragraph of this text has more than ${MARKDOWN_LIMITS.markupPerBlock} formatting characters (* _ [ ] \` < \\): split it with blank lines, or use fewer.`;
const TOO_MUCH = `This text has more than ${MARKDOWN_LIMITS.markup.toLocaleString("en")} formatting characters (* _ [ ] \` < \\): use fewer.`;

/** Quote and list markers opening a line: `> > - 1. text` has four. */
const CONTAINER_MARKER = /^ {0,3}(?:>|[-+*](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$))[ \t]?/;
const MARKUP = /[*_[\]`<\\]/g;

/** Refuses (MarkdownRefusal) a text past MARKDOWN_LIMITS' nesting or markup bounds; linear in its length. */
export function checkMarkdownBounds(source: string): void {
  let block = 0;
  let total = 0;
  for (const line of source.split("\n")) {
    if (!line.trim()) {
      block = 0;
      continue;
    }
    let rest = line;
    let markers = 0;
    for (let m = CONTAINER_MARKER.exec(rest); m && m[0].length > 0; m = CONTAINER_MARKER.exec(rest)) {
      if (++markers > MARKDOWN_LIMITS.markersPerLine) throw new MarkdownRefusal(TOO_DEEP);
      rest = rest.slice(m[0].length);
    }
    const markup = line.match(MARKUP)?.length ?? 0;
    block += markup;
    total += markup;
    if (block > MARKDOWN_LIMITS.markupPerBlock) throw new MarkdownRefusal(TOO_MUCH_IN_BLOCK);
    if (total > MARKDOWN_LIMITS.markup) throw new MarkdownRefusal(TOO_MUCH);
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

type HastNode = {
  type: string;
  tagName?: string;
  properties?: Record<string, unknown>;
  children?: HastNode[];
};

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
