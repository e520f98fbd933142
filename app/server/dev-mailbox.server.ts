/**
 * The dev mailbox (ADR 34). Without SMTP_URL every queued email, live sign-in links included, stays
 * in the outbox; a newcomer reads it here. Three times it was found answering strangers while it was
 * served on the app's port and tried to tell this machine's requests from proxied ones, so it is
 * closed by construction instead: the primary process serves it on a port of its own
 * (DEV_MAILBOX_PORT) bound to 127.0.0.1, which no reverse proxy in front of the app reaches, and it
 * answers only a request addressed to 127.0.0.1 or localhost on that port, so a page whose own name
 * was rebound to 127.0.0.1 (DNS rebinding) cannot read it either. Its pages are plain HTML, with no
 * script, no cookie and nothing of the app's.
 */
import { createHash } from "node:crypto";
import http from "node:http";
import { StartupError } from "../config/startup-errors.server";
import type { Config } from "../config.server";
import { en } from "../i18n/catalogs/en";
import { formatterOf } from "../i18n/format";
import { intlFor } from "../i18n/translate";
import { escapeHtml } from "../platform/content/text";
import { getDevMailboxMessage, listDevMailbox } from "../platform/mail/outbox.server";

/** The mailbox is a developer's page, in English: an email is queued to the hour (outbox.createdAt). */
const { utcHour } = formatterOf(intlFor("en", "UTC", en));

type MailboxConfig = Pick<Config, "appUrl" | "mailFrom"> & { devMailbox: { port: number; url: string } };

const STYLE =
  "body{margin:0;font:16px/1.5 system-ui,sans-serif;color:#1a1a1a;background:#fafafa}" +
  "main{max-width:60rem;margin:0 auto;padding:1.5rem}a{color:#1d4ed8}.muted{color:#4a4a4a}" +
  "table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem .6rem;border-bottom:1px solid #ddd;vertical-align:top}" +
  "dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;background:#fff;border:1px solid #ddd;border-radius:6px;padding:.8rem 1rem}" +
  "dt{font-weight:600}dd{margin:0}iframe{width:100%;height:32rem;border:1px solid #ddd;border-radius:6px;background:#fff;margin:1rem 0}" +
  "summary{cursor:pointer;margin:.5rem 0}pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#fff;border:1px solid #ddd;border-radius:6px;padding:1rem;font:15px/1.5 ui-monospace,monospace}";

/** Nothing runs and nothing loads on these pages but their one stylesheet; no other page frames them. */
const HEADERS = {
  "Content-Type": "text/html; charset=utf-8",
  "Content-Security-Policy": [
    "default-src 'none'",
    `style-src 'sha256-${createHash("sha256").update(STYLE).digest("base64")}'`,
    "base-uri 'none'",
    "form-action 'none'",
    // The message page frames the email's HTML part, from this mailbox only.
    "frame-src 'self'",
    "frame-ancestors 'none'",
  ].join("; "),
  "Cache-Control": "no-store",
  // The address of a message page goes nowhere with the link followed from it.
  "Referrer-Policy": "no-referrer",
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Cross-Origin-Resource-Policy": "same-origin",
};

/**
 * What a framed email may do: be styled by its own inline styles and have its links followed by a
 * click (into a new tab or this one). No script, no form, no request of its own (an image from
 * elsewhere would tell a sender the email was opened): emails quote colleagues' words.
 */
const EMAIL_SANDBOX = "allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation";
const EMAIL_HEADERS = {
  ...HEADERS,
  "Content-Security-Policy": [
    "default-src 'none'",
    "style-src 'unsafe-inline'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'self'",
    `sandbox ${EMAIL_SANDBOX}`,
  ].join("; "),
  "X-Frame-Options": "SAMEORIGIN",
};

/** The email's HTML part as colleagues' mail programs show it, its links opening outside the frame. */
function emailHtml(id: number): string | null {
  const message = getDevMailboxMessage(id);
  return message ? message.htmlBody.replace(/<head>|<html>/i, (tag) => `${tag}<base target="_top">`) : null;
}

/**
 * Whether a request's Host header names this mailbox: 127.0.0.1 or localhost on its port. Any other
 * name reached it through a name that resolves here, which a browser would let that name's page read.
 */
export function mailboxHostAllowed(host: string | undefined, port: number): boolean {
  const name = host?.toLowerCase();
  return name === `127.0.0.1:${port}` || name === `localhost:${port}`;
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main>
${body}
</main></body></html>
`;
}

/** Plain text with its http(s) addresses as links (the sign-in link, unsubscribe links). */
function linkified(text: string): string {
  return text
    .split(/(https?:\/\/[^\s<>"]+)/g)
    .map((part, index) =>
      index % 2 === 1 ? `<a href="${escapeHtml(part)}">${escapeHtml(part)}</a>` : escapeHtml(part),
    )
    .join("");
}

function listPage(config: MailboxConfig): string {
  const app = escapeHtml(config.appUrl);
  const messages = listDevMailbox();
  const rows = messages
    .map(
      (m) =>
        `<tr><td>${escapeHtml(m.toAddress)}</td><td><a href="/messages/${m.id}">${escapeHtml(m.subject)}</a></td><td>${escapeHtml(utcHour(m.createdAt))}</td></tr>`,
    )
    .join("\n");
  return page(
    "Dev mailbox · Undersigned",
    `<h1>Dev mailbox</h1>
<p class="muted">No SMTP server is configured (<code>SMTP_URL</code> is unset), so Undersigned's emails stay
here, readable only on this machine. Undersigned itself is at <a href="${app}/">${app}</a>. This mailbox
closes as soon as <code>SMTP_URL</code> is set.</p>
${
  messages.length === 0
    ? `<p>No emails yet. <a href="${app}/sign-in">Ask for a sign-in link</a>, then <a href="/">look again</a>.</p>`
    : `<p><a href="/">Look for new emails</a></p>
<table>
<caption class="muted">The ${messages.length === 1 ? "only email" : `${messages.length} newest emails`}</caption>
<thead><tr><th scope="col">To</th><th scope="col">Subject</th><th scope="col">Queued</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`
}`,
  );
}

function messagePage(config: MailboxConfig, id: number): string | null {
  const message = getDevMailboxMessage(id);
  if (!message) return null;
  return page(
    `${message.subject} · Dev mailbox · Undersigned`,
    `<p><a href="/">← Dev mailbox</a></p>
<h1>${escapeHtml(message.subject)}</h1>
<dl>
<dt>From</dt><dd>${escapeHtml(config.mailFrom)}</dd>
<dt>To</dt><dd>${escapeHtml(message.toAddress)}</dd>
<dt>Queued</dt><dd>${escapeHtml(utcHour(message.createdAt))}</dd>
</dl>
<iframe src="/messages/${id}/email" sandbox="${EMAIL_SANDBOX}" title="The email as colleagues see it"></iframe>
<details><summary>The plain-text part</summary>
<pre>${linkified(message.textBody)}</pre>
</details>`,
  );
}

const NOT_FOUND = page("Not found · Dev mailbox", `<h1>Not found</h1><p><a href="/">← Dev mailbox</a></p>`);

/**
 * The mailbox's answers: its list at `/`, one message at `/messages/ID` (its HTML part framed from
 * `/messages/ID/email`), nothing else.
 */
export function devMailboxHandler(config: MailboxConfig): http.RequestListener {
  const { port, url } = config.devMailbox;
  return (req, res) => {
    const send = (status: number, html: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { ...HEADERS, ...headers, "Content-Length": Buffer.byteLength(html) });
      res.end(req.method === "HEAD" ? undefined : html);
    };
    if (!mailboxHostAllowed(req.headers.host, port)) {
      send(
        421,
        page(
          "Wrong address · Dev mailbox",
          `<h1>Wrong address</h1><p>The dev mailbox answers only at <a href="${url}">${url}</a> (or localhost on the same port).</p>`,
        ),
      );
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      send(405, page("Not allowed · Dev mailbox", "<h1>Only reading here</h1>"), { Allow: "GET, HEAD" });
      return;
    }
    try {
      const path = (req.url ?? "/").split("?")[0];
      if (path === "/") return send(200, listPage(config));
      const framed = /^\/messages\/([1-9]\d{0,15})\/email$/.exec(path ?? "")?.[1];
      if (framed) {
        const html = emailHtml(Number(framed));
        return html ? send(200, html, EMAIL_HEADERS) : send(404, NOT_FOUND);
      }
      const id = /^\/messages\/([1-9]\d{0,15})$/.exec(path ?? "")?.[1];
      const html = id ? messagePage(config, Number(id)) : null;
      send(html ? 200 : 404, html ?? NOT_FOUND);
    } catch (error) {
      // The primary serves this: a throw here would stop every worker with it.
      console.error("dev mailbox:", error);
      if (!res.headersSent)
        send(500, page("Something went wrong · Dev mailbox", "<h1>Something went wrong</h1>"));
    }
  };
}

export type DevMailbox = { close: () => void };

/** Listens on 127.0.0.1 only; rejects, saying what to do, when the port is taken. */
export function startDevMailbox(config: MailboxConfig): Promise<DevMailbox> {
  const { port } = config.devMailbox;
  const server = http.createServer(devMailboxHandler(config));
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new StartupError(
          error.code === "EADDRINUSE"
            ? `Port ${port} is in use, and the dev mailbox (no SMTP_URL) listens there: stop whatever listens there, set DEV_MAILBOX_PORT to a free port, or set SMTP_URL.`
            : `Cannot open the dev mailbox on 127.0.0.1:${port} (DEV_MAILBOX_PORT): ${error.message}`,
        ),
      ),
    );
    server.listen(port, "127.0.0.1", () => {
      server.removeAllListeners("error");
      server.on("error", (error) => console.error("dev mailbox:", error));
      resolve({
        close() {
          server.close();
          server.closeAllConnections();
        },
      });
    });
  });
}
