import rehypeExternalLinks from "rehype-external-links";
import rehypeSanitize, { defaultSchema } from "rehype-sanitize";
import rehypeStringify from "rehype-stringify";
import remarkParse from "remark-parse";
import remarkRehype from "remark-rehype";
import { unified } from "unified";

/**
 * Markdown → HTML for user content. Raw HTML in the source is dropped (remark-rehype without
 * allowDangerousHtml), then rehype-sanitize applies GitHub's allow-list (no scripts, no event
 * handlers, no javascript: URLs), and links get rel="nofollow noopener ugc".
 */
const processor = unified()
  .use(remarkParse)
  .use(remarkRehype)
  .use(rehypeSanitize, { ...defaultSchema, clobberPrefix: "user-content-" })
  .use(rehypeExternalLinks, { rel: ["nofollow", "noopener", "ugc"] })
  .use(rehypeStringify);

export function renderMarkdown(source: string): string {
  return String(processor.processSync(source));
}
