import type { MetaDescriptor } from "@remix-run/node";

/**
 * Sharing a petition, built from what its page already holds: every link below is a plain address
 * that the browser follows only when the person clicks it, so the page makes no request for sharing,
 * to us or to anyone else, and a signer's page makes none that a reader's does not (docs/sharing.md).
 */

/** What the petition page hands its share panel, and the preview tags (from the loader). */
export type ShareView = {
  /** The petition's absolute address (APP_URL). */
  url: string;
  /** Open Graph: only for a reader who may see the petition, since the page 404s for anyone else. */
  preview: { title: string; description: string; siteName: string };
  /** Whether the page offers sharing: where colleagues the link reaches may open it. */
  offered: boolean;
};

/**
 * An email the person's own mail program writes (RFC 6068): subject and body percent-encoded, line
 * breaks as CRLF, and no recipient, which they choose there.
 */
export const mailtoHref = (subject: string, body: string) =>
  `mailto:?subject=${encodeURIComponent(subject)}&body=${encodeURIComponent(body.replace(/\r?\n/g, "\r\n"))}`;

/**
 * Microsoft's "Share to Teams" page, which its launcher script opens: the address and a message for
 * the compose box. We link to it instead of loading that script, so nothing reaches Microsoft until
 * the person clicks.
 */
export const teamsShareHref = (url: string, message: string) =>
  `https://teams.microsoft.com/share?${new URLSearchParams({ href: url, msgText: message, preview: "true" })}`;

/** The page's preview tags for intranet chat (Open Graph, and Twitter's card that Slack also reads). */
export function previewTags({ url, preview }: ShareView): MetaDescriptor[] {
  return [
    { property: "og:type", content: "website" },
    { property: "og:site_name", content: preview.siteName },
    { property: "og:title", content: preview.title },
    { property: "og:description", content: preview.description },
    { property: "og:url", content: url },
    { name: "twitter:card", content: "summary" },
    { name: "twitter:title", content: preview.title },
    { name: "twitter:description", content: preview.description },
  ];
}
