/** The one layout of every email, as text and as HTML. */

import { en } from "../../i18n/catalogs/en";
import { intlFor, type Translate, translatorOf } from "../../i18n/translate";
import { escapeHtml } from "../content/text";

const ENGLISH = translatorOf(intlFor("en", "UTC", en));

/**
 * One simple layout for every email: paragraphs, an optional quoted piece of user content and an
 * optional button, as text and as HTML. `t` writes the layout's own words in the recipient's language
 * (wordsForRecipient); English for an email not yet written from the catalogs.
 */
export function renderEmail(content: {
  paragraphs: string[];
  /** User content: its markdown source for the text part (markdown reads as text), and its sanitized HTML (renderMarkdownForEmail). */
  quote?: { markdown: string; html: string };
  action?: { label: string; url: string };
  footer?: string;
  /** For optional emails: a one-click link that turns this kind of email off. */
  unsubscribeUrl?: string;
  t?: Translate;
}) {
  const t = content.t ?? ENGLISH;
  const footer = content.footer ?? t("server.email.footer");
  const text = [
    ...content.paragraphs,
    ...(content.quote ? [content.quote.markdown] : []),
    ...(content.action
      ? [`${t("server.email.actionLabel", { label: content.action.label })}\n${content.action.url}`]
      : []),
    `--\n${footer}${content.unsubscribeUrl ? `\n${t("server.email.stopTheseEmailsAt", { url: content.unsubscribeUrl })}` : ""}`,
  ].join("\n\n");
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1c1c1c;max-width:560px;margin:0 auto;padding:24px">
${content.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join("\n")}
${content.quote ? `<blockquote style="margin:16px 0;padding:0 16px;border-left:4px solid #ddd">${content.quote.html}</blockquote>` : ""}
${
  content.action
    ? `<p><a href="${escapeHtml(content.action.url)}" style="display:inline-block;background:#1d4ed8;color:#fff;padding:10px 18px;border-radius:6px;text-decoration:none">${escapeHtml(content.action.label)}</a></p>
<p style="font-size:13px;color:#555">${escapeHtml(t("server.email.pasteLink"))}<br>${escapeHtml(content.action.url)}</p>`
    : ""
}
<hr style="border:none;border-top:1px solid #ddd"><p style="font-size:13px;color:#555">${escapeHtml(footer)}${
    content.unsubscribeUrl
      ? `<br><a href="${escapeHtml(content.unsubscribeUrl)}" style="color:#555">${escapeHtml(t("server.email.stopTheseEmails"))}</a>`
      : ""
  }</p>
</body></html>`;
  return { text, html };
}
