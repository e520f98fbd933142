import type { Locator, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { expectNoAxeViolations } from "../support/browser";
import { demoApp } from "../support/demo-app";

const demo = demoApp();
const { as } = demo;
const WIDTHS = [
  { name: "desktop", width: 1280, height: 800 },
  { name: "phone", width: 390, height: 844 },
] as const;

/** The hint a field is described by (its id is the field's id + "-hint"). */
async function hintOf(page: Page, field: Locator): Promise<string> {
  return page.locator(`[id="${await field.getAttribute("id")}-hint"]`).innerText();
}

/** The field's live counter and its polite status, beside it in the field's wrapper. */
const fieldOf = (page: Page, label: string) => page.locator(".field", { has: page.getByLabel(label) });

/** The days a petition stays open by default, as the admins' settings page holds them. */
async function siteDefaultDays(): Promise<string> {
  const admin = await as("admin");
  await admin.goto(`${demo.app.baseUrl}/admin/settings`);
  const days = await admin.getByLabel("Days a petition stays open").inputValue();
  await admin.close();
  return days;
}

describe("the petition form states its limits before anyone submits", () => {
  it("says each field's limits and the site's own default days, and offers the categories as a list", async () => {
    const days = await siteDefaultDays();
    const page = await as("staff");
    await page.goto(`${demo.app.baseUrl}/petitions/new`);
    const title = page.getByLabel("Title");
    expect(await hintOf(page, title)).toContain("10 to 120 characters");
    expect([await title.getAttribute("minlength"), await title.getAttribute("maxlength")]).toEqual([
      "10",
      "120",
    ]);
    const summary = page.getByLabel("What do you ask for?");
    expect(await hintOf(page, summary)).toContain("20 to 500 characters");
    expect(await summary.getAttribute("maxlength")).toBe("500");
    const body = page.getByLabel("Why it matters");
    expect(await hintOf(page, body)).toContain("At least 50 characters, at most 10,000.");
    expect([await body.getAttribute("minlength"), await body.getAttribute("maxlength")]).toEqual([
      "50",
      "10000",
    ]);
    const openFor = page.getByLabel("Days open for signatures (optional)");
    expect(await hintOf(page, openFor)).toContain(
      `7 to 365 days. Leave empty for the site's default: ${days} days.`,
    );
    expect([await openFor.getAttribute("min"), await openFor.getAttribute("max")]).toEqual(["7", "365"]);
    const category = page.getByRole("combobox", { name: "Category (optional)" });
    expect(await category.locator("option").allInnerTexts()).toEqual([
      "No category",
      "Benefits",
      "Facilities",
      "Hybrid work",
      "Pay",
      "Privacy",
    ]);
    await page.close();
  });

  for (const width of WIDTHS) {
    it(`counts as one types, says "long enough" politely once, and passes axe (${width.name})`, async () => {
      const page = await as("staff");
      await page.setViewportSize(width);
      await page.goto(`${demo.app.baseUrl}/petitions/new`);
      const bodyField = fieldOf(page, "Why it matters");
      const counter = bodyField.locator(".character-count");
      // Once the page runs its JavaScript, the counter shows.
      await counter.filter({ hasText: "0 of at least 50 characters" }).waitFor();
      await page.getByLabel("Why it matters").fill("Too short to say why it matters.");
      await counter.filter({ hasText: "32 of at least 50 characters" }).waitFor();
      expect(await bodyField.getByRole("status").innerText()).toBe("");
      await page
        .getByLabel("Why it matters")
        .fill("Long enough now: the quiet rooms are booked from morning to night, every day.");
      await counter.filter({ hasText: "9,923 characters left" }).waitFor();
      expect(await bodyField.getByRole("status").innerText()).toBe("Long enough: at least 50 characters.");

      const titleCounter = fieldOf(page, "Title").locator(".character-count");
      await page.getByLabel("Title").fill("Quiet rooms on every floor");
      await titleCounter.filter({ hasText: "94 characters left" }).waitFor();
      await expectNoAxeViolations(page);
      await page.close();
    });
  }

  it("without JavaScript, states the limits in the hints and answers a too-short body beside it", async () => {
    const page = await as("staff", false);
    await page.goto(`${demo.app.baseUrl}/petitions/new`);
    expect(await page.locator(".character-count").count()).toBe(0);
    expect(await hintOf(page, page.getByLabel("Why it matters"))).toContain("At least 50 characters");
    await page.getByLabel("Title").fill("Quiet rooms on every floor of the office");
    await page
      .getByLabel("What do you ask for?")
      .fill("Give every floor a room for calls and concentration.");
    await page.getByLabel("Why it matters").fill("We need quiet rooms.");
    await page.getByRole("button", { name: "Save draft" }).click();
    await fieldOf(page, "Why it matters")
      .locator(".field-errors li", { hasText: "Explain the petition in at least 50 characters" })
      .waitFor();
    // What was typed is still there, to lengthen.
    expect(await page.getByLabel("Why it matters").inputValue()).toBe("We need quiet rooms.");
    await page.close();
  });

  it("keeps a draft's category once admins take it off the list, saying so on the edit form", async () => {
    const staff = await as("staff");
    await staff.goto(`${demo.app.baseUrl}/petitions/new`);
    await staff.locator(".character-count").first().waitFor();
    await staff.getByLabel("Title").fill("Privacy screens for the hot desks");
    await staff
      .getByLabel("What do you ask for?")
      .fill("Put a privacy screen on every hot desk by the windows.");
    await staff
      .getByLabel("Why it matters")
      .fill("Screens by the windows face the corridor: anyone walking by reads what we work on.");
    await staff.getByRole("combobox", { name: "Category (optional)" }).selectOption("Privacy");
    await staff.getByRole("button", { name: "Save draft" }).click();
    await staff.getByText("Draft saved.").waitFor();
    const draftUrl = staff.url();

    const admin = await as("admin");
    await admin.goto(`${demo.app.baseUrl}/admin/settings`);
    await admin.getByLabel("Petition categories").fill("Benefits\nFacilities\nHybrid work\nPay\nWellbeing");
    await expectNoAxeViolations(admin);
    await admin.getByRole("button", { name: "Save settings" }).click();
    await admin.getByText("Settings saved.").waitFor();
    await admin.close();

    await staff.goto(`${draftUrl}/edit`);
    const category = staff.getByRole("combobox", { name: "Category (optional)" });
    expect(await category.inputValue()).toBe("Privacy");
    expect(await category.locator("option:checked").innerText()).toBe("Privacy (no longer in the list)");
    expect(await category.locator("option").allInnerTexts()).toContain("Wellbeing");
    await expectNoAxeViolations(staff);
    await staff.getByRole("button", { name: "Save" }).click();
    await staff.getByText("Saved.").waitFor();
    await staff.close();
  });
});
