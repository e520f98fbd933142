import { desc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { grantRole } from "../../app/domain/identity/permissions.server";
import type { User } from "../../app/domain/identity/sessions.server";
import { PETITION_LIMITS } from "../../app/domain/petitions/forms";
import { CLI_ACTOR } from "../../app/platform/security/audit.server";
import { DEFAULT_SETTINGS, getMilestoneDefaults, getSettings } from "../../app/platform/site/settings.server";
import * as settingsRoute from "../../app/routes/admin.settings";
import * as editRoute from "../../app/routes/petitions.$slug.edit";
import * as newRoute from "../../app/routes/petitions.new";
import { getDb } from "../../db/client";
import { auditLog, petitions, siteSettings } from "../../db/schema";
import { callRoute } from "../support/fixtures";
import { draftPetition, makeCompany } from "../support/petition-fixtures";

/**
 * What the petition form offers is the server's: the categories admins list at /admin/settings (a
 * petition takes one of them, or keeps the one it has), and the days a petition stays open when its
 * creator leaves that empty.
 */

const company = makeCompany(12);
const admin = company.member(11);
grantRole(admin.id, "admin", CLI_ACTOR);
admin.roles = ["admin"];

const petitionCount = () => getDb().select({ id: petitions.id }).from(petitions).all().length;
const stored = (id: number) => getDb().select().from(petitions).where(eq(petitions.id, id)).get();
// Each test writes as its own colleague: saves are rate limited per person.
let writers = 0;
const nextWriter = (): User => company.member(writers++);

const input = (fields: Record<string, string> = {}) => ({
  title: "Quiet rooms on every floor of the office",
  summary: "Give every floor a room for calls and concentration.",
  body: "Open-plan floors are loud and the few meeting rooms are always booked. A quiet room per floor would help.",
  ...fields,
});

/** The admin settings form as its page posts it, with the current settings and `changes`. */
function settingsForm(changes: Record<string, string>): Record<string, string> {
  const settings = getSettings();
  const form: Record<string, string> = {
    coSponsorsRequired: String(settings.coSponsorsRequired),
    openForDays: String(settings.openForDays),
    commentReportThreshold: String(settings.commentReportThreshold),
    anonymousAuthorDays: String(settings.anonymousAuthorDays),
    emailSignIn: "on",
    categories: settings.categories.join("\n"),
    defaultLocale: settings.defaultLocale,
    defaultTimeZone: settings.defaultTimeZone,
  };
  getMilestoneDefaults().forEach((m, i) => {
    form[`milestones[${i}].threshold`] = String(m.threshold);
    if (m.responseRequired) form[`milestones[${i}].responseRequired`] = "on";
    if (m.responseDays) form[`milestones[${i}].responseDays`] = String(m.responseDays);
  });
  return { ...form, ...changes };
}

const saveSettings = (changes: Record<string, string>, as: User = admin) =>
  callRoute(settingsRoute, "action", as, "/admin/settings", {}, settingsForm(changes));

describe("a petition's category", () => {
  it("is refused with a 400 beside the field when it is not in the admins' list, and nothing is saved", async () => {
    const before = petitionCount();
    const response = await callRoute(
      newRoute,
      "action",
      nextWriter(),
      "/petitions/new",
      {},
      input({ category: "Free lunches" }),
    );
    expect(response.status).toBe(400);
    const body = (await response.json()) as { result: { error: Record<string, string[]> } };
    expect(body.result.error.category).toEqual(["Choose a category from the list."]);
    expect(petitionCount()).toBe(before);
  });

  it("is saved when it is one of the list", async () => {
    const response = await callRoute(
      newRoute,
      "action",
      nextWriter(),
      "/petitions/new",
      {},
      input({ title: "Quiet rooms for calls on every floor", category: "Facilities" }),
    );
    expect(response.status).toBe(302);
    const saved = getDb().select().from(petitions).orderBy(desc(petitions.id)).get();
    expect(saved?.category).toBe("Facilities");
  });

  it("is kept on edit when it has left the list since, while another unlisted one is refused", async () => {
    const creator = nextWriter();
    const petition = draftPetition(creator, "Let staff keep a desk of their own");
    getDb().update(petitions).set({ category: "Desks" }).where(eq(petitions.id, petition.id)).run();
    const path = `/petitions/${petition.slug}/edit`;
    const params = { slug: petition.slug };
    const edit = (fields: Record<string, string>) =>
      callRoute(editRoute, "action", creator, path, params, input({ title: petition.title, ...fields }));

    const loaded = (await (await callRoute(editRoute, "loader", creator, path, params)).json()) as {
      choices: { categories: string[] };
    };
    expect(loaded.choices.categories).not.toContain("Desks");

    const refused = await edit({ category: "Free lunches", summary: "A changed summary that is refused." });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: Record<string, string[]> }).error.category).toEqual([
      "Choose a category from the list.",
    ]);
    expect(stored(petition.id)?.category).toBe("Desks");
    expect(stored(petition.id)?.summary).toBe(petition.summary);

    expect((await edit({ category: "Desks", summary: "A changed summary that is kept." })).status).toBe(302);
    expect(stored(petition.id)?.category).toBe("Desks");
    expect(stored(petition.id)?.summary).toBe("A changed summary that is kept.");
    // Once changed to a listed one, the old one is gone for good.
    expect((await edit({ category: "Pay" })).status).toBe(302);
    expect((await edit({ category: "Desks" })).status).toBe(400);
  });
});

describe("the admins' list of categories", () => {
  it("is edited one a line at /admin/settings, blanks and repeats dropped, audited; new petitions then take only the new list", async () => {
    const response = await saveSettings({
      categories: "Wellbeing\n\nPay\n  Parental leave  \nPay\nFacilities",
    });
    expect(response.status).toBe(302);
    expect(getSettings().categories).toEqual(["Wellbeing", "Pay", "Parental leave", "Facilities"]);
    const entry = getDb()
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, "settings.update"))
      .orderBy(desc(auditLog.id))
      .get();
    expect(entry?.actorId).toBe(admin.id);
    expect(entry?.details?.categories).toEqual(["Wellbeing", "Pay", "Parental leave", "Facilities"]);

    const writer = nextWriter();
    const post = (category: string, title: string) =>
      callRoute(newRoute, "action", writer, "/petitions/new", {}, input({ title, category }));
    expect((await post("Privacy", "Privacy screens for hot desks")).status).toBe(400);
    expect((await post("Parental leave", "Six months of paid parental leave")).status).toBe(302);
  });

  it("refuses a category longer than a petition may take with a 400 beside the list, and keeps the list", async () => {
    const before = getSettings().categories;
    const response = await saveSettings({ categories: `Pay\n${"A very long category ".repeat(4)}` });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: Record<string, string[]> }).error.categories).toEqual([
      "Keep each category to 60 characters",
    ]);
    expect(getSettings().categories).toEqual(before);
  });

  it("is not a colleague's to change", async () => {
    const before = getSettings().categories;
    const response = await saveSettings({ categories: "Anything" }, company.member(10));
    expect(response.status).toBe(403);
    expect(getSettings().categories).toEqual(before);
  });
});

describe("the days a petition stays open by default", () => {
  it("are the settings' own, passed to both forms; a petition left empty takes them, on edit too", async () => {
    expect((await saveSettings({ openForDays: "45" })).status).toBe(302);
    const writer = nextWriter();
    const created = await callRoute(newRoute, "loader", writer, "/petitions/new", {});
    expect(((await created.json()) as { choices: { defaultOpenForDays: number } }).choices).toMatchObject({
      defaultOpenForDays: 45,
    });
    expect(DEFAULT_SETTINGS.openForDays).not.toBe(45);

    const petition = draftPetition(writer, "Let staff choose their own monitor");
    const path = `/petitions/${petition.slug}/edit`;
    const params = { slug: petition.slug };
    const edited = await callRoute(editRoute, "loader", writer, path, params);
    expect(((await edited.json()) as { choices: { defaultOpenForDays: number } }).choices).toMatchObject({
      defaultOpenForDays: 45,
    });
    const save = (openForDays: string) =>
      callRoute(editRoute, "action", writer, path, params, input({ title: petition.title, openForDays }));
    expect((await save("60")).status).toBe(302);
    expect(stored(petition.id)?.openForDays).toBe(60);
    expect((await save("")).status).toBe(302);
    expect(stored(petition.id)?.openForDays).toBe(45);
  });

  it("stay within what a creator may type: an admin cannot set more, and a value stored under older bounds falls back alone", async () => {
    const before = getSettings();
    const refused = await saveSettings({ openForDays: String(PETITION_LIMITS.openForDays.max + 1) });
    expect(refused.status).toBe(400);
    expect(getSettings()).toEqual(before);
    // A default of 500 days, stored before the bounds were the form's: only that setting falls back.
    expect((await saveSettings({ coSponsorsRequired: "4" })).status).toBe(302);
    getDb().update(siteSettings).set({ value: 500 }).where(eq(siteSettings.key, "openForDays")).run();
    expect(getSettings()).toMatchObject({ openForDays: DEFAULT_SETTINGS.openForDays, coSponsorsRequired: 4 });
    // A row whose key is an object's own property name is no setting (it crashed every read).
    getDb().insert(siteSettings).values({ key: "constructor", value: 1 }).run();
    expect(getSettings()).toMatchObject({ coSponsorsRequired: 4 });
  });
});

describe("the company's default language and time zone", () => {
  it("are chosen at /admin/settings from the languages and the zones the page offers, saved and audited", async () => {
    const page = await callRoute(settingsRoute, "loader", admin, "/admin/settings", {});
    const offered = (await page.json()) as { timeZones: string[] };
    expect(offered.timeZones[0]).toBe("UTC");
    expect(offered.timeZones).toContain("Asia/Singapore");

    const response = await saveSettings({ defaultLocale: "ja", defaultTimeZone: "Asia/Singapore" });
    expect(response.status).toBe(302);
    expect(getSettings()).toMatchObject({ defaultLocale: "ja", defaultTimeZone: "Asia/Singapore" });
    const entry = getDb()
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, "settings.update"))
      .orderBy(desc(auditLog.id))
      .get();
    expect(entry?.details).toMatchObject({ defaultLocale: "ja", defaultTimeZone: "Asia/Singapore" });
  });

  it("refuse a zone that is not a time zone with a 400 beside the field, and change nothing", async () => {
    expect((await saveSettings({ defaultLocale: "de", defaultTimeZone: "Europe/Berlin" })).status).toBe(302);
    const before = getSettings();
    for (const zone of ["Mars/Olympus_Mons", "", "Europe/Berlin; DROP TABLE", "x".repeat(200)]) {
      const response = await saveSettings({ defaultLocale: "fr", defaultTimeZone: zone, openForDays: "30" });
      expect(response.status, zone).toBe(400);
      const body = (await response.json()) as { error: Record<string, string[]> };
      expect(body.error.defaultTimeZone, zone).toBeDefined();
      expect(getSettings()).toEqual(before);
    }
  });

  it("refuse a language the site does not speak with a 400, and change nothing", async () => {
    const before = getSettings();
    const response = await saveSettings({ defaultLocale: "en-XA" });
    expect(response.status).toBe(400);
    expect(
      ((await response.json()) as { error: Record<string, string[]> }).error.defaultLocale,
    ).toBeDefined();
    expect(getSettings()).toEqual(before);
  });
});
