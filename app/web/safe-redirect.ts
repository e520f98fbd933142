/** Where a sign-in, a form or a link may send the browser next: local paths only. */

/** Longer than any address in the app: a redirect this long is junk (and too big for a header). */
const MAX_REDIRECT_LENGTH = 2_000;

/**
 * Only local paths: "/x" but never "//host" or "/\host", which browsers treat as another origin.
 * The result is safe in a Location header: non-ASCII characters come back percent-encoded.
 */
export function safeRedirect(to: unknown, fallback = "/"): string {
  if (typeof to !== "string" || !to.startsWith("/") || to.startsWith("//") || to.startsWith("/\\"))
    return fallback;
  // Control characters (CR/LF, tab…) have no place in a path and could split headers.
  if (to.length > MAX_REDIRECT_LENGTH || [...to].some((c) => c.charCodeAt(0) < 0x20)) return fallback;
  // URL parsing percent-encodes what a header cannot carry ("/é" → "/%C3%A9"); it must stay local.
  const url = new URL(to, "http://local");
  // Parsing also normalizes "/.//x" to "//x", which a browser reads as another host.
  if (url.origin !== "http://local" || url.pathname.startsWith("//")) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}
