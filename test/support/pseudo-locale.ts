import { LOCALE_NAMES } from "../../app/i18n/locales";
import { DEFAULT_SETTINGS } from "../../app/platform/site/settings.server";
import { getDb } from "../../db/client";

/*
 * The check that every word came from a catalog (ADR 0041): rendered in the pseudo-locale en-XA, every
 * catalog word is accented ("Ƥéŧíŧíöñš") and times and numbers are written in a non-Latin script, so
 * a plain Latin word left in a page or an email was written into the code — unless it is something a
 * person wrote (a title, a comment, a name), which is read from the database itself.
 */

/**
 * What people wrote, and names that are no one language's words: every Latin word in the database,
 * the company's name, the default categories an admin replaces with the company's own, each language's
 * name in itself, and the time zones' names (IANA's, in English everywhere). `except` names tables
 * whose text is not what people wrote (the outbox, when the emails are what is checked).
 */
export function wordsPeopleWrote({ except = [] }: { except?: string[] } = {}): Set<string> {
  const sqlite = getDb().$client;
  const named = [
    "Corp",
    ...DEFAULT_SETTINGS.categories,
    ...Object.values(LOCALE_NAMES),
    ...Intl.supportedValuesOf("timeZone"),
  ];
  const words = new Set<string>(named.flatMap((name) => name.match(/[A-Za-z]{2,}/g) ?? []));
  const tables = sqlite
    .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")
    .pluck()
    .all() as string[];
  for (const table of tables.filter((name) => !except.includes(name))) {
    const columns = (
      sqlite.prepare(`pragma table_info("${table}")`).all() as Array<{ name: string; type: string }>
    )
      .filter((c) => /text|json/i.test(c.type) || c.type === "")
      .map((c) => c.name);
    for (const column of columns)
      for (const value of sqlite.prepare(`select "${column}" from "${table}"`).pluck().iterate())
        if (typeof value === "string") for (const word of value.match(/[A-Za-z]{2,}/g) ?? []) words.add(word);
  }
  return words;
}

/** The text a reader meets on a page: text nodes, and the attributes read aloud or shown. */
export function readableText(html: string): string[] {
  const body = html
    .replace(/<script[\s\S]*?<\/script>/gi, " ")
    .replace(/<style[\s\S]*?<\/style>/gi, " ")
    // Commands, file names and hashes, written as code: the same in every language.
    .replace(/<code[\s\S]*?<\/code>/gi, " ")
    .replace(/<!--[\s\S]*?-->/g, " ");
  const attributes = [
    ...body.matchAll(/\s(?:aria-label|title|placeholder|alt|aria-description)="([^"]*)"/gi),
  ].map((m) => m[1] ?? "");
  const buttons = [...body.matchAll(/<input[^>]*type="(?:submit|button)"[^>]*value="([^"]*)"/gi)].map(
    (m) => m[1] ?? "",
  );
  const text = body.replace(/<[^>]+>/g, "\n").split("\n");
  return [...text, ...attributes, ...buttons].map((s) => decode(s).trim()).filter(Boolean);
}

const decode = (s: string) =>
  s
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(Number.parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&apos;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

/** Latin words a catalog did not write: not what people wrote, not an address, a hash or a zone's name. */
export function strayWords(texts: string[], written: Set<string>): string[] {
  const stray = new Set<string>();
  for (const text of texts) {
    const cleaned = text
      .replace(/\S+@\S+/g, " ")
      .replace(/\bhttps?:\/\/\S+/g, " ")
      .replace(/\/[\w\-./?=&%]+/g, " ")
      .replace(/\b[0-9a-f]{8,}\b/gi, " ")
      .replace(/\b(?:UTC|GMT)\b/g, " ");
    for (const word of cleaned.match(/[A-Za-z]{2,}/g) ?? []) if (!written.has(word)) stray.add(word);
  }
  return [...stray];
}
