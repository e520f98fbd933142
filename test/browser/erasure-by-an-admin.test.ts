import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AppServer, startAppServer } from "../support/app-server";
import { expectNoAxeViolations, launchBrowser } from "../support/browser";
import { signInViaDevMailbox } from "../support/sign-in-flow";

let app: AppServer;
let browser: Browser;

beforeAll(async () => {
  app = await startAppServer({ ADMIN_EMAILS: "chief@corp.example" });
  await app.cli(
    "import-staff",
    app.writeFile(
      "seed.csv",
      "email,name,department,location\n" +
        "chief@corp.example,Chris Chief,Operations,Berlin\n" +
        "leaving@corp.example,Lee Leaving,Sales,Toronto\n",
    ),
  );
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

describe("erasure", () => {
  it("a colleague reads and downloads their data and asks to be erased; an admin carries it out", async () => {
    const colleague = await browser.newContext({ acceptDownloads: true });
    const page = await colleague.newPage();
    await signInViaDevMailbox(page, app, "leaving@corp.example");
    await page.goto(`${app.baseUrl}/settings`);
    await page.getByRole("link", { name: "Your data" }).click();
    await page.getByRole("heading", { name: "Your data", level: 1 }).waitFor();
    await page.getByRole("heading", { name: "What is not here" }).waitFor();
    await page.getByText("Lee Leaving").first().waitFor();
    await expectNoAxeViolations(page);

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download all of it (JSON)" }).click(),
    ]);
    expect(download.suggestedFilename()).toBe("my-data.json");
    const file = JSON.parse(
      await (await download.createReadStream()).toArray().then((c) => Buffer.concat(c).toString()),
    );
    expect(file.profile).toMatchObject({ email: "leaving@corp.example", name: "Lee Leaving" });

    await page.getByRole("button", { name: "Ask to be erased" }).click();
    await page.getByText("Your request was sent to the admins.").waitFor();
    await page.getByText(/You asked to be erased on/).waitFor();
    await expectNoAxeViolations(page);

    const adminPage = await (await browser.newContext()).newPage();
    await signInViaDevMailbox(adminPage, app, "chief@corp.example");
    await adminPage.getByRole("link", { name: "Admin" }).click();
    await adminPage.getByRole("link", { name: "Erasure requests" }).click();
    await adminPage.getByRole("heading", { name: "Erasure requests" }).waitFor();
    await expectNoAxeViolations(adminPage);
    // Not ticked: the browser asks for the confirmation, and nothing is sent.
    await adminPage.getByRole("button", { name: "Erase Lee Leaving" }).click();
    await adminPage.getByRole("button", { name: "Erase Lee Leaving" }).waitFor();
    await adminPage.getByLabel("I have checked this request and want to erase Lee Leaving").check();
    await adminPage.getByRole("button", { name: "Erase Lee Leaving" }).click();
    await adminPage.getByText("Lee Leaving was erased: 0 signatures withdrawn, 0 kept.").waitFor();
    await adminPage.getByText("No requests waiting.").waitFor();
    await expectNoAxeViolations(adminPage);

    // The audit log shows both steps.
    await adminPage.goto(`${app.baseUrl}/admin/audit`);
    await adminPage.getByText("Chris Chief erased").first().waitFor();
    await adminPage.getByText("asked to be erased.").first().waitFor();

    // The colleague's sessions ended with it.
    const response = await page.goto(`${app.baseUrl}/my/data`);
    expect(new URL(response?.url() ?? "").pathname).toBe("/sign-in");
  });
});
