import rehypeSanitize, { defaultSchema } from "rehype-sanitize";
import rehypeStringify from "rehype-stringify";
import remarkParse from "remark-parse";
import remarkRehype from "remark-rehype";
import { unified } from "unified";

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

export function renderMarkdown(source: string): string {
  return String(processor.processSync(source));
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

export function renderMarkdownForEmail(source: string, pageUrl: string): string {
  return String(emailProcessor.processSync({ value: source, data: { pageUrl } }));
}
