/**
 * A policy change as the rendered text with the changes marked: added text in <ins>, removed in
 * <del>, both also said in words for screen readers. The HTML comes from renderMarkdownDiff, which
 * sanitizes it like any user content.
 */
export function DiffView({ html }: { html: string }) {
  // biome-ignore lint/security/noDangerouslySetInnerHtml: sanitized by renderMarkdownDiff (rehype-sanitize)
  return <div className="diff markdown" dangerouslySetInnerHTML={{ __html: html }} />;
}
