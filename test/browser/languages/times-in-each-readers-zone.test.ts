import { and, eq, isNotNull } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { saveAnnouncement } from "../../../app/domain/announcements/lifecycle.server";
import { catalogFor } from "../../../app/i18n/catalogs.server";
import { formatterOf } from "../../../app/i18n/format";
import { intlFor } from "../../../app/i18n/translate";
import { getDb } from "../../../db/client";
import { milestones, petitions } from "../../../db/schema";
import { expectNoAxeViolations } from "../../support/browser";
import { dateTimeFromNow } from "../../support/dates";
import { demoApp } from "../../support/demo-app";
import { userByEmail } from "../../support/petition-fixtures";
import { closeDb, useServerDatabase } from "../../support/server-database";

/**
 * Times in each reader's own zone (ADR 0041): a colleague in Singapore reads the MCI petition's
 * milestones and response due date in Singapore time, with the zone named; a memo a leader in New York
 * schedules for 09:00 is 09:00 New York time, and a colleague in Singapore reads that same instant in
 * Singapore time. The zone comes from the browser itself (no setting chosen).
 */
const demo = demoApp();
const MCI_TITLE = "Let staff opt out of keystroke and click logging for AI training";
const inZone = (timeZone: string, at: Date | number) =>
  formatterOf(intlFor("en", timeZone, catalogFor("en"))).dateTime(at);

let mciSlug = "";
let dueAt: Date | null = null;
let memoSlug = "";

beforeAll(() => {
  useServerDatabase(demo.app);
  const db = getDb();
  const mci = db.select().from(petitions).where(eq(petitions.title, MCI_TITLE)).get();
  if (!mci) throw new Error("the seeded MCI petition is missing");
  mciSlug = mci.slug;
  dueAt =
    db
      .select({ due: milestones.responseDueAt })
      .from(milestones)
      .where(and(eq(milestones.petitionId, mci.id), isNotNull(milestones.responseDueAt)))
      .get()?.due ?? null;
  memoSlug = saveAnnouncement(
    null,
    {
      title: "Office move in the new year",
      body: "Where each team sits from next quarter.",
      responses: [],
      commitments: [],
    },
    userByEmail("leadership@undersigned.test"),
  ).slug;
  closeDb();
});

describe("times in each reader's zone", () => {
  it("a colleague in Singapore reads the MCI petition's response due date in Singapore time, the zone named", async () => {
    expect(dueAt).not.toBeNull();
    const page = await demo.reading("staff", { locale: "en-GB", timezoneId: "Asia/Singapore" });
    await page.goto(`${demo.app.baseUrl}/petitions/${mciSlug}`);
    await page.getByRole("heading", { level: 1 }).waitFor();
    const singapore = inZone("Asia/Singapore", dueAt ?? 0);
    expect(singapore).toMatch(/GMT\+8/);
    // After hydration the page is in the browser's zone; the next page comes from the server in it.
    await expect.poll(() => page.locator("main").innerText()).toContain(singapore);
    await page.reload();
    expect(await page.locator("main").innerText()).toContain(singapore);
    expect(await page.locator("main").innerText()).not.toContain(inZone("UTC", dueAt ?? 0));
    await expectNoAxeViolations(page);
    await page.context().close();
  });

  it("a memo scheduled for 09:00 by a leader in New York shows a colleague in Singapore the same instant in their time", async () => {
    const leader = await demo.reading("leadership", { locale: "en-GB", timezoneId: "America/New_York" });
    await leader.goto(`${demo.app.baseUrl}/announcements/${memoSlug}`);
    await leader.getByRole("heading", { level: 1 }).waitFor();
    await leader.reload(); // the browser's zone reported: the form is New York's from the server too
    const nine = `${dateTimeFromNow(30).slice(0, 10)}T09:00`;
    await leader.locator("#publishAt").fill(nine);
    await leader
      .locator("form", { has: leader.locator("#publishAt") })
      .locator("button[type=submit]")
      .click();
    await leader.getByRole("status").waitFor();
    useServerDatabase(demo.app);
    const at = getDb()
      .$client.prepare("select publish_at from announcements where slug = ?")
      .pluck()
      .get(memoSlug) as number;
    closeDb();
    const newYork = inZone("America/New_York", at);
    expect(newYork).toContain("09:00");
    expect(await leader.getByRole("status").innerText()).toContain(newYork);

    const admin = await demo.reading("admin", { locale: "en-GB", timezoneId: "Asia/Singapore" });
    await admin.goto(`${demo.app.baseUrl}/announcements/${memoSlug}`);
    await admin.getByRole("heading", { level: 1 }).waitFor();
    const singapore = inZone("Asia/Singapore", at);
    expect(singapore).toMatch(/(21|22):00 GMT\+8/);
    await expect.poll(() => admin.locator("main").innerText()).toContain(singapore);
    await leader.context().close();
    await admin.context().close();
  });
});
