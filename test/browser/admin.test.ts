import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AppServer, startAppServer } from "../support/app-server";
import { expectNoAxeViolations, launchBrowser } from "../support/browser";
import { signInViaDevMailbox } from "../support/sign-in-flow";

let app: AppServer;
let browser: Browser;

beforeAll(async () => {
  // No SMTP: the embedded default, where the dev mailbox holds every email.
  app = await startAppServer({ ADMIN_EMAILS: "chief@corp.example" });
  await app.cli(
    "import-staff",
    app.writeFile(
      "seed.csv",
      "email,name,department,location\nstaffer@corp.example,Stef Staffer,Sales,Toronto\n",
    ),
  );
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe("administration", () => {
  it("gives a staff member a 403 on admin pages", async () => {
    const page = await browser.newPage();
    await signInViaDevMailbox(page, app, "staffer@corp.example");
    expect(await page.getByRole("link", { name: "Admin" }).count()).toBe(0);
    for (const path of ["/admin", "/admin/people", "/admin/directory", "/admin/audit", "/admin/outbox"]) {
      const response = await page.goto(`${app.baseUrl}${path}`);
      expect(response?.status(), path).toBe(403);
      await page.getByRole("heading", { name: "You do not have access to this page" }).waitFor();
    }
    await expectNoAxeViolations(page);
    await page.close();
  });

  it("lets the bootstrap admin import the directory, grant a role and read the audit log and outbox", async () => {
    const page = await browser.newPage();
    await signInViaDevMailbox(page, app, "chief@corp.example", true);
    // No name in the directory: the first sign-in asks for one.
    await page.getByRole("heading", { name: "Welcome to Undersigned" }).waitFor();
    await expectNoAxeViolations(page);
    await page.getByLabel("Display name").fill("Chris Chief");
    await page.getByRole("button", { name: "Save and continue" }).click();
    await page.getByText("Welcome, Chris Chief.").waitFor();

    await page.getByRole("link", { name: "Admin" }).click();
    await page.getByRole("heading", { name: "Administration" }).waitFor();
    await expectNoAxeViolations(page);

    await page.getByRole("link", { name: "Import directory" }).click();
    await page.getByRole("heading", { name: "Import the staff directory" }).waitFor();
    await expectNoAxeViolations(page);
    await page.getByLabel("CSV file").setInputFiles({
      name: "staff.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(
        "email,name,department,location,active\n" +
          "mo@corp.example,Mo Moderator,Legal,Berlin,true\n" +
          "broken-address,Nobody,Sales,Berlin,true\n" +
          "staffer@corp.example,Stef Staffer,Sales,Remote,true\n",
      ),
    });
    await page.getByRole("button", { name: "Preview the import" }).click();
    const preview = page.getByRole("region", { name: "Check before importing" });
    await preview.waitFor();
    expect(await preview.innerText()).toMatch(
      /To add: 1[\s\S]*To update: 1[\s\S]*Rows that will be refused: 1/,
    );
    await expectNoAxeViolations(page);
    await page.getByRole("button", { name: "Import these changes" }).click();
    const report = page.getByRole("status").filter({ hasText: "Import finished" });
    await report.waitFor();
    const text = await report.innerText();
    expect(text).toContain("Added: 1");
    expect(text).toContain("Updated: 1");
    expect(text).toContain("Rejected: 1");
    expect(text).toContain("Line 3:");
    await expectNoAxeViolations(page);

    // A malformed file changes nothing and says why, next to the field.
    await page.getByLabel("CSV file").setInputFiles({
      name: "bad.csv",
      mimeType: "text/csv",
      buffer: Buffer.from("mail,who\nx,y\n"),
    });
    await page.getByRole("button", { name: "Preview the import" }).click();
    await page.getByText(/missing: email, name, department, location\. Nothing was changed\./).waitFor();

    await page.getByRole("link", { name: "People and roles" }).click();
    await page.getByLabel("Search by name, email or department").fill("mo@corp");
    await page.getByRole("button", { name: "Search" }).click();
    await page.getByRole("link", { name: "Mo Moderator" }).click();
    await page.getByRole("heading", { name: "Mo Moderator" }).waitFor();
    await expectNoAxeViolations(page);
    await page.getByRole("button", { name: "Grant moderator" }).click();
    await page.getByText("Granted moderator.").waitFor();
    await page.getByRole("button", { name: "Revoke moderator" }).waitFor();

    await page.getByRole("link", { name: "Audit log" }).click();
    await page.getByRole("heading", { name: "Audit log" }).waitFor();
    const audit = await page.locator("ol.audit-log").innerText();
    expect(audit).toContain("Chris Chief granted a role to Mo Moderator");
    expect(audit).toContain("Chris Chief imported the staff directory");
    expect(audit).toContain("chief@corp.example");
    await page.getByLabel("What happened").selectOption({ label: "Role granted" });
    await page.getByRole("button", { name: "Filter" }).click();
    await page.waitForURL(/action=role.grant/);
    // The URL changes before the filtered entries render: wait for the list itself.
    await page.waitForFunction(() =>
      [...document.querySelectorAll("ol.audit-log > li")].every((li) =>
        li.textContent?.includes("granted a role to"),
      ),
    );
    expect(await page.locator("ol.audit-log > li").count()).toBe(2); // the bootstrap grant and the moderator grant // the bootstrap grant and the moderator grant
    await expectNoAxeViolations(page);

    await page.getByRole("link", { name: "Outbox" }).click();
    await page.getByRole("heading", { name: "Outbox" }).waitFor();
    expect(await page.locator("table").innerText()).toContain("chief@corp.example");
    await expectNoAxeViolations(page);

    // The CLI sees the same directory and roles.
    expect(await app.cli("grant-role", "MO@corp.example", "leadership")).toContain(
      "Granted leadership to mo@corp.example",
    );
    await page.goto(`${app.baseUrl}/admin/people?role=leadership`);
    await page.getByRole("link", { name: "Mo Moderator" }).waitFor();
    await page.close();
  });

  it("shows a role holder's new address asked by the staff directory, held until an admin confirms it", async () => {
    const token = /\b(scim_\S+)/.exec(await app.cli("create-scim-token", "okta"))?.[1];
    const scim = (path: string, init: RequestInit = {}) =>
      fetch(`${app.baseUrl}/scim/v2${path}`, {
        ...init,
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/scim+json" },
      }).then(async (response) => ({ status: response.status, json: await response.json() }));
    const found = await scim(`/Users?filter=${encodeURIComponent('userName eq "mo@corp.example"')}`);
    const id = found.json.Resources[0].id as string;
    const moved = await scim(`/Users/${id}`, {
      method: "PATCH",
      body: JSON.stringify({
        schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        Operations: [{ op: "Replace", path: 'emails[type eq "work"].value', value: "mo.moved@corp.example" }],
      }),
    });
    expect(moved).toMatchObject({ status: 200, json: { emails: [{ value: "mo@corp.example" }] } });

    const page = await browser.newPage();
    await signInViaDevMailbox(page, app, "chief@corp.example");
    await page.goto(`${app.baseUrl}/admin/people/${id}`);
    const held = page.getByRole("region", { name: /Waiting for an admin/ });
    await held.waitFor();
    expect(await held.innerText()).toContain("mo@corp.example → mo.moved@corp.example");
    await expectNoAxeViolations(page);
    await page.getByRole("button", { name: "Confirm the change" }).click();
    await page.getByText("Confirmed: the directory's change is made.").waitFor();
    expect(await held.count()).toBe(0);
    expect(await page.locator("dl.card").innerText()).toContain("mo.moved@corp.example");
    await page.close();
  });
});
