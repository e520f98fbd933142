import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AppServer, startAppServer } from "../support/app-server";

/**
 * What strangers can make the server write to its log. Each bogus `?_data=` request logged an
 * 11-line stack trace quoting the request, newlines and terminal escapes included: anyone could add
 * lines of their own to the log, or bury it.
 */
let app: AppServer;
beforeAll(async () => {
  app = await startAppServer();
});
afterAll(async () => {
  await app?.stop();
});

describe("the server log", () => {
  it("answers a ?_data= naming no route of the page, or a post to a page without a form, with a 4xx and logs nothing", async () => {
    const forged = "routes/bogus\n2026-12-06T10:00:00Z admin@corp.example signed in\u001b[31m";
    const attempts: Array<[string, RequestInit, number]> = [
      [`/?_data=${encodeURIComponent(forged)}`, {}, 403],
      ["/petitions?_data=routes%2Fadmin", {}, 403],
      [`/?_data=${"x".repeat(5_000)}`, {}, 403],
      ["/", { method: "POST", body: new URLSearchParams({ a: "1" }) }, 405],
      ["/?_data=routes%2F_index", { method: "POST", body: new URLSearchParams({ a: "1" }) }, 405],
    ];
    const before = app.output().length;
    const statuses: number[] = [];
    for (const [path, init] of attempts) {
      const response = await fetch(`${app.baseUrl}${path}`, {
        ...init,
        headers: { Origin: app.baseUrl },
        redirect: "manual",
      });
      await response.arrayBuffer();
      statuses.push(response.status);
    }
    expect(statuses).toEqual(attempts.map(([, , status]) => status));
    // The worker writes its log through a pipe: give a line already written time to arrive.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(app.output().slice(before)).toBe("");
  });
});
