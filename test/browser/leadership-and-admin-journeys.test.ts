import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { EXEMPTION_PROCESS_DUE } from "../../app/demo/response.server";
import { expectNoAxeViolations } from "../support/browser";
import { wordsIn } from "../support/catalog-text";
import { dayFromNow } from "../support/dates";
import { demoApp } from "../support/demo-app";

const demo = demoApp();
const { as } = demo;
const MEMO = "/announcements/our-answer-on-keystroke-and-click-logging";
const POLICY = "/policies/model-capability-initiative-data-collection";
const WIDTHS = [
  { name: "desktop", width: 1280, height: 800 },
  { name: "phone", width: 390, height: 844 },
] as const;

/** Nothing wider than the window: no sideways scrolling. */
async function expectNoSidewaysScroll(page: Page) {
  const { scroll, width } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    width: window.innerWidth,
  }));
  expect(scroll, page.url()).toBeLessThanOrEqual(width);
}

async function at(page: Page, width: { width: number; height: number }, path: string) {
  await page.setViewportSize(width);
  await page.goto(`${demo.app.baseUrl}${path}`);
}

describe("leadership", () => {
  for (const width of WIDTHS) {
    it(`staff read a policy change as the rendered text with the changes marked, and an overdue commitment flagged (${width.name})`, async () => {
      const staff = await as("staff");
      await at(staff, width, MEMO);
      const change = staff.locator("section", { has: staff.getByRole("heading", { name: /Policy change/ }) });
      // Rendered markdown: headings and bold, not "##" and "**".
      await change.getByRole("heading", { name: "Collection", exact: true }).waitFor();
      const text = await change.innerText();
      expect(text).not.toMatch(/##|\*\*/);
      expect(await change.locator(".diff ins").count()).toBeGreaterThan(0);
      expect(await change.locator(".diff del").count()).toBeGreaterThan(0);
      // The exemption process, due in the seed's summer and still in progress, is overdue; the done one is not.
      const commitments = staff.locator("section", {
        has: staff.getByRole("heading", { name: "Commitments" }),
      });
      const exemption = commitments.locator("li", { hasText: "An exemption request process" }).first();
      expect(await exemption.innerText()).toMatch(
        new RegExp(`In progress\\s*Overdue\\s*· was due ${wordsIn("en").format.date(EXEMPTION_PROCESS_DUE)}`),
      );
      const pause = commitments.locator("li", { hasText: "Pause controls for up to 30 minutes" }).first();
      expect(await pause.innerText()).not.toContain("Overdue");
      await expectNoAxeViolations(staff);
      await expectNoSidewaysScroll(staff);
    });

    it(`the policy's owner sees the combined average its small versions allow, and why the rest is hidden (${width.name})`, async () => {
      const leader = await as("leadership");
      await at(leader, width, `${POLICY}/feedback`);
      const summary = leader.locator("section", { has: leader.getByRole("heading", { name: "By version" }) });
      const combined = summary.getByRole("row", { name: /groups? not shown, combined/ });
      expect(await combined.innerText()).toMatch(/\d+(\.\d)? of 5/);
      expect(await summary.innerText()).toContain("so that nobody's feedback can be picked out");
      await expectNoAxeViolations(leader);
      await expectNoSidewaysScroll(leader);
    });

    it(`a new policy version starts from the current text, and the memo form grows by rows (${width.name})`, async () => {
      const leader = await as("leadership");
      await at(leader, width, POLICY);
      const text = await leader.getByLabel("Full text (markdown)").inputValue();
      expect(text).toContain("## Collection");
      await expectNoAxeViolations(leader);

      await at(leader, width, "/announcements/new");
      await leader.getByRole("button", { name: "Add a commitment" }).click();
      await leader.getByRole("button", { name: "Add a commitment" }).click();
      await leader.getByLabel("Commitment 3").fill("Publish the list of roles");
      await leader.getByRole("button", { name: "Add a petition" }).click();
      await leader.getByLabel("Petition 2").waitFor();
      // The commitment inputs are as tall as the others, not slivers.
      const box = await leader.getByLabel("Commitment 1").boundingBox();
      expect(box?.height ?? 0).toBeGreaterThan(30);
      await leader
        .getByLabel("Policy", { exact: true })
        .selectOption({ label: "Model Capability Initiative data collection" });
      await leader.getByRole("button", { name: "Start from the chosen policy's current text" }).click();
      await leader.waitForFunction(() =>
        (document.querySelector("textarea[name=policyBody]") as HTMLTextAreaElement | null)?.value.includes(
          "## Collection",
        ),
      );
      // What was typed is kept.
      expect(await leader.getByLabel("Commitment 3").inputValue()).toBe("Publish the list of roles");
      await expectNoAxeViolations(leader);
      await expectNoSidewaysScroll(leader);
    });
  }

  it("adds rows and starts from the current text with plain forms (no JavaScript), then the preview says how many colleagues it will email", async () => {
    const leader = await as("leadership", false);
    await leader.goto(`${demo.app.baseUrl}/announcements/new`);
    await leader.getByLabel("Title").fill("Retention, one year on");
    await leader
      .getByRole("textbox", { name: "Text (markdown)", exact: true })
      .fill("A year on, we look again at how long keystroke data is kept.");
    await leader.getByLabel("Commitment 1").fill("Review retention with the union");
    await leader.getByRole("button", { name: "Add a commitment" }).click();
    await leader.getByLabel("Commitment 2").fill("Publish the review");
    expect(await leader.getByLabel("Commitment 1").inputValue()).toBe("Review retention with the union");
    expect(await leader.getByLabel("Title").inputValue()).toBe("Retention, one year on");
    await leader
      .getByLabel("Petition 1")
      .selectOption({ label: "Let staff opt out of keystroke and click logging for AI training" });
    await leader.getByLabel("Stance").first().selectOption("under_review");
    await leader
      .getByLabel("Policy", { exact: true })
      .selectOption({ label: "Model Capability Initiative data collection" });
    await leader.getByRole("button", { name: "Start from the chosen policy's current text" }).click();
    expect(await leader.getByLabel("New version's full text (markdown)").inputValue()).toContain(
      "## Collection",
    );
    expect(await leader.getByLabel("Commitment 2").inputValue()).toBe("Publish the review");
    const body = await leader.getByLabel("New version's full text (markdown)").inputValue();
    await leader
      .getByLabel("New version's full text (markdown)")
      .fill(body.replace("one year", "six months"));
    await leader.getByLabel("What changes").fill("Six months' retention");
    await leader.getByLabel("Takes effect on").fill(dayFromNow(180));
    await leader.getByRole("button", { name: "Save draft and preview" }).click();
    await leader.getByText("Draft saved. This is its preview").waitFor();
    expect(await leader.getByText(/Publishing emails up to [\d,]+ colleagues/).count()).toBe(1);
    expect((await leader.locator(".diff del").allInnerTexts()).join(" ")).toContain("one year");
    expect((await leader.locator(".diff ins").allInnerTexts()).join(" ")).toContain("six months");
    const commitments = leader.locator("section", {
      has: leader.getByRole("heading", { name: "Commitments" }),
    });
    expect(await commitments.innerText()).toMatch(/Review retention with the union[\s\S]*Publish the review/);
  });
});

describe("admins", () => {
  for (const width of WIDTHS) {
    it(`read the audit log in words that fit the screen, filtered by plain names (${width.name})`, async () => {
      const admin = await as("admin");
      await at(admin, width, "/admin/audit");
      const log = admin.locator("ol.audit-log");
      await log.waitFor();
      const text = await log.innerText();
      // No action codes (role.grant, policy.publish-version…), no JSON.
      expect(text).not.toMatch(
        /\b(role|petition|directory|announcement|policy|person|comment|feedback)\.[a-z-]+/,
      );
      expect(text).not.toMatch(/[{}]|":/);
      await admin.getByLabel("What happened").selectOption({ label: "Policy version published" });
      await admin.getByRole("button", { name: "Filter" }).click();
      await admin.waitForURL(/action=policy.publish-version/);
      await admin.waitForFunction(() =>
        [...document.querySelectorAll("ol.audit-log > li")].every((li) =>
          li.textContent?.includes("published a new version of"),
        ),
      );
      const entry = admin.locator("ol.audit-log > li").first();
      await entry
        .getByRole("link", { name: /Model Capability Initiative data collection/ })
        .first()
        .waitFor();
      expect(await entry.innerText()).toMatch(/Takes effect\s*\d{1,2} \w{3} \d{4}/);
      await expectNoAxeViolations(admin);
      await expectNoSidewaysScroll(admin);
    });

    it(`see the directory import's preview before anything changes, then import it (${width.name})`, async () => {
      const admin = await as("admin");
      await at(admin, width, "/admin/directory");
      const email = `new.${width.name}@undersigned.test`;
      await admin.getByLabel("CSV file").setInputFiles({
        name: "staff.csv",
        mimeType: "text/csv",
        buffer: Buffer.from(
          `email,name,department,location\nadmin@undersigned.test,Ada Admin,IT,London\n${email},Noor New,Research,Remote\n`,
        ),
      });
      // "The whole directory": would deactivate everyone else — the preview says so and changes nothing.
      await admin.getByLabel(/This is the whole directory/).check();
      await admin.getByRole("button", { name: "Preview the import" }).click();
      const preview = admin.getByRole("region", { name: "Check before importing" });
      await preview.waitFor();
      expect(await preview.innerText()).toMatch(/To add: 1[\s\S]*To deactivate: [\d,]{4,}/);
      expect(await preview.innerText()).toMatch(/This deactivates [\d,]+ people who are not in the file/);
      await expectNoAxeViolations(admin);
      await expectNoSidewaysScroll(admin);
      // Not confirmed: nobody was deactivated (the admin, among them, is still signed in).
      await admin.goto(`${demo.app.baseUrl}/admin/directory`);
      await admin.getByLabel("CSV file").setInputFiles({
        name: "staff.csv",
        mimeType: "text/csv",
        buffer: Buffer.from(`email,name,department,location\n${email},Noor New,Research,Remote\n`),
      });
      await admin.getByRole("button", { name: "Preview the import" }).click();
      await preview.waitFor();
      expect(await preview.innerText()).toMatch(/To add: 1[\s\S]*To deactivate: 0/);
      await admin.getByRole("button", { name: "Import these changes" }).click();
      const report = admin.getByRole("status").filter({ hasText: "Import finished" });
      await report.waitFor();
      expect(await report.innerText()).toContain("Added: 1");
      await expectNoAxeViolations(admin);
    });

    it(`see the last backup and take one now (${width.name})`, async () => {
      const admin = await as("admin");
      await at(admin, width, "/admin/backups");
      await admin.getByRole("heading", { name: "Restoring a backup" }).waitFor();
      expect(await admin.getByText("npm run cli -- restore FILE").count()).toBe(1);
      await admin.getByRole("button", { name: "Take a backup now" }).click();
      await admin.getByText(/Backup taken and checked: undersigned-.*\.db/).waitFor({ timeout: 60_000 });
      const last = admin.getByRole("region", { name: "Last backup" });
      expect(await last.innerText()).toMatch(/\d{1,2} \w{3} \d{4}.*undersigned-.*\.db/);
      expect(await admin.locator("table tbody tr").count()).toBeGreaterThan(0);
      await expectNoAxeViolations(admin);
      await expectNoSidewaysScroll(admin);
    });
  }

  it("import and back up with plain forms (no JavaScript)", async () => {
    const admin = await as("admin", false);
    await admin.goto(`${demo.app.baseUrl}/admin/directory`);
    await admin.getByLabel("CSV file").setInputFiles({
      name: "staff.csv",
      mimeType: "text/csv",
      buffer: Buffer.from("email,name,department,location\nnojs@undersigned.test,Nia Nojs,Legal,Berlin\n"),
    });
    await admin.getByRole("button", { name: "Preview the import" }).click();
    await admin.getByRole("region", { name: "Check before importing" }).waitFor();
    await admin.getByRole("button", { name: "Import these changes" }).click();
    expect(await admin.getByRole("status").filter({ hasText: "Import finished" }).innerText()).toContain(
      "Added: 1",
    );
    await admin.goto(`${demo.app.baseUrl}/admin/backups`);
    await admin.getByRole("button", { name: "Take a backup now" }).click();
    await admin.getByText(/Backup taken and checked/).waitFor({ timeout: 60_000 });
  });
});

describe("the header", () => {
  it("fits on one line at 1280 px for every role, the longest name included", async () => {
    for (const account of ["staff", "organizer", "moderator", "leadership", "cto", "admin"]) {
      const page = await as(account);
      await at(page, { width: 1280, height: 800 }, "/petitions");
      const layout = await page.evaluate(() => {
        const row = document.querySelector(".header-row") as HTMLElement;
        const tops = [...row.querySelectorAll(".brand, nav.nav-wide .nav-list > li, .account > *")]
          .filter((el) => el.checkVisibility())
          .map((el) => Math.round(el.getBoundingClientRect().top + el.getBoundingClientRect().height / 2));
        return {
          height: row.getBoundingClientRect().height,
          tops,
          overflow: row.scrollWidth - row.clientWidth,
        };
      });
      expect(layout.height, account).toBeLessThan(64);
      expect(Math.max(...layout.tops) - Math.min(...layout.tops), account).toBeLessThanOrEqual(4);
      expect(layout.overflow, account).toBeLessThanOrEqual(0);
      await expectNoAxeViolations(page);
    }
    // The person's own pages are under their name.
    const admin = await as("admin");
    await at(admin, { width: 1280, height: 800 }, "/petitions");
    await admin.locator("summary.who").click();
    await admin.getByRole("link", { name: "My petitions" }).click();
    await admin.waitForURL(/\/my\/petitions$/);
  });

  it("folds into a menu on a phone, with and without JavaScript", async () => {
    for (const javaScript of [true, false]) {
      const admin = await as("admin", javaScript);
      await at(admin, { width: 390, height: 844 }, "/petitions");
      expect(await admin.getByRole("link", { name: "Admin" }).count()).toBe(0);
      await admin.getByText("Menu", { exact: true }).click();
      await admin.getByRole("link", { name: "Admin" }).click();
      await admin.getByRole("heading", { name: "Administration" }).waitFor();
      await expectNoSidewaysScroll(admin);
      if (javaScript) {
        // Moving to another page closes the menu.
        expect(await admin.getByRole("link", { name: "Policies" }).count()).toBe(0);
        await expectNoAxeViolations(admin);
      }
    }
  });
});
