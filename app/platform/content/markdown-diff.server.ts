import { diffLines, diffWords } from "diff";
import { type HastNode, MarkdownRefusal, renderMarkdownWith } from "./markdown.server";

/**
 * Two versions of a markdown text as one rendered page, the changes marked: what was added in <ins>,
 * what was removed in <del>, each also said in words for screen readers. Lines are compared first
 * (an added paragraph or list item stays whole), then the words of each changed run of lines (jsdiff,
 * ADR 0015). Both versions' text goes into one markdown source with private-use characters around
 * each change; it is rendered by the usual pipeline, and the characters become <ins>/<del> in the
 * tree before the sanitizer runs, so the result is sanitized like any other user content.
 */

export type DiffSegment = { text: string; kind: "same" | "added" | "removed" };

const OPEN = { added: "\uE000", removed: "\uE002" } as const;
const CLOSE = { added: "\uE001", removed: "\uE003" } as const;
const MARKS = /[\uE000-\uE003]/g;
const ENCODED_MARKS = /%EE%80%8[0-3]/gi;

/** The changes between two texts, line by line and then word by word within changed lines. */
export function diffSegments(before: string, after: string): DiffSegment[] {
  const kind = (part: { added?: boolean; removed?: boolean }): DiffSegment["kind"] =>
    part.added ? "added" : part.removed ? "removed" : "same";
  const lines = diffLines(before, after);
  const segments: DiffSegment[] = [];
  for (let i = 0; i < lines.length; i++) {
    const part = lines[i];
    const next = lines[i + 1];
    if (!part) continue;
    if (part.removed && next?.added) {
      for (const word of diffWords(part.value, next.value))
        segments.push({ text: word.value, kind: kind(word) });
      i++;
    } else {
      segments.push({ text: part.value, kind: kind(part) });
    }
  }
  return segments;
}

/** What opens a line as markdown structure (indentation, quote, list item, heading): kept outside a mark. */
const BLOCK_PREFIX = /^[ \t]*(?:(?:>|[-+*]|\d{1,9}[.)]|#{1,6})(?=[ \t]|$)[ \t]*)*/;
/** A line that is all structure (a fence, a rule, a heading underline): a mark inside would break it. */
const STRUCTURE_LINE = /^[ \t]*(?:`{3,}|~{3,}|(?:[*_-][ \t]*){3,}$|=+[ \t]*$)/;

/** The segments as one markdown source, each change's text on each line between its marks. */
function markedSource(segments: DiffSegment[]): string {
  let source = "";
  for (const { text, kind } of segments) {
    if (kind === "same") {
      source += text;
      continue;
    }
    text.split("\n").forEach((piece, i) => {
      if (i > 0) source += "\n";
      const atLineStart = source === "" || source.endsWith("\n");
      if (atLineStart && STRUCTURE_LINE.test(piece)) {
        source += piece;
        return;
      }
      const prefix = atLineStart ? (BLOCK_PREFIX.exec(piece)?.[0] ?? "") : "";
      const rest = piece.slice(prefix.length);
      source += rest ? `${prefix}${OPEN[kind]}${rest}${CLOSE[kind]}` : prefix;
    });
  }
  return source;
}

const unmark = (value: string) => value.replace(MARKS, "").replace(ENCODED_MARKS, "");

/** Before sanitizing: the marks in text become <ins>/<del> around it; in attributes they are dropped. */
const markChanges = () => (tree: HastNode) => {
  let open: "ins" | "del" | null = null;
  const visit = (node: HastNode) => {
    if (node.properties) {
      for (const [key, value] of Object.entries(node.properties)) {
        if (typeof value === "string") node.properties[key] = unmark(value);
        else if (Array.isArray(value))
          node.properties[key] = value.map((v) => (typeof v === "string" ? unmark(v) : v));
      }
    }
    if (!node.children) return;
    const children: HastNode[] = [];
    for (const child of node.children) {
      if (child.type !== "text" || child.value === undefined) {
        visit(child);
        children.push(child);
        continue;
      }
      for (const piece of child.value.split(/([\uE000-\uE003])/)) {
        if (piece === OPEN.added) open = "ins";
        else if (piece === OPEN.removed) open = "del";
        else if (piece === CLOSE.added || piece === CLOSE.removed) open = null;
        else if (piece === "") continue;
        else if (open === null) children.push({ type: "text", value: piece });
        else
          children.push({
            type: "element",
            tagName: open,
            properties: {},
            children: [{ type: "text", value: piece }],
          });
      }
    }
    node.children = children;
  };
  visit(tree);
};

const spoken = (words: string): HastNode => ({
  type: "element",
  tagName: "span",
  properties: { className: ["sr-only"] },
  children: [{ type: "text", value: words }],
});

/** After sanitizing: constant words for screen readers, which do not announce <ins>/<del>. */
const sayChanges = () => (tree: HastNode) => {
  const visit = (node: HastNode) => {
    for (const child of node.children ?? []) {
      if (child.type === "element" && (child.tagName === "ins" || child.tagName === "del")) {
        child.children = [
          spoken(child.tagName === "ins" ? "[added: " : "[removed: "),
          ...(child.children ?? []),
          spoken("]"),
        ];
      } else visit(child);
    }
  };
  visit(tree);
};

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The changes as plain text, for a pair the renderer refuses (too much markup for one page). */
function plainDiff(segments: DiffSegment[]): string {
  const html = segments
    .map(({ text, kind }) =>
      kind === "same"
        ? escapeHtml(text)
        : kind === "added"
          ? `<ins><span class="sr-only">[added: </span>${escapeHtml(text)}<span class="sr-only">]</span></ins>`
          : `<del><span class="sr-only">[removed: </span>${escapeHtml(text)}<span class="sr-only">]</span></del>`,
    )
    .join("");
  return `<div class="diff-source">${html}</div>`;
}

/** Two versions' markdown as one rendered, sanitized page with the changes marked (see above). */
export function renderMarkdownDiff(before: string, after: string): string {
  const segments = diffSegments(unmark(before), unmark(after));
  try {
    return renderMarkdownWith(markedSource(segments), {
      beforeSanitizing: markChanges,
      afterSanitizing: sayChanges,
    });
  } catch (error) {
    if (!(error instanceof MarkdownRefusal)) throw error;
    return plainDiff(segments);
  }
}
