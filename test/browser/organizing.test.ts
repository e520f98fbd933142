import { describe, expect, it } from "vitest";
import { DAY_MS } from "../../app/platform/time";
import { setUpAnonymousSigning } from "../support/anonymous-device";
import { advanceServerClock } from "../support/app-server";
import { expectNoAxeViolations } from "../support/browser";
import { demoApp } from "../support/demo-app";

const demo = demoApp();
const { as } = demo;
const MCI = "/petitions/let-staff-opt-out-of-keystroke-and-click-logging-for-ai";
const POLICY = "/policies/model-capability-initiative-data-collection";

describe("the organizer dashboard", () => {
  it("says how many colleagues an update will email, and previews it without JavaScript, keeping what was typed", async () => {
    const plain = await as("organizer", false);
    await plain.goto(`${demo.app.baseUrl}${MCI}/dashboard`);
    expect(
      await plain.getByText(/It will be emailed to the [\d,]+ colleagues who signed publicly/).count(),
    ).toBe(1);
    const draft = "Leadership will meet the staff council on **Tuesday**. We will report back here.";
    await plain.getByLabel("New update (markdown)").fill(draft);
    await plain.getByRole("button", { name: "Preview" }).click();
    const preview = plain.getByRole("region", { name: "Preview: the update as signers will read it" });
    await preview.locator("strong", { hasText: "Tuesday" }).waitFor();
    expect(await plain.getByLabel("New update (markdown)").inputValue()).toBe(draft);
    await plain.close();
  });

  it("shows the organizer the numbers, chart and suppressed breakdowns, and posts an update signers see", async () => {
    const organizer = await as("organizer");
    await organizer.goto(`${demo.app.baseUrl}${MCI}`);
    await organizer.getByRole("link", { name: "Organizer dashboard" }).click();
    await organizer.getByRole("heading", { name: "Dashboard", level: 1 }).waitFor();
    const totals = organizer.locator(".stats");
    expect(await totals.innerText()).toMatch(/Total\s+1,\d{3}/);
    // Two accessible SVG charts with their descriptions, and the numbers as a table.
    expect(await organizer.getByRole("img", { name: /Total signatures over time/ }).count()).toBe(1);
    expect(await organizer.getByRole("img", { name: /Signatures per day/ }).count()).toBe(1);
    await organizer.getByText("The numbers as a table").click();
    expect(await organizer.locator("details table tbody tr").count()).toBeGreaterThan(20);
    // Breakdowns (bars, test/browser/staff-journeys.test.ts): every shown number is at least 5.
    for (const title of ["By department", "By location"]) {
      const region = organizer.getByRole("region", { name: title });
      for (const figure of await region.locator(".share-bar-figure").allInnerTexts())
        expect(Number(figure.split(" ")[0]?.replace(/,/g, ""))).toBeGreaterThanOrEqual(5);
    }
    expect(await organizer.locator("body").innerText()).not.toMatch(/@undersigned\.test/);
    // Emails by kind, in words: no raw kind such as "signer.update" reaches an organizer.
    const emails = organizer.getByRole("region", { name: "Emails about this petition" });
    expect(await emails.innerText()).toContain("Organizers' updates, to signers");
    expect(await emails.innerText()).not.toMatch(/\b(signer|petition|milestone|organizer)\.[a-z_-]+/);
    await expectNoAxeViolations(organizer);

    // The hourly view of the first three days.
    await organizer.getByRole("link", { name: "Show the first three days by hour" }).click();
    await organizer.getByRole("img", { name: /Signatures per hour/ }).waitFor();
    await expectNoAxeViolations(organizer);

    const draft = "Leadership will meet the staff council on **Tuesday**. We will report back here.";
    await organizer.getByLabel("New update (markdown)").fill(draft);
    await organizer.getByRole("button", { name: "Preview" }).click();
    await organizer
      .getByRole("region", { name: "Preview: the update as signers will read it" })
      .locator("strong", { hasText: "Tuesday" })
      .waitFor();
    await expectNoAxeViolations(organizer);
    await organizer.getByRole("button", { name: "Post update" }).click();
    await organizer.getByText("Update posted.").waitFor();
    // A second one the same day is refused with the reason, and nothing is posted.
    await organizer
      .getByLabel("New update (markdown)")
      .fill("Another update on the same day, which should wait.");
    await organizer.getByRole("button", { name: "Post update" }).click();
    await organizer.getByText(/One update a day: signers' inboxes matter/).waitFor();

    const staff = await as("staff");
    await staff.goto(`${demo.app.baseUrl}${MCI}`);
    const updates = staff.locator("#updates");
    await updates.getByText("Leadership will meet the staff council on").waitFor();
    expect(await updates.locator("strong", { hasText: "Tuesday" }).count()).toBe(1);
    expect(await staff.getByRole("link", { name: "Organizer dashboard" }).count()).toBe(0);
    await expectNoAxeViolations(staff);
    // Staff cannot open the dashboard.
    const refused = await staff.goto(`${demo.app.baseUrl}${MCI}/dashboard`);
    expect(refused?.status()).toBe(403);
  });

  it("makes a colleague a co-organizer only when they accept the emailed invitation, without JavaScript", async () => {
    const organizer = await as("organizer");
    await organizer.goto(`${demo.app.baseUrl}${MCI}/dashboard`);
    await organizer.getByLabel("Invite a co-organizer (their work email)").fill("staff@undersigned.test");
    await organizer.getByRole("button", { name: "Send the invitation" }).click();
    await organizer.getByText("Invitation sent").waitFor();
    await organizer.getByText("invited, not yet answered").waitFor();
    await expectNoAxeViolations(organizer);
    // Before answering, the invitee is no organizer.
    const looking = await as("staff");
    expect((await looking.goto(`${demo.app.baseUrl}${MCI}/dashboard`))?.status()).toBe(403);
    await looking.goto(`${demo.app.baseUrl}${MCI}`);
    await looking.getByRole("link", { name: "Answer the invitation" }).click();
    await looking.getByRole("heading", { name: /Co-organize/ }).waitFor();
    await expectNoAxeViolations(looking);
    // The emailed link opens the page; its button posts (here without JavaScript).
    const invitee = await as("staff", false);
    await invitee.goto(`${demo.app.baseUrl}${MCI}/invitation`);
    await invitee.getByRole("button", { name: "Accept and co-organize" }).click();
    await invitee.getByText("You now co-organize this petition.").waitFor();
    await invitee.getByRole("heading", { name: "Dashboard", level: 1 }).waitFor();
    // A co-organizer posts updates; the creator alone invites and declares victory.
    expect(await invitee.getByRole("button", { name: "Send the invitation" }).count()).toBe(0);
    expect(await invitee.getByRole("button", { name: "Declare victory" }).count()).toBe(0);
  });

  it("shows a won petition as won, on its page and in the Won list", async () => {
    const staff = await as("staff");
    await staff.goto(`${demo.app.baseUrl}/petitions?list=won`);
    await staff.getByRole("link", { name: "Bring back bicycle parking at the Berlin office" }).click();
    await staff.getByRole("heading", { name: "Won", level: 2 }).waitFor();
    await staff.getByText("covered bicycle parking", { exact: false }).first().waitFor();
    await expectNoAxeViolations(staff);
  });
});

describe("private policy feedback", () => {
  it("is sent anonymously by staff, answered by the owner without learning who, and read in My feedback", {
    timeout: 180_000,
  }, async () => {
    // Demo accounts hold no wallet: Sam takes the step on this device first (set up, recovery code
    // shown), and its background run gets this week's permission for every policy.
    const staff = await as("staff");
    await setUpAnonymousSigning(staff, demo.app.baseUrl);
    await staff.goto(`${demo.app.baseUrl}${POLICY}`);
    await staff
      .getByLabel("Your feedback")
      .fill("Please let us pause the logging during one-to-ones with our managers.");
    await staff.getByLabel(/Your rating of version 2/).selectOption("2");
    await staff.getByLabel(/Send anonymously/).check();
    await staff.getByRole("button", { name: "Send feedback" }).click();
    await staff.getByText("Sent anonymously: it is stored with no author").waitFor();
    await expectNoAxeViolations(staff);

    const owner = await as("leadership");
    await owner.goto(`${demo.app.baseUrl}${POLICY}`);
    await owner.getByRole("link", { name: "feedback inbox" }).click();
    await owner.getByRole("heading", { name: "Feedback inbox" }).waitFor();
    const item = owner.locator("li.card", { hasText: "one-to-ones with our managers" });
    // Stored with its batch (the day's leftovers, after midnight: the server's clock moved past it),
    // dated by the day it was sent.
    advanceServerClock(demo.app, DAY_MS);
    for (let i = 0; i < 90 && (await item.count()) === 0; i++) {
      await owner.waitForTimeout(1_000);
      await owner.reload();
    }
    await expectNoAxeViolations(owner);
    const text = await item.innerText();
    expect(text).toContain("Anonymous colleague");
    expect(text).not.toMatch(/Sam Staff|staff@undersigned/);
    expect(text).not.toMatch(/\d{2}:\d{2}/);
    await item
      .getByLabel("Reply privately")
      .fill("Agreed: from next month the pause covers a full one-to-one (60 minutes).");
    await item.getByRole("button", { name: "Send reply" }).click();
    await owner.getByText("Reply sent.").waitFor();
    await owner.getByLabel("Status").first().selectOption("acted");

    // Every request Sam's browser makes from here on, URL and body as it sends them.
    const sent: Array<{ url: string; body: string }> = [];
    staff.on("request", (request) => sent.push({ url: request.url(), body: request.postData() ?? "" }));
    await staff.goto(`${demo.app.baseUrl}/my/feedback`);
    const mine = staff.locator("li.card", { hasText: "one-to-ones with our managers" });
    // The reply shows at once: found on this device in the digest of replies every view of My
    // feedback downloads alike, without a cookie. No request names Sam's feedback.
    await mine.getByText("the pause covers a full one-to-one").waitFor();
    expect(await mine.innerText()).toContain("sent anonymously");
    const receiptCode = (await mine.locator(".receipt-code").textContent()) ?? "";
    expect(receiptCode).toMatch(/^[\w-]{43}$/);
    await staff.waitForLoadState("networkidle");
    const digest = sent.filter((request) => request.url.endsWith("/api/feedback/replies/recent"));
    expect(digest).toHaveLength(1);
    for (const request of sent) {
      expect(request.url).not.toContain(receiptCode);
      expect(request.body).not.toContain(receiptCode);
    }
    await expectNoAxeViolations(staff);
  });

  it("works without JavaScript", async () => {
    const page = await as("staff", false);
    await page.goto(`${demo.app.baseUrl}${POLICY}`);
    // Refused first (empty), with the error beside the field, then sent.
    await page.getByRole("button", { name: "Send feedback" }).click();
    await page.getByText("Write your feedback.").waitFor();
    await page.getByLabel("Your feedback").fill("Sent from a browser with JavaScript turned off.");
    await page.getByRole("button", { name: "Send feedback" }).click();
    await page.getByText("Your feedback went to the policy's owners;").waitFor();
  });
});
