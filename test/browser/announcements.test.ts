import { describe, expect, it } from "vitest";
import { expectNoAxeViolations } from "../support/browser";
import { dayFromNow } from "../support/dates";
import { demoApp } from "../support/demo-app";

const demo = demoApp();
const { as } = demo;
const HYBRID = "/petitions/keep-two-remote-days-a-week-for-everyone";
/** Version 2 is published ahead of taking effect, so the policy page still announces it. */
const takesEffect = dayFromNow(30);
/** A day as pages write a UTC day in English: day, short month, year, then "(UTC)". */
const utcDay = (day: string) =>
  `${new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" }).format(new Date(day))} (UTC)`;

describe("leadership's response", () => {
  it("is written with a new policy version, previewed, published, and seen by staff with its stance, timeline and diff", async () => {
    const leader = await as("leadership");
    await leader.goto(`${demo.app.baseUrl}/policies/new`);
    await expectNoAxeViolations(leader);
    await leader.getByLabel("Title").fill("Hybrid working");
    await leader.getByLabel("Summary").fill("Where and when staff work: office days and remote days.");
    await leader.getByLabel("Owning team (optional)").fill("People team");
    await leader
      .getByLabel("Text of version 1 (markdown)")
      .fill("Staff work from the office five days a week.");
    await leader.getByLabel("Takes effect on").fill(dayFromNow(-30));
    await leader.getByRole("button", { name: "Publish the policy" }).click();
    await leader.getByText("Policy published.").waitFor();

    await leader.goto(`${demo.app.baseUrl}/announcements/new`);
    await expectNoAxeViolations(leader);
    await leader.getByLabel("Title").fill("Two remote days stay");
    await leader
      .getByRole("textbox", { name: "Text (markdown)", exact: true })
      .fill("We heard you: **two remote days a week** stay for everyone.");
    await leader.getByLabel("Petition 1").selectOption({ label: "Keep two remote days a week for everyone" });
    await leader.getByLabel("Stance").first().selectOption("accepted");
    await leader.getByLabel("Policy", { exact: true }).selectOption({ label: "Hybrid working" });
    await leader
      .getByLabel("New version's full text (markdown)")
      .fill("Staff work from the office three days a week and remotely two days a week.");
    await leader.getByLabel("What changes").fill("Two remote days a week");
    await leader.getByLabel("Takes effect on").fill(takesEffect);
    await leader.getByLabel("Commitment 1").fill("Update the hybrid work guide");
    await leader.getByRole("button", { name: "Save draft and preview" }).click();
    await leader.getByText("Draft saved. This is its preview").waitFor();
    await leader.getByText("Draft — only leadership and admins see it").waitFor();
    await expectNoAxeViolations(leader);
    // The preview shows the policy change as it will be.
    expect(await leader.locator(".diff ins").first().innerText()).toContain("three");
    await leader.getByRole("button", { name: "Publish now" }).click();
    await leader.getByText("Published. Signers of the petitions it answers are being emailed.").waitFor();

    const staff = await as("staff");
    await staff.goto(`${demo.app.baseUrl}${HYBRID}`);
    await staff.getByRole("link", { name: "Responded — Accepted" }).waitFor();
    const timeline = staff.locator("section", { has: staff.getByRole("heading", { name: "Timeline" }) });
    expect(await timeline.innerText()).toMatch(/Opened for signatures[\s\S]*Leadership responded: Accepted/);
    expect(await timeline.innerText()).toContain(
      `Hybrid working: version 2 published, effective ${utcDay(takesEffect)}`,
    );
    await expectNoAxeViolations(staff);
    await timeline.getByRole("link", { name: /Leadership responded/ }).click();
    await staff.getByRole("heading", { name: "Two remote days stay" }).waitFor();
    expect(await staff.getByText("Accepted", { exact: true }).count()).toBeGreaterThan(0);
    await expectNoAxeViolations(staff);
    await staff.getByRole("link", { name: "Hybrid working" }).first().click();
    await staff.getByText(/Version 2 takes effect/).waitFor();
    await expectNoAxeViolations(staff);
    await staff.getByRole("link", { name: "See what changes" }).click();
    await staff.getByRole("heading", { name: "Hybrid working: version 1 → version 2" }).waitFor();
    expect((await staff.locator(".diff del").allInnerTexts()).join(" ")).toContain("five");
    expect((await staff.locator(".diff ins").allInnerTexts()).join(" ")).toContain("remotely two days");
    await expectNoAxeViolations(staff);

    // The seeded story is there too: the MCI memo on the list and leadership's empty queue.
    await staff.goto(`${demo.app.baseUrl}/announcements`);
    await staff.getByRole("link", { name: "Our answer on keystroke and click logging" }).waitFor();
    await expectNoAxeViolations(staff);
    await leader.goto(`${demo.app.baseUrl}/leadership`);
    await leader.getByRole("heading", { name: "Awaiting your response" }).waitFor();
    await expectNoAxeViolations(leader);
  });

  it("lets leadership update a commitment with plain forms (no JavaScript), the change dated on the memo", async () => {
    const leader = await as("leadership", false);
    await leader.goto(`${demo.app.baseUrl}/announcements/two-remote-days-stay`);
    await leader.getByLabel("Status").first().selectOption("done");
    await leader.getByLabel("Note (optional)").first().fill("Guide published on the intranet");
    await leader.getByRole("button", { name: "Update" }).first().click();
    await leader.getByText("Commitment updated.").waitFor();
    const commitments = leader.locator("section", {
      has: leader.getByRole("heading", { name: "Commitments" }),
    });
    expect(await commitments.innerText()).toMatch(/Planned[\s\S]*Done — Guide published on the intranet/);
    // And staff cannot: the form is not there, and a forged post is refused.
    const staff = await as("staff", false);
    await staff.goto(`${demo.app.baseUrl}/announcements/two-remote-days-stay`);
    expect(await staff.getByRole("button", { name: "Update" }).count()).toBe(0);
  });

  it("publishes an Atom feed that parses as XML with the expected entries", async () => {
    const response = await fetch(`${demo.app.baseUrl}/announcements.atom`);
    expect(response.headers.get("content-type")).toContain("application/atom+xml");
    const xml = await response.text();
    const page = await (await demo.browser.newContext()).newPage();
    const parsed = (await page.evaluate((source) => {
      const doc = new DOMParser().parseFromString(source, "application/xml");
      return {
        error: doc.getElementsByTagName("parsererror").length > 0,
        root: doc.documentElement.namespaceURI,
        titles: [...doc.getElementsByTagName("entry")].map(
          (e) => e.getElementsByTagName("title")[0]?.textContent,
        ),
        links: [...doc.getElementsByTagName("entry")].map((e) =>
          e.getElementsByTagName("link")[0]?.getAttribute("href"),
        ),
      };
    }, xml)) as { error: boolean; root: string; titles: string[]; links: string[] };
    expect(parsed.error).toBe(false);
    expect(parsed.root).toBe("http://www.w3.org/2005/Atom");
    expect(parsed.titles).toEqual(["Two remote days stay", "Our answer on keystroke and click logging"]);
    expect(parsed.links[0]).toBe(`${demo.app.baseUrl}/announcements/two-remote-days-stay`);
  });

  it("serves the announcements API and fills the petition API's milestone responses", async () => {
    const list = (await (await fetch(`${demo.app.baseUrl}/api/announcements`)).json()) as {
      announcements: Array<{ slug: string; responses: Array<{ stance: string }> }>;
    };
    expect(list.announcements.map((a) => a.slug)).toEqual([
      "two-remote-days-stay",
      "our-answer-on-keystroke-and-click-logging",
    ]);
    const petition = (await (
      await fetch(`${demo.app.baseUrl}/api/petitions/let-staff-opt-out-of-keystroke-and-click-logging-for-ai`)
    ).json()) as {
      milestones: Array<{ threshold: number; responses: Array<{ stance: string; url: string }> }>;
    };
    const answered = petition.milestones.find((m) => m.threshold === 1500);
    expect(answered?.responses).toEqual([
      expect.objectContaining({
        stance: "partially_accepted",
        url: `${demo.app.baseUrl}/announcements/our-answer-on-keystroke-and-click-logging`,
      }),
    ]);
  });
});
