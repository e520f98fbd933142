/**
 * HTML that went through the sanitizer (renderMarkdown, rehype-sanitize) when it was written: the
 * one place pages put stored HTML into the DOM.
 */
export function SanitizedHtml({ html, className = "markdown" }: { html: string; className?: string }) {
  // biome-ignore lint/security/noDangerouslySetInnerHtml: sanitized by renderMarkdown when stored
  return <div className={className} dangerouslySetInnerHTML={{ __html: html }} />;
}
