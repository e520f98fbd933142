import { describe, expect, it } from "vitest";
import { ACTION_ROUTES, isRefusal, sendAction } from "../support/action-routes";
import { SCENARIOS } from "../support/action-scenarios";
import { sessionCookie } from "../support/fixtures";
import { settle } from "../support/server-database";
import { systemApp } from "../support/system-world";

/**
 * Bad input against every route with an action, over HTTP on the built server: no request may get a
 * 5xx, and a refused one must change nothing in the database.
 */

const system = systemApp();

/** Routes whose action never reads a body: sign-out (the cookie) and one-click unsubscribe (the link). */
const BODYLESS = new Set(["sign-out.tsx", "unsubscribe.$token.tsx"]);

type Target = { path: string; cookie?: string };
const targets = new Map<string, Target>();

/** The routes whose action reads a form. */
const FORM_ROUTES = ACTION_ROUTES.map((r) => r.file).filter((file) => !BODYLESS.has(file));

/**
 * A request to `route` as a role allowed to use it (so it gets past the permission checks to the
 * form), made once and kept while requests are refused (they change nothing); forgotten when
 * one is accepted, which may have used it up (a newcomer who has now chosen a name).
 */
async function formTarget(route: string): Promise<Target> {
  let target = targets.get(route);
  if (!target) {
    const scenario = SCENARIOS.find((s) => s.route === route);
    if (!scenario) throw new Error(`no scenario for ${route}`);
    const request = scenario.prepare(system.world, scenario.allowed);
    const cookie = request.person ? await sessionCookie(request.person.id) : undefined;
    target = { path: request.path, cookie };
    targets.set(route, target);
    settle();
    system.watch.baseline();
  }
  return target;
}

/** Sends `body` to every route that reads a form and expects one of `statuses`, nothing changed. */
async function everyFormRouteAnswers(
  body: string | Blob,
  contentType: string | undefined,
  statuses: number[],
  // The directory import reads its upload itself: anything but multipart is "could not be read".
  directoryStatuses = [400],
): Promise<string[]> {
  const { app, watch } = system;
  const problems: string[] = [];
  for (const route of FORM_ROUTES) {
    const { path, cookie } = await formTarget(route);
    watch.baseline();
    const outcome = await sendAction(app.baseUrl, { path, body, contentType, cookie, timeoutMs: 10_000 });
    const changed = watch.changes();
    const expected = route === "admin.directory.tsx" ? directoryStatuses : statuses;
    if (!expected.includes(outcome.status) || changed.length)
      problems.push(`${route}: ${outcome.status}${changed.length ? `, changed ${changed.join(", ")}` : ""}`);
    if (!isRefusal(outcome)) targets.delete(route);
  }
  return problems;
}

describe("bad input that used to break the server", () => {
  it("answers a body that is not a form with 415, and a form it cannot parse with 400, on every route (were 500s)", async () => {
    const form = "intent=sign&visibility=public";
    expect(
      await everyFormRouteAnswers(JSON.stringify({ intent: "sign" }), "application/json", [415]),
    ).toEqual([]);
    expect(await everyFormRouteAnswers(form, "text/plain", [415])).toEqual([]);
    expect(await everyFormRouteAnswers(new Blob([form]), undefined, [415])).toEqual([]);
    expect(await everyFormRouteAnswers(form, "multipart/form-data", [400])).toEqual([]);
    expect(await everyFormRouteAnswers(form, "multipart/form-data; boundary=nowhere", [400])).toEqual([]);
  });

  it("keeps a connection usable after refusing a request whose body it never read (was reset)", async () => {
    // requirePermission refuses before the action reads the form: the unread megabyte used to stay
    // on the keep-alive connection and the next request on it was reset.
    const { app, world } = system;
    const cookie = await sessionCookie(world.people.staff.id);
    const body = `file=${"x".repeat(1_000_000)}`;
    for (let i = 0; i < 8; i++) {
      const outcome = await sendAction(app.baseUrl, {
        path: "/admin/directory",
        body,
        contentType: "application/x-www-form-urlencoded",
        cookie,
      });
      expect(outcome.status).toBe(403);
    }
  });

  it("sends people back to a page whose address has non-ASCII characters (was a 500 after sign-in)", async () => {
    const { app, world } = system;
    const email = world.make.person().email;
    const asked = await sendAction(app.baseUrl, {
      path: "/sign-in",
      body: { email, redirectTo: "/petitions?q=café 😀" },
    });
    expect(asked.status).toBe(200);
    const token = world.make.lastSignInToken(email);
    const signedIn = await sendAction(app.baseUrl, { path: "/sign-in/verify", body: { token } });
    expect(signedIn.status).toBe(302);
    expect(signedIn.location).toBe("/petitions?q=caf%C3%A9%20%F0%9F%98%80");
    const cookie = await sessionCookie(world.people.staff.id);
    const page = await fetch(`${app.baseUrl}/sign-in?redirectTo=${encodeURIComponent("/petitions/é")}`, {
      headers: { Cookie: cookie },
      redirect: "manual",
    });
    expect(page.status).toBe(302);
    expect(page.headers.get("Location")).toBe("/petitions/%C3%A9");
  });

  it("answers a field at index 4294967294, or 20,000 levels deep, with a 400 at once on every route (hung the server; a 500)", async () => {
    const form = "intent=sign&visibility=public";
    const type = "application/x-www-form-urlencoded";
    expect(await everyFormRouteAnswers(`${form}&x%5B4294967294%5D=1`, type, [400])).toEqual([]);
    expect(await everyFormRouteAnswers(`${form}&${"a.".repeat(20_000)}a=1`, type, [400])).toEqual([]);
    expect(await everyFormRouteAnswers(`${form}&a${"%5B0%5D".repeat(20_000)}=1`, type, [400])).toEqual([]);
    // The directory import parses its multipart upload itself.
    const upload = new FormData();
    upload.set("file", new Blob(["email,name,department,location\n"]), "staff.csv");
    upload.set("x[4294967294]", "1");
    const outcome = await sendAction(system.app.baseUrl, {
      path: "/admin/directory",
      body: upload,
      cookie: await sessionCookie(system.world.people.admin.id),
      timeoutMs: 10_000,
    });
    expect(outcome.status).toBe(400);
  });

  it("refuses a form larger than any page sends with 413, without reading it into memory", async () => {
    const body = `body=${"x".repeat(3 * 1024 * 1024)}`;
    expect(await everyFormRouteAnswers(body, "application/x-www-form-urlencoded", [413])).toEqual([]);
    // Declared by its length, or counted as it comes (a chunked body declares none).
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 3; i++)
          controller.enqueue(new TextEncoder().encode(`a${i}=${"x".repeat(1024 * 1024)}&`));
        controller.close();
      },
    });
    const { path, cookie } = await formTarget("petitions.new.tsx");
    const response = await fetch(new URL(path, system.app.baseUrl), {
      method: "POST",
      headers: {
        Origin: system.app.baseUrl,
        Cookie: cookie ?? "",
        "Content-Type": "application/x-www-form-urlencoded",
      },
      body: chunked,
      duplex: "half",
      redirect: "manual",
    } as RequestInit);
    expect(response.status).toBe(413);
  });
});
