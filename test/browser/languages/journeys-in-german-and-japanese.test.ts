import type { Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { findPublicPetition } from "../../../app/domain/petitions/api.server";
import type { Locale } from "../../../app/i18n/locales";
import { getDb } from "../../../db/client";
import { expectNoAxeViolations } from "../../support/browser";
import { say } from "../../support/catalog-text";
import { demoApp } from "../../support/demo-app";
import { userByEmail } from "../../support/petition-fixtures";
import { closeDb, useServerDatabase } from "../../support/server-database";

/**
 * The main journeys in German and in Japanese, on a phone: signing, commenting, drafting a petition and
 * answering one as leadership, each page in the reader's language (`<html lang>`) and axe clean. The
 * steps are the English tests' steps, found by the words each language's catalog gives them.
 */
const demo = demoApp();
const PHONE = { width: 390, height: 844 };
const HYBRID = "keep-two-remote-days-a-week-for-everyone";
const SETUP: Record<"de" | "ja", { timezoneId: string; signer: string; writer: string }> = {
  de: { timezoneId: "Europe/Berlin", signer: "", writer: "organizer" },
  ja: { timezoneId: "Asia/Tokyo", signer: "", writer: "staff" },
};

beforeAll(() => {
  // Two demo colleagues who have not signed the open petition by name: one signs in each language.
  useServerDatabase(demo.app);
  const petition = findPublicPetition(HYBRID);
  if (!petition) throw new Error("the seeded open petition is missing");
  const signed = new Set(
    getDb()
      .$client.prepare("select person_id from signatures where petition_id = ? and person_id is not null")
      .pluck()
      .all(petition.id) as number[],
  );
  const free = ["moderator", "trust", "cto", "admin", "staff", "organizer", "union-rep"].filter(
    (account) => !signed.has(userByEmail(`${account}@undersigned.test`).id),
  );
  SETUP.de.signer = free[0] ?? "";
  SETUP.ja.signer = free[1] ?? "";
  closeDb();
  if (!SETUP.ja.signer) throw new Error("the demo has fewer than two colleagues who have not signed");
});

async function visit(page: Page, locale: Locale, path: string) {
  await page.goto(`${demo.app.baseUrl}${path}`);
  await page.getByRole("heading", { level: 1 }).first().waitFor();
  expect(await page.evaluate(() => document.documentElement.lang)).toBe(locale);
  await expectNoAxeViolations(page);
}

for (const locale of ["de", "ja"] as const) {
  describe(`in ${locale === "de" ? "German" : "Japanese"}, on a phone`, () => {
    const setup = SETUP[locale];
    const reader = (account: string) =>
      demo.reading(account, { locale, timezoneId: setup.timezoneId, viewport: PHONE });

    it("a colleague signs the open petition with their name", async () => {
      const page = await reader(setup.signer);
      await visit(page, locale, `/petitions/${HYBRID}`);
      await page.getByLabel(say(locale, "Sign with my name")).check();
      await page
        .getByLabel(say(locale, "I have not signed this petition anonymously on another device"))
        .check();
      await page.getByRole("button", { name: say(locale, "Sign") }).click();
      await page
        .getByRole("heading", {
          name: say(
            locale,
            "{visibility, select, anonymous {You signed anonymously} other {You signed publicly}}",
            {
              visibility: "public",
            },
          ),
        })
        .waitFor();
      await expectNoAxeViolations(page);
      await page.context().close();
    });

    it("a colleague comments on it", async () => {
      const page = await reader(setup.writer);
      await visit(page, locale, `/petitions/${HYBRID}`);
      const words =
        locale === "de"
          ? "Zwei Tage zu Hause halten Eltern im Beruf."
          : "在宅勤務の二日間は子育て中の社員を支えています。";
      await page.locator("textarea[name=body]").first().fill(words);
      await page.getByRole("button", { name: say(locale, "Post comment") }).click();
      await page.getByText(words).first().waitFor();
      await expectNoAxeViolations(page);
      await page.context().close();
    });

    it("a colleague drafts a petition", async () => {
      const page = await reader(setup.writer);
      await visit(page, locale, "/petitions/new");
      const title = locale === "de" ? "Ruhige Zonen auf jeder Etage" : "各フロアに静かなエリアを";
      await page.getByLabel(say(locale, "Title")).fill(title);
      await page
        .getByLabel(say(locale, "What do you ask for?"))
        .fill(
          locale === "de"
            ? "Eine ruhige Zone auf jeder Großraumetage, ohne Telefonate."
            : "すべてのオープンフロアに、通話をしない静かなエリアを設けてください。",
        );
      await page
        .getByLabel(say(locale, "Why it matters"))
        .fill(
          locale === "de"
            ? "Konzentriertes Arbeiten ist in Großraumbüros kaum möglich; eine ruhige Zone hilft allen, die nachdenken müssen."
            : "オープンフロアでは集中して作業するのが難しく、静かなエリアがあれば考える仕事をする全員の助けになります。",
        );
      await page.getByRole("button", { name: say(locale, "Save draft") }).click();
      await page.getByRole("heading", { level: 1, name: title }).waitFor();
      expect(await page.evaluate(() => document.documentElement.lang)).toBe(locale);
      await expectNoAxeViolations(page);
      await page.context().close();
    });

    it("leadership answers the petition with a memo", async () => {
      const page = await reader("leadership");
      await visit(page, locale, "/announcements/new");
      const title = locale === "de" ? "Zwei Tage zu Hause bleiben" : "在宅勤務の二日間は続きます";
      await page.getByLabel(say(locale, "Title")).fill(title);
      await page
        .getByRole("textbox", { name: say(locale, "Text (markdown)") })
        .fill(
          locale === "de"
            ? "Wir haben zugehört: **zwei Tage** zu Hause bleiben."
            : "皆さんの声を受け、**週二日の在宅勤務**を続けます。",
        );
      await page
        .getByLabel(say(locale, "Petition {n}", { n: 1 }))
        .selectOption({ label: "Keep two remote days a week for everyone" });
      await page.getByLabel(say(locale, "Stance")).first().selectOption("accepted");
      await page.getByRole("button", { name: say(locale, "Save draft and preview") }).click();
      await page.getByRole("heading", { level: 1, name: title }).waitFor();
      await expectNoAxeViolations(page);
      await page.getByRole("button", { name: say(locale, "Publish now") }).click();
      await page
        .getByRole("status")
        .filter({ hasText: say(locale, "Published. Signers of the petitions it answers are being emailed.") })
        .waitFor();
      await page.context().close();
    });
  });
}
