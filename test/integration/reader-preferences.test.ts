import { describe, expect, it } from "vitest";
import { createSession } from "../../app/domain/identity/sessions.server";
import {
  ReaderPreferenceError,
  setReaderPreferences,
} from "../../app/domain/people/reader-preferences.server";
import type { Locale } from "../../app/i18n/locales";
import * as settingsRoute from "../../app/routes/settings";
import { readFlash } from "../../app/web/flash.server";
import { readerOf } from "../../app/web/reader.server";
import { getUser } from "../../app/web/session.server";
import { signedInMessage } from "../../app/web/signed-in.server";
import { getDb } from "../../db/client";
import { callRoute, requestAs } from "../support/fixtures";
import { makeCompany } from "../support/petition-fixtures";

/**
 * A person's own language and time zone, chosen at /settings: pages (and emails) follow them over
 * what the browser says, "as my browser says" hands both back to the browser, and a value the product
 * does not know is refused with a 400 that changes nothing.
 */

const company = makeCompany(3);
const person = company.member(0);

/** The person's request from a browser set to French in Paris (its language header and zone cookie). */
async function fromFrenchBrowser() {
  const session = await requestAs(person.id, "http://undersigned.test:3000/");
  const headers = new Headers(session.headers);
  headers.set("Accept-Language", "fr-FR,fr;q=0.9,en;q=0.5");
  headers.set("Cookie", `${headers.get("Cookie")}; tz=${encodeURIComponent("Europe/Paris")}`);
  return new Request("http://undersigned.test:3000/", { headers });
}

/** What app/web/reader.server.ts answers for this person's next page. */
async function readerNow() {
  const request = await fromFrenchBrowser();
  return readerOf(request, await getUser(request));
}

const save = (fields: Record<string, string>) =>
  callRoute(settingsRoute, "action", person, "/settings", {}, { intent: "reader", ...fields });

async function flashOf(response: Response) {
  const cookie = response.headers
    .getSetCookie()
    .find((c) => c.startsWith("__flash="))
    ?.split(";")[0];
  return cookie
    ? (await readFlash(new Request("http://flash.test/", { headers: { Cookie: cookie } }))).flash
    : null;
}

describe("a person's language and time zone", () => {
  it("follows the browser until the person chooses", async () => {
    expect(await readerNow()).toEqual({ locale: "fr", timeZone: "Europe/Paris" });
  });

  it("saving German and Asia/Singapore makes every page theirs, whatever the browser says", async () => {
    const response = await save({ locale: "de", timeZone: "Asia/Singapore" });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/settings");
    // Said in the language just chosen: the next page is already German.
    expect((await flashOf(response))?.message).toBe("Ihre Sprache und Zeitzone sind gespeichert.");
    expect(await readerNow()).toEqual({ locale: "de", timeZone: "Asia/Singapore" });

    const page = (await (await callRoute(settingsRoute, "loader", person, "/settings", {})).json()) as {
      reader: { locale: string; timeZone: string };
      timeZones: string[];
    };
    expect(page.reader).toEqual({ locale: "de", timeZone: "Asia/Singapore" });
    expect(page.timeZones).toContain("Asia/Singapore");
  });

  it("“as my browser says” goes back to the browser's language and zone", async () => {
    await save({ locale: "de", timeZone: "Asia/Singapore" });
    const response = await save({ locale: "", timeZone: "" });
    expect(response.status).toBe(302);
    expect(await readerNow()).toEqual({ locale: "fr", timeZone: "Europe/Paris" });
  });

  it.each([
    ["a language the product does not speak", { locale: "xx", timeZone: "Asia/Tokyo" }],
    ["a pseudo-locale kept for tests", { locale: "en-XA", timeZone: "Asia/Tokyo" }],
    ["a zone nobody knows", { locale: "ja", timeZone: "Mars/Olympus_Mons" }],
    ["a zone far too long", { locale: "ja", timeZone: "A".repeat(500) }],
  ])("refuses %s with a 400 and changes nothing", async (_, fields) => {
    await save({ locale: "de", timeZone: "Asia/Singapore" });
    const response = await save(fields);
    expect(response.status).toBe(400);
    expect(await readerNow()).toEqual({ locale: "de", timeZone: "Asia/Singapore" });
  });

  it("is refused by the domain too when a caller skips the form's checks", async () => {
    await save({ locale: "de", timeZone: "Asia/Singapore" });
    expect(() => setReaderPreferences(person.id, { locale: "xx" as Locale, timeZone: null })).toThrow(
      ReaderPreferenceError,
    );
    expect(() => setReaderPreferences(person.id, { locale: null, timeZone: "Nowhere/Town" })).toThrow(
      ReaderPreferenceError,
    );
    expect(await readerNow()).toEqual({ locale: "de", timeZone: "Asia/Singapore" });
  });

  it("greets a person signing in on a stranger's browser in the language they chose", async () => {
    await save({ locale: "de", timeZone: "Asia/Singapore" });
    const englishBrowser = new Request("http://undersigned.test:3000/", {
      headers: { "Accept-Language": "en-US" },
    });
    expect(signedInMessage(englishBrowser, createSession(getDb(), person.id))).toBe("Sie sind angemeldet.");
  });

  it("keeps the email settings form working beside it", async () => {
    const response = await callRoute(settingsRoute, "action", person, "/settings", {}, { intent: "email" });
    expect(response.status).toBe(302);
    const page = (await (await callRoute(settingsRoute, "loader", person, "/settings", {})).json()) as {
      preferences: Record<string, boolean>;
    };
    expect(Object.values(page.preferences).every((on) => on === false)).toBe(true);
  });
});
