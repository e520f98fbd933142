import { describe, expect, it } from "vitest";
import { LOCALE_NAMES } from "../../../app/i18n/locales";
import { DEFAULT_SETTINGS } from "../../../app/platform/site/settings.server";
import { getDb } from "../../../db/client";
import { sessionCookie } from "../../support/fixtures";
import { everyPage } from "../../support/pages";
import { systemApp } from "../../support/system-world";

/**
 * Every word a page shows comes from a catalog (ADR 0041). Each page, as each kind of person sees it,
 * is rendered in the pseudo-locale en-XA, where every catalog word is accented ("Ƥéŧíŧíöñš") and times
 * and numbers are written in a non-Latin script: a plain Latin word left on the page was written
 * into the code, not the catalogs — unless it is something a person wrote (a title, a comment, a
 * name), which this test reads from the database itself.
 */
const system = systemApp();

/** Pages not yet moved to the catalogs: this list may only shrink (a page on it that passes fails). */
const NOT_YET = new Set<string>([
  // The OpenID callback's refusals are still English (their JSON answer must stay as it is).
  "auth.oidc.callback.tsx",
]);

/**
 * What people wrote, and names that are no one language's words: every Latin word in the database,
 * the company's name, the default categories an admin replaces with the company's own, each language's
 * name in itself, and the time zones' names (IANA's, in English everywhere).
 */
function wordsPeopleWrote(): Set<string> {
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
  for (const table of tables) {
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
function readableText(html: string): string[] {
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
function strayWords(texts: string[], written: Set<string>): string[] {
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

describe("in the pseudo-locale en-XA", () => {
  it("every page shows only words from the catalogs, to every kind of person", async () => {
    const { app, world } = system;
    const written = wordsPeopleWrote();
    const people = {
      "signed out": null,
      staff: await sessionCookie(world.people.staff.id),
      moderator: await sessionCookie(world.people.moderator.id),
      leadership: await sessionCookie(world.people.leadership.id),
      admin: await sessionCookie(world.people.admin.id),
    };
    const failing = new Map<string, string[]>();
    for (const { file, url } of everyPage(world)) {
      if (!/\.tsx$/.test(file)) continue; // resource routes (feeds, the API) answer machines, not people
      for (const [who, cookie] of Object.entries(people)) {
        const response = await fetch(new URL(url, app.baseUrl), {
          redirect: "manual",
          headers: { "Accept-Language": "en-XA", ...(cookie ? { Cookie: cookie } : {}) },
        });
        const html = await response.text();
        if (!(response.headers.get("Content-Type") ?? "").includes("text/html")) continue;
        const stray = strayWords(readableText(html), written);
        if (stray.length)
          failing.set(file, [...(failing.get(file) ?? []), `${who}: ${stray.slice(0, 12).join(" ")}`]);
      }
    }
    const unexpected = [...failing].filter(([file]) => !NOT_YET.has(file));
    const nowPassing = [...NOT_YET].filter((file) => !failing.has(file));
    expect({ unexpected: Object.fromEntries(unexpected), nowPassing }).toEqual({
      unexpected: {},
      nowPassing: [],
    });
  });

  it("marks the document's language and direction, right to left in en-XB", async () => {
    const { app } = system;
    for (const [asked, lang, dir] of [
      ["en-XA", "en-XA", "ltr"],
      ["en-XB", "en-XB", "rtl"],
      ["de-CH,de;q=0.9", "de", "ltr"],
      ["ja-JP", "ja", "ltr"],
      ["fr-CA,en;q=0.5", "fr", "ltr"],
      ["pt-BR", "en", "ltr"],
    ] as const) {
      const html = await (
        await fetch(new URL("/petitions", app.baseUrl), { headers: { "Accept-Language": asked } })
      ).text();
      expect(/<html lang="([^"]+)" dir="([^"]+)"/.exec(html)?.slice(1), asked).toEqual([lang, dir]);
    }
  });
});
