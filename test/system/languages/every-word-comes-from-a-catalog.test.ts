import { describe, expect, it } from "vitest";
import { sessionCookie } from "../../support/fixtures";
import { everyPage } from "../../support/pages";
import { readableText, strayWords, wordsPeopleWrote } from "../../support/pseudo-locale";
import { systemApp } from "../../support/system-world";

/**
 * Every word a page shows comes from a catalog (ADR 0041). Each page, as each kind of person sees it,
 * is rendered in the pseudo-locale en-XA, where every catalog word is accented ("Ƥéŧíŧíöñš") and times
 * and numbers are written in a non-Latin script: a plain Latin word left on the page was written
 * into the code, not the catalogs — unless it is something a person wrote (a title, a comment, a
 * name), which this test reads from the database itself.
 */
const system = systemApp();

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
    expect(Object.fromEntries(failing)).toEqual({});
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
