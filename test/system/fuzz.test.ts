import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { grantRole } from "../../app/domain/identity/permissions.server";
import { setPersonActive } from "../../app/domain/people/directory.server";
import { CLI_ACTOR } from "../../app/platform/security/audit.server";
import { getMilestoneDefaults, getSettings, updateSettings } from "../../app/platform/site/settings.server";
import { getDb } from "../../db/client";
import { people } from "../../db/schema";
import {
  ACTION_ROUTES,
  type ActionOutcome,
  actionParams,
  actionPath,
  isRefusal,
  missingFromInventory,
  sendAction,
} from "../support/action-routes";
import { SCENARIOS } from "../support/action-scenarios";
import {
  BAD_NAMES,
  badValue,
  brokenBodies,
  type Fields,
  MARKDOWN_BOMBS,
  multipart,
  mutate,
  type Random,
  type RawBody,
  randomSource,
  urlEncoded,
} from "../support/bad-input";
import { sessionCookie } from "../support/fixtures";
import { settle } from "../support/server-database";
import { atScale, STRESS } from "../support/stress";
import { ROLES, type Role, systemApp, systemScimToken, type World } from "../support/system-world";

/**
 * Bad input against every route with an action, over HTTP on the built server: broken and lying
 * encodings, then random mutations of real bodies (wrong types, huge and empty values, Unicode edge
 * cases, missing, extra and duplicated fields, wrong intents), as every role, on real and made-up ids.
 * No request may get a 5xx, and a refused one (4xx, a redirect to sign-in or with an error message,
 * a fetcher's error reply) must change nothing in the database. Short under `npm test`; STRESS=1
 * sends thousands. FUZZ_SEED=<n> replays a run (the seed is in the test's name).
 */

const SEED = Number(process.env.FUZZ_SEED ?? (STRESS ? Math.floor(Math.random() * 2 ** 31) : 20261129));
const RANDOM_REQUESTS = atScale(300, 5_000);
// A body beyond every limit (forms are capped at 2 MB; refused on its declared length) and one with
// thousands of fields.
const SIZES = { hugeBytes: atScale(2_500_000, 5_000_000), manyFields: atScale(5_000, 20_000) };
const LONG_VALUE = atScale(20_000, 200_000);

const system = systemApp();

/** Routes whose action never reads a body: sign-out (the cookie) and one-click unsubscribe (the link). */
const BODYLESS = new Set(["sign-out.tsx", "unsubscribe.$token.tsx"]);

type Target = { path: string; cookie?: string };
const targets = new Map<string, Target>();

/** The routes whose action reads a form (SCIM is a JSON API: it has its own part below). */
const FORM_ROUTES = ACTION_ROUTES.filter((r) => !r.api)
  .map((r) => r.file)
  .filter((file) => !BODYLESS.has(file));
const SCIM_ROUTES = ACTION_ROUTES.filter((r) => r.api === "scim").map((r) => r.file);

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
    const request = await scenario.prepare(system.world, scenario.allowed);
    const cookie = request.person ? await sessionCookie(request.person.id) : undefined;
    target = { path: request.path, cookie };
    targets.set(route, target);
    await settle();
    system.watch.baseline();
  }
  return target;
}

/** Sends `body` to every route that reads a form and expects one of `statuses`, nothing changed. */
async function everyFormRouteAnswers(
  body: string | Blob,
  contentType: string | undefined,
  statuses: number[],
): Promise<string[]> {
  const { app, watch } = system;
  const problems: string[] = [];
  for (const route of FORM_ROUTES) {
    const { path, cookie } = await formTarget(route);
    watch.baseline();
    const outcome = await sendAction(app.baseUrl, { path, body, contentType, cookie, timeoutMs: 10_000 });
    const changed = watch.changes();
    if (!statuses.includes(outcome.status) || changed.length)
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

  it("refuses markdown that broke the renderer with a 400 on every form that renders it (a quote bomb was a 500 for every viewer)", async () => {
    const { app } = system;
    const problems: string[] = [];
    // Each text field rendered as markdown, as a role allowed to send it.
    const markdownForms: Array<[string, Record<string, string>]> = [
      [
        "petitions.new.tsx",
        { title: "A petition with a bomb inside", summary: "Its body breaks the markdown renderer." },
      ],
      ["discussions.$subjectType.$subjectId.tsx", { intent: "post" }],
      ["comments.$commentId.tsx", { intent: "reply" }],
      ["announcements.new.tsx", { title: "A memo with a bomb inside" }],
    ];
    for (const bomb of MARKDOWN_BOMBS) {
      for (const [route, fields] of markdownForms) {
        const { path, cookie } = await formTarget(route);
        system.watch.baseline();
        const outcome = await sendAction(app.baseUrl, {
          path,
          body: { ...fields, body: bomb },
          cookie,
          timeoutMs: 10_000,
        });
        const changed = system.watch.changes();
        // Refused (400), or (a nested list under the bounds) saved and rendered: never a 5xx.
        if (outcome.status >= 500 || (outcome.status === 400 && changed.length))
          problems.push(
            `${route} ${JSON.stringify(bomb.slice(0, 30))}: ${outcome.status} ${changed.join(", ")}`,
          );
        if (!isRefusal(outcome)) targets.delete(route);
      }
    }
    expect(problems).toEqual([]);
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

/**
 * A refused SAML answer uses up the request it answers (one request, one try: issue 22), so one
 * row fewer in saml_requests is what such a refusal should change.
 */
function usedUpSamlRequest(route: string, change: string): boolean {
  const rows = /^saml_requests \((\d+) → (\d+) rows\)$/.exec(change);
  return route === "auth.saml.acs.tsx" && rows !== null && Number(rows[2]) === Number(rows[1]) - 1;
}

type Base = { params: Array<Record<string, string>>; bodies: Fields[]; intents: string[] };

/**
 * Real targets and a valid body for each intent of each route, which the fuzzer then breaks: one
 * request per row of the authorization matrix (test/support/action-scenarios.ts, the one catalogue
 * of actions), prepared as a role allowed to send it. SCIM's JSON rows have their own part below.
 */
async function basesFor(world: World): Promise<Record<string, Base>> {
  const bases: Record<string, Base> = {};
  for (const scenario of SCENARIOS) {
    const { path, body } = await scenario.prepare(world, scenario.allowed);
    if (typeof body === "string") continue;
    bases[scenario.route] ??= { params: [], bodies: [], intents: [] };
    bases[scenario.route]?.params.push(actionParams(scenario.route, path));
    bases[scenario.route]?.bodies.push(body instanceof FormData ? [...body.entries()] : Object.entries(body));
    bases[scenario.route]?.intents.push(scenario.intent);
  }
  // The matrix discusses petitions; the fuzzer also posts to the other subjects of a discussion.
  bases["discussions.$subjectType.$subjectId.tsx"]?.params.push(
    { subjectType: "announcement", subjectId: String(world.announcements.published.id) },
    { subjectType: "policy", subjectId: String(world.policy.id) },
  );
  await settle();
  return bases;
}

/** Made-up parameters: ids that are not, paths that try to escape, encodings that are broken. */
const BAD_PARAMS = [
  "0",
  "-1",
  "99999999",
  "1e3",
  "abc",
  "..",
  "%",
  "😀",
  "x".repeat(3000),
  "1;DROP",
  "__proto__",
  " ",
];
const RAW_PARAMS = ["%", "%E0%A4%A", "%00", "..%2F..%2Fadmin", "%2e%2e", "%C0%AF"];

type Request = {
  description: string;
  /** Whose session it carries ("allowed": a role allowed to use the route, with `cookie`). */
  role: Role | "allowed";
  route: string;
  path: string;
  method: string;
  body: RawBody["body"] | undefined;
  contentType?: string;
  headers?: Record<string, string>;
  dataRequest: boolean;
  /** A cookie other than the role's own (forged, an allowed person's, a throwaway session for sign-out). */
  cookie?: string;
  origin?: string | null;
  /** The refusal it must get, when that does not depend on the route. */
  refusedWith?: number[];
};

function pathFor(random: Random, file: string, base: Base): string {
  const params = { ...random.pick(base.params) };
  const names = Object.keys(params);
  if (names.length && random.chance(0.15)) {
    const name = random.pick(names);
    if (random.chance(0.5)) params[name] = random.pick(BAD_PARAMS);
    else {
      // Unencoded on purpose: a path the browser would never send.
      params[name] = "RAW";
      return actionPath(file, params).replace("RAW", random.pick(RAW_PARAMS));
    }
  }
  const path = actionPath(file, params);
  // Index routes without ?index: the post goes to the parent route, which has no action.
  return random.chance(0.03) ? path.replace("?index", "") : path;
}

const FORGED_COOKIES = [
  "__session=garbage",
  "__session=eyJ0b2tlbiI6IngifQ%3D%3D.forgedsignature",
  `__session=${"A".repeat(6000)}`,
  // Raw UTF-8 bytes (header values are bytes; fetch takes them as Latin-1 characters).
  `__session=${Buffer.from("😀é").toString("latin1")}`,
  "__session=a; __session=b; __flash=c",
  "__flash=eyJmbGFzaCI6eyJraW5kIjoiZXJyb3IifX0%3D.x",
];

function requestFor(random: Random, world: World, file: string, base: Base, kindOfBody?: RawBody): Request {
  const role = random.pick(ROLES);
  const route = ACTION_ROUTES.find((r) => r.file === file);
  const knownNames = [...(route?.fields ?? []), "intent", "returnTo", "_fetcher"];
  const realIds = [
    ...Object.values(world.petitions).flatMap((p) => [String(p.id), p.slug]),
    ...Object.values(world.comments).map(String),
    String(world.announcements.published.id),
    world.announcements.draft.slug,
    ...world.pool.map((p) => String(p.id)),
  ];
  const value = () => badValue(random, realIds, { long: LONG_VALUE });
  let fields: Fields = random.pick(base.bodies.length ? base.bodies : [[]]);
  for (let n = random.int(1, 4); n > 0; n--) fields = mutate(random, fields, knownNames, value);
  // A valid whole-directory import would deactivate everyone else, the role accounts included: the
  // fuzzer sends that box only with values that are not "on" (integration tests cover the real thing).
  fields = fields.map(([name, v]) => [name, name === "deactivateMissing" && v === "on" ? "yes" : v]);
  const request: Request = {
    description: "",
    role,
    route: file,
    path: pathFor(random, file, base),
    method: random.chance(0.04) ? random.pick(["PUT", "PATCH", "DELETE"]) : "POST",
    body: undefined,
    dataRequest: random.chance(0.5),
  };
  if (kindOfBody) {
    request.body = kindOfBody.body;
    request.contentType = kindOfBody.contentType;
    request.headers = kindOfBody.headers;
    request.description = kindOfBody.kind;
  } else if (file === "admin.directory.tsx" || random.chance(0.2)) {
    request.body = multipart(fields);
    request.description = `multipart ${describeFields(fields)}`;
  } else {
    request.body = urlEncoded(fields);
    request.contentType = "application/x-www-form-urlencoded";
    request.description = `form ${describeFields(fields)}`;
  }
  if (random.chance(0.05)) request.cookie = random.pick(FORGED_COOKIES);
  if (random.chance(0.03)) request.origin = random.pick(["https://evil.example", "null", "http://127.0.0.1"]);
  return request;
}

function describeFields(fields: Fields): string {
  return fields
    .map(([k, v]) => {
      const value = typeof v === "string" ? v : "<file>";
      const shown =
        value.length > 60
          ? `${JSON.stringify(value.slice(0, 60))}…(${value.length} chars)`
          : JSON.stringify(value);
      return `${k.length > 40 ? `${k.slice(0, 40)}…` : k}=${shown}`;
    })
    .join("&");
}

type Tally = { sent: number; refused: number; accepted: number; byStatus: Map<number, number> };

/** Sends the requests one by one, checking each; returns the problems found. */
async function run(
  requests: Iterable<Request> | AsyncIterable<Request>,
  label: string,
): Promise<{ problems: string[]; tally: Tally }> {
  const { app, world, watch } = system;
  const problems: string[] = [];
  const tally: Tally = { sent: 0, refused: 0, accepted: 0, byStatus: new Map() };
  const cookies = new Map<Role, string>();
  const restoreSessions = async () => {
    for (const role of ROLES) {
      if (role === "signedOut") continue;
      const person = world.people[role];
      // An accepted request may have deactivated someone or removed a role: put the accounts back.
      const row = getDb()
        .select({ active: people.active })
        .from(people)
        .where(eq(people.id, person.id))
        .get();
      if (!row?.active) setPersonActive(person.id, true, CLI_ACTOR);
      for (const r of person.roles) grantRole(person.id, r, CLI_ACTOR);
      cookies.set(role, await sessionCookie(person.id));
    }
    // An accepted settings form without its checkbox switched the emailed link off: back on.
    if (!getSettings().emailSignIn)
      updateSettings({ ...getSettings(), emailSignIn: true }, getMilestoneDefaults(), CLI_ACTOR);
    await settle();
    watch.baseline();
  };
  await restoreSessions();
  let index = 0;
  for await (const request of requests) {
    index++;
    let cookie = request.cookie ?? (request.role === "allowed" ? undefined : cookies.get(request.role));
    if (
      request.route === "sign-out.tsx" &&
      request.role !== "signedOut" &&
      request.role !== "allowed" &&
      !request.cookie
    ) {
      // A second session of the same person: signing it out leaves the fuzzer's own session alone.
      cookie = await sessionCookie(world.people[request.role].id);
      watch.baseline();
    }
    const what = `#${index} ${request.method} ${request.path.slice(0, 120)} as ${request.role}${request.dataRequest ? " (data request)" : ""}: ${request.description.slice(0, 400)}`;
    let outcome: ActionOutcome;
    try {
      outcome = await sendAction(app.baseUrl, {
        path: request.path,
        method: request.method,
        body: request.body,
        contentType: request.contentType,
        headers: request.headers,
        cookie,
        origin: request.origin,
        dataFor: request.dataRequest ? request.route : undefined,
        timeoutMs: 30_000,
      });
    } catch (error) {
      const cause = error instanceof Error && error.cause ? ` (${String(error.cause)})` : "";
      problems.push(
        `${what}\n  → no answer: ${String(error)}${cause}\n  server: ${app.output().slice(-1500)}`,
      );
      break;
    }
    tally.sent++;
    tally.byStatus.set(outcome.status, (tally.byStatus.get(outcome.status) ?? 0) + 1);
    if (outcome.status >= 500) {
      problems.push(`${what}\n  → ${outcome.status}\n  server: ${app.output().slice(-1200)}`);
      await restoreSessions();
      continue;
    }
    if (request.refusedWith && !request.refusedWith.includes(outcome.status)) {
      problems.push(`${what}\n  → ${outcome.status}, expected ${request.refusedWith.join(" or ")}`);
    }
    if (isRefusal(outcome)) {
      tally.refused++;
      const changed = watch.changes().filter((change) => !usedUpSamlRequest(request.route, change));
      if (changed.length) {
        problems.push(`${what}\n  → refused (${outcome.status}) yet changed ${changed.join(", ")}`);
        await restoreSessions();
      } else if (outcome.status >= 400 && !outcome.body.trim()) {
        problems.push(`${what}\n  → ${outcome.status} with no message`);
      }
    } else {
      tally.accepted++;
      targets.delete(request.route);
      await restoreSessions();
    }
    if (problems.length >= 40) break;
  }
  if (problems.length) problems.unshift(`${label}, seed ${SEED} (replay: FUZZ_SEED=${SEED})`);
  return { problems, tally };
}

function summary(tally: Tally): string {
  const statuses = [...tally.byStatus].sort(([a], [b]) => a - b).map(([s, n]) => `${s}×${n}`);
  return `${tally.sent} requests: ${tally.refused} refused, ${tally.accepted} accepted (${statuses.join(", ")})`;
}

describe(`bad input (seed ${SEED})`, () => {
  it("knows every route with an action and has real targets for each", async () => {
    expect(missingFromInventory()).toEqual([]);
    const bases = await basesFor(system.world);
    // A valid body for every intent of every route that reads a form.
    const uncovered = ACTION_ROUTES.filter((r) => !r.api).flatMap((r) =>
      r.intents.filter((i) => !bases[r.file]?.intents.includes(i)).map((i) => `${r.file}#${i}`),
    );
    expect(uncovered).toEqual([]);
    expect(SCIM_ROUTES.sort()).toEqual([
      "scim.v2.$.ts",
      "scim.v2.Users.$id.ts",
      "scim.v2.Users.[.]search.ts",
      "scim.v2.Users._index.ts",
      "scim.v2.[.]search.ts",
    ]);
  });

  it("refuses broken and lying encodings on every route", async () => {
    // Each route as a role allowed to use it, so the body reaches the form: JSON, text and broken
    // multipart bodies were 500s; a field at index 4294967294 hung the server, one 20,000 levels deep
    // overflowed its stack. The long form sends every encoding as every role too.
    const random = randomSource(SEED);
    const bases = await basesFor(system.world);
    async function* requests(): AsyncGenerator<Request> {
      for (const route of FORM_ROUTES) {
        const base = bases[route];
        if (!base) continue;
        for (const [k, broken] of brokenBodies(random.pick(base.bodies), SIZES).entries()) {
          // The directory import parses its multipart upload itself (a form around a file): 400 or 413.
          const upload = route === "admin.directory.tsx" && broken.contentType?.startsWith("multipart/");
          const target = await formTarget(route);
          yield {
            description: broken.kind,
            role: "allowed",
            cookie: target.cookie,
            route,
            path: target.path,
            method: "POST",
            body: broken.body,
            contentType: broken.contentType,
            headers: broken.headers,
            dataRequest: k % 2 === 1,
            refusedWith: broken.refusedWith && (upload ? [400, 413] : broken.refusedWith),
          };
        }
      }
      if (!STRESS) return;
      for (const route of ACTION_ROUTES) {
        const base = bases[route.file];
        if (!base) continue;
        for (const broken of brokenBodies(random.pick(base.bodies), SIZES))
          for (const role of ROLES)
            yield {
              ...requestFor(random, system.world, route.file, base, broken),
              role,
              origin: undefined,
              cookie: undefined,
            };
      }
    }
    const { problems, tally } = await run(requests(), "broken encodings");
    console.log(`broken encodings: ${summary(tally)}`);
    expect(problems).toEqual([]);
  });

  it(`refuses random bad bodies cleanly (${RANDOM_REQUESTS} requests)`, async () => {
    const random = randomSource(SEED + 1);
    const bases = await basesFor(system.world);
    const files = ACTION_ROUTES.filter((r) => !r.api).map((r) => r.file);
    function* requests() {
      for (let i = 0; i < RANDOM_REQUESTS; i++) {
        const file = random.pick(files);
        const base = bases[file];
        if (base) yield requestFor(random, system.world, file, base);
      }
    }
    const { problems, tally } = await run(requests(), "random bodies");
    console.log(`random bodies: ${summary(tally)}`);
    expect(problems).toEqual([]);
  });

  it("answers a POST to a page without an action with 405 (404 where there is no page), changing nothing", async () => {
    const { app, watch } = system;
    watch.baseline();
    for (const path of ["/", "/petitions", "/api/petitions", "/healthz", "/admin", "/no/such/page"]) {
      const outcome = await sendAction(app.baseUrl, { path, body: { intent: "sign" } });
      expect([404, 405], path).toContain(outcome.status);
    }
    expect(watch.changes()).toEqual([]);
  });
});

/** Breaks a JSON value the way a buggy or hostile provisioning client might. */
function breakJson(random: Random, value: unknown, depth = 0): unknown {
  const roll = random.next();
  if (depth > 3 || roll < 0.15)
    return random.pick<unknown>([
      null,
      0,
      -1,
      1e308,
      true,
      "",
      "False",
      "x".repeat(random.pick([10, 5000, 300_000])),
      "😀\u0000\ud800",
      [],
      {},
      { __proto__: { admin: true } },
      badValue(random, ["1", "999999"], { long: LONG_VALUE }),
      Array.from({ length: 30 }, () => ({ op: "replace" })),
    ]);
  if (Array.isArray(value)) return value.map((item) => breakJson(random, item, depth + 1));
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    const out: Record<string, unknown> = {};
    for (const [key, inner] of entries) {
      if (random.chance(0.1)) continue;
      out[random.chance(0.05) ? random.pick(BAD_NAMES) : key] = random.chance(0.3)
        ? breakJson(random, inner, depth + 1)
        : inner;
    }
    if (random.chance(0.1))
      out[random.pick(["active", "userName", "Operations", "emails", "schemas", "id"])] = breakJson(
        random,
        null,
        9,
      );
    return out;
  }
  return random.chance(0.5) ? breakJson(random, null, 9) : value;
}

/** encodeURIComponent, which a lone surrogate would make throw: such a value is sent percent-broken instead. */
function encodeLoosely(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return "%ED%A0%80";
  }
}

describe(`SCIM bad input (seed ${SEED})`, () => {
  it("answers broken, lying and random bodies with SCIM errors and never a 5xx; a refusal changes nothing", async () => {
    const random = randomSource(SEED + 2);
    const { app, world, watch } = system;
    const count = atScale(200, 3_000);
    const user = (email: string) => ({
      schemas: [
        "urn:ietf:params:scim:schemas:core:2.0:User",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
      ],
      userName: email,
      externalId: `ext-${email}`,
      displayName: "Fuzzy Provisioned",
      name: { givenName: "Fuzzy", familyName: "Provisioned" },
      emails: [{ primary: true, type: "work", value: email }],
      addresses: [{ type: "work", locality: "Oslo" }],
      active: true,
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": { department: "Sales" },
    });
    const patch = {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [
        { op: "Replace", path: "active", value: "False" },
        { op: "replace", value: { displayName: "Renamed", active: true } },
        { op: "add", path: 'emails[type eq "work"].value', value: "renamed@corp.example" },
      ],
    };
    const problems: string[] = [];
    const tally = new Map<number, number>();
    for (let i = 0; i < count; i++) {
      const kind = random.pick(["create", "replace", "patch", "delete", "list", "get", "elsewhere"] as const);
      const id = random.chance(0.85) ? String(world.make.person().id) : random.pick(BAD_PARAMS);
      const path =
        kind === "elsewhere"
          ? `/scim/v2/${random.pick(["Groups", "Bulk", "Me", "Users/1/x", "Schemas/nope", "Users/%2e%2e", ".search", "Users/.search"])}`
          : kind === "create" || kind === "list"
            ? `/scim/v2/Users${kind === "list" ? `?filter=${encodeLoosely(random.pick(['userName eq "x@corp.example"', 'userName eq "', "userName sw x", badValue(random, ["1"], { long: 2000 })]))}&count=${random.pick(["1", "-5", "abc", "1000000"])}` : ""}`
            : `/scim/v2/Users/${encodeLoosely(id)}`;
      const method = {
        create: "POST",
        replace: "PUT",
        patch: "PATCH",
        delete: "DELETE",
        list: "GET",
        get: "GET",
        elsewhere: random.pick(["GET", "POST", "PATCH"]),
      }[kind];
      const valid = kind === "patch" ? patch : user(`fuzz-${i}@corp.example`);
      const raw = random.pick([
        () => JSON.stringify(breakJson(random, valid)),
        () => JSON.stringify(breakJson(random, valid)),
        () => JSON.stringify(valid),
        () =>
          random.pick([
            "{",
            "[]",
            "null",
            '"x"',
            "1e400",
            "",
            "\u0000",
            '{"userName":',
            `{"a":${"[".repeat(5000)}`,
          ]),
        () => `{"userName":"${"x".repeat(random.pick([100, 300_000]))}@corp.example"}`,
      ])();
      const contentType = random.pick([
        "application/scim+json",
        "application/scim+json; charset=utf-8",
        "application/json",
        "text/plain",
        "application/x-www-form-urlencoded",
        "",
      ]);
      const authorization = random.chance(0.85)
        ? `Bearer ${systemScimToken()}`
        : random.pick([
            "",
            "Bearer",
            "Bearer wrong-token-of-plausible-length",
            `Basic ${btoa("a:b")}`,
            `Bearer ${"x".repeat(10_000)}`,
          ]);
      const headers: Record<string, string> = {};
      if (authorization) headers.Authorization = authorization;
      await settle();
      watch.baseline();
      const what = `#${i} ${method} ${path.slice(0, 100)} (${contentType || "no type"}, ${authorization.slice(0, 20)}): ${raw.slice(0, 200)}`;
      let outcome: ActionOutcome;
      try {
        outcome = await sendAction(app.baseUrl, {
          path,
          method,
          body: method === "GET" ? undefined : raw,
          contentType: method === "GET" || !contentType ? undefined : contentType,
          headers,
          origin: null,
          timeoutMs: 30_000,
        });
      } catch (error) {
        problems.push(`${what}\n  → no answer: ${String(error)}`);
        break;
      }
      tally.set(outcome.status, (tally.get(outcome.status) ?? 0) + 1);
      if (outcome.status >= 500)
        problems.push(`${what}\n  → ${outcome.status}\n  server: ${app.output().slice(-1200)}`);
      else if (outcome.status >= 400) {
        const changed = watch.changes();
        if (changed.length) problems.push(`${what}\n  → ${outcome.status} yet changed ${changed.join(", ")}`);
        let error: { schemas?: unknown; status?: unknown } = {};
        try {
          error = JSON.parse(outcome.body) as typeof error;
        } catch {
          // reported below
        }
        if (
          !Array.isArray(error.schemas) ||
          !error.schemas.includes("urn:ietf:params:scim:api:messages:2.0:Error") ||
          error.status !== String(outcome.status)
        )
          problems.push(
            `${what}\n  → ${outcome.status} not in SCIM's error format: ${outcome.body.slice(0, 200)}`,
          );
      }
      if (problems.length >= 30) break;
    }
    console.log(
      `SCIM: ${count} requests (${[...tally]
        .sort(([a], [b]) => a - b)
        .map(([s, n]) => `${s}×${n}`)
        .join(", ")})`,
    );
    expect(problems).toEqual([]);
  });
});
