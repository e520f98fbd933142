import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { createScimToken, revokeScimToken } from "../../app/domain/identity/scim-tokens.server";
import { createSession, sessionUser } from "../../app/domain/identity/sessions.server";
import { findPersonByEmail } from "../../app/domain/people/directory.server";
import { findPetition } from "../../app/domain/petitions/reads.server";
import { CLI_ACTOR } from "../../app/platform/security/audit.server";
import { getDb } from "../../db/client";
import { auditLog, scimTokens, sessions } from "../../db/schema";
import { signAnonymously } from "../support/anonymous";
import { importSampleDirectory, sessionCookie } from "../support/fixtures";
import { makeCompany, openPetition } from "../support/petition-fixtures";
import { SCIM_BASE as BASE, scimRequest } from "../support/scim-client";
import { fingerprint, fingerprintChanges } from "../support/server-database";

/**
 * SCIM 2.0 provisioning (RFC 7643/7644) through the real route modules, replaying the request shapes
 * Okta and Microsoft Entra ID send: create, filter, get, replace, PATCH active:false (both dialects),
 * delete — and refusals (bad token, malformed bodies) in SCIM's error format, changing nothing.
 */
let token = "";
beforeAll(() => {
  token = createScimToken("okta", CLI_ACTOR).token;
});

/** A SCIM request with the test's token (or the one given, null for none). */
const scim = (
  method: string,
  path: string,
  body?: unknown,
  options: { token?: string | null; contentType?: string; raw?: string; cookie?: string } = {},
) => scimRequest(options.token === undefined ? token : options.token, method, path, body, options);

const db = () => getDb();
const snapshot = () => fingerprint(db().$client);

/** Okta's create (its documented body). */
const oktaCreate = (email: string) => ({
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
  userName: email,
  name: { givenName: "Olive", familyName: "Okta" },
  emails: [{ primary: true, value: email, type: "work" }],
  displayName: "Olive Okta",
  locale: "en-US",
  externalId: "00u1abcd",
  groups: [],
  password: "never-stored-1!",
  active: true,
});

/** Entra ID's create (its documented body, enterprise extension included). */
const entraCreate = (upn: string, mail: string) => ({
  schemas: [
    "urn:ietf:params:scim:schemas:core:2.0:User",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
  ],
  externalId: "e7d5c9e4-entra",
  userName: upn,
  active: true,
  addresses: [{ primary: true, type: "work", locality: "Dublin", country: "IE" }],
  displayName: "Eve Entra",
  emails: [{ primary: true, type: "work", value: mail }],
  meta: { resourceType: "User" },
  name: { familyName: "Entra", givenName: "Eve" },
  title: "Analyst",
  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
    department: "Finance",
    manager: { value: "x" },
  },
});

describe("SCIM discovery", () => {
  it("describes itself: ServiceProviderConfig, Schemas, ResourceTypes", async () => {
    const config = await scim("GET", "/ServiceProviderConfig");
    expect(config.status).toBe(200);
    expect(config.headers.get("Content-Type")).toContain("application/scim+json");
    expect(config.json).toMatchObject({ patch: { supported: true }, filter: { supported: true } });
    const schemas = await scim("GET", "/Schemas");
    expect(((schemas.json?.Resources ?? []) as Array<{ id: string }>).map((s) => s.id)).toContain(
      "urn:ietf:params:scim:schemas:core:2.0:User",
    );
    const types = await scim("GET", "/ResourceTypes");
    expect(types.json?.Resources).toEqual([expect.objectContaining({ id: "User", endpoint: "/Users" })]);
  });
});

describe("SCIM Users as Okta sends them", () => {
  it("checks by filter, creates, gets, deactivates with PATCH {op: replace, value: {active: false}}, and reactivates", async () => {
    const email = "olive@corp.example";
    const none = await scim(
      "GET",
      `/Users?filter=${encodeURIComponent(`userName eq "${email}"`)}&startIndex=1&count=100`,
    );
    expect(none.json).toMatchObject({ totalResults: 0, Resources: [] });

    const created = await scim("POST", "/Users", oktaCreate(email));
    expect(created.status).toBe(201);
    const id = String(created.json?.id);
    expect(created.headers.get("Location")).toBe(`${BASE}/Users/${id}`);
    expect(findPersonByEmail(db(), email)).toMatchObject({
      name: "Olive Okta",
      externalId: "00u1abcd",
      inDirectory: true,
    });
    expect(JSON.stringify(db().select().from(auditLog).all())).not.toContain("never-stored");

    const found = await scim("GET", `/Users?filter=${encodeURIComponent(`userName eq "${email}"`)}`);
    expect(found.json).toMatchObject({ totalResults: 1, Resources: [{ id, userName: email, active: true }] });
    expect((await scim("GET", `/Users/${id}`)).json).toMatchObject({
      id,
      displayName: "Olive Okta",
    });

    // The colleague is signed in when Okta deactivates them.
    const person = findPersonByEmail(db(), email);
    const session = createSession(db(), person?.id ?? 0);
    expect(sessionUser(session)).not.toBeNull();
    const patched = await scim("PATCH", `/Users/${id}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "replace", value: { active: false } }],
    });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ active: false });
    expect(sessionUser(session)).toBeNull();
    expect(
      db()
        .select()
        .from(sessions)
        .where(eq(sessions.personId, person?.id ?? 0))
        .all(),
    ).toEqual([]);

    const back = await scim("PATCH", `/Users/${id}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "replace", value: { active: true } }],
    });
    expect(back.json).toMatchObject({ active: true });
  });

  it("replaces a user with PUT (department, location and name follow)", async () => {
    const created = await scim("POST", "/Users", oktaCreate("put@corp.example"));
    const id = String(created.json?.id);
    const replaced = await scim("PUT", `/Users/${id}`, {
      ...oktaCreate("put@corp.example"),
      id,
      displayName: "Olive Renamed",
      addresses: [{ type: "work", locality: "Oslo" }],
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": { department: "Legal" },
    });
    expect(replaced.status).toBe(200);
    expect(findPersonByEmail(db(), "put@corp.example")).toMatchObject({
      name: "Olive Renamed",
      location: "Oslo",
      department: "Legal",
    });
  });

  it("adopts a colleague the CSV directory already lists, and refuses a second user with the same userName", async () => {
    importSampleDirectory();
    const linus = findPersonByEmail(db(), "linus@corp.example");
    const adopted = await scim("POST", "/Users", oktaCreate("linus@corp.example"));
    expect(adopted.status).toBe(201);
    expect(adopted.json?.id).toBe(String(linus?.id));
    const before = snapshot();
    const again = await scim("POST", "/Users", oktaCreate("linus@corp.example"));
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({
      schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
      status: "409",
      scimType: "uniqueness",
    });
    expect(fingerprintChanges(before, snapshot())).toEqual([]);
  });
});

describe("SCIM Users as Microsoft Entra ID sends them", () => {
  it('creates with the enterprise extension, PATCHes with paths and "False", and DELETE deactivates', async () => {
    const created = await scim(
      "POST",
      "/Users",
      entraCreate("eve@corp.onmicrosoft.example", "eve@corp.example"),
    );
    expect(created.status).toBe(201);
    const id = String(created.json?.id);
    expect(findPersonByEmail(db(), "eve@corp.example")).toMatchObject({
      name: "Eve Entra",
      department: "Finance",
      location: "Dublin",
      scimUserName: "eve@corp.onmicrosoft.example",
    });
    // Entra looks users up by userName (its UPN), not by email.
    const found = await scim(
      "GET",
      `/Users?filter=${encodeURIComponent('userName eq "eve@corp.onmicrosoft.example"')}`,
    );
    expect(found.json).toMatchObject({ totalResults: 1 });
    expect(
      (await scim("GET", `/Users?filter=${encodeURIComponent('externalId eq "e7d5c9e4-entra"')}`)).json,
    ).toMatchObject({ totalResults: 1 });

    const renamed = await scim("PATCH", `/Users/${id}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [
        { op: "Replace", path: "displayName", value: "Eve E. Entra" },
        { op: "Replace", path: 'emails[type eq "work"].value', value: "eve.entra@corp.example" },
        {
          op: "Replace",
          path: "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
          value: "Audit",
        },
        { op: "Replace", path: 'addresses[type eq "work"].locality', value: "Cork" },
        { op: "Add", path: "title", value: "Senior Analyst" },
      ],
    });
    expect(renamed.status).toBe(200);
    expect(findPersonByEmail(db(), "eve.entra@corp.example")).toMatchObject({
      name: "Eve E. Entra",
      department: "Audit",
      location: "Cork",
    });

    const person = findPersonByEmail(db(), "eve.entra@corp.example");
    if (!person) throw new Error("no person");
    const petition = openPetition(makeCompany(4));
    await signAnonymously(petition.id, { ...person, roles: [] });
    const cookieSession = createSession(db(), person?.id ?? 0);
    const off = await scim("PATCH", `/Users/${id}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "Replace", path: "active", value: "False" }],
    });
    expect(off.json).toMatchObject({ active: false });
    expect(sessionUser(cookieSession)).toBeNull();
    // Their signature stays counted, as a directory deactivation leaves it.
    expect(findPetition(String(petition.id))?.signatureCount).toBe(1);
    const deactivations = db().select().from(auditLog).where(eq(auditLog.action, "person.deactivate")).all();
    expect(deactivations.at(-1)).toMatchObject({ actorLabel: "scim", targetId: String(person?.id) });

    await scim("PATCH", `/Users/${id}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "Replace", path: "active", value: "True" }],
    });
    const deleted = await scim("DELETE", `/Users/${id}`);
    expect(deleted.status).toBe(204);
    expect(findPersonByEmail(db(), "eve.entra@corp.example")?.active).toBe(false);
    expect((await scim("GET", `/Users/${id}`)).status).toBe(404);
  });
});

describe("SCIM requests that change nothing", () => {
  it("answers a missing, wrong or revoked token, or a session cookie, with 401 in SCIM's format", async () => {
    const { id, token: revoked } = createScimToken("old", CLI_ACTOR);
    revokeScimToken(id, CLI_ACTOR);
    const person = findPersonByEmail(db(), "olive@corp.example");
    const cookie = await sessionCookie(person?.id ?? 0);
    const before = snapshot();
    for (const bearer of [null, "scim_wrong-token-of-a-plausible-length", revoked]) {
      const answer = await scim("POST", "/Users", oktaCreate("intruder@corp.example"), {
        token: bearer,
      });
      expect(answer.status).toBe(401);
      expect(answer.json).toMatchObject({
        schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
        status: "401",
      });
      expect(answer.headers.get("WWW-Authenticate")).toContain("Bearer");
    }
    const withCookie = await scim("GET", "/Users", undefined, { token: null, cookie });
    expect(withCookie.status).toBe(401);
    expect(fingerprintChanges(before, snapshot())).toEqual([]);
    expect(
      db()
        .select()
        .from(scimTokens)
        .all()
        .map((t) => t.tokenHash),
    ).not.toContain(token);
  });

  it("refuses malformed bodies, unsupported filters, unknown users and wrong content types", async () => {
    const created = await scim("POST", "/Users", oktaCreate("stable@corp.example"));
    const id = String(created.json?.id);
    const before = snapshot();
    const cases: Array<[string, string, unknown, { raw?: string; contentType?: string }, number, string?]> = [
      ["POST", "/Users", undefined, { raw: "{not json" }, 400, "invalidSyntax"],
      ["POST", "/Users", { schemas: [] }, {}, 400, "invalidValue"],
      ["POST", "/Users", { userName: "not-an-email" }, {}, 400, "invalidValue"],
      ["POST", "/Users", { userName: 42 }, {}, 400, "invalidValue"],
      ["POST", "/Users", oktaCreate("x@corp.example"), { contentType: "text/plain" }, 415],
      ["POST", "/Users", undefined, { raw: `{"userName":"${"a".repeat(300_000)}"}` }, 413],
      [
        "PATCH",
        `/Users/${id}`,
        { Operations: [{ op: "replace", value: { active: false } }] },
        {},
        400,
        "invalidSyntax",
      ],
      [
        "PATCH",
        `/Users/${id}`,
        {
          schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
          Operations: [{ op: "explode", path: "active" }],
        },
        {},
        400,
        "invalidSyntax",
      ],
      [
        "PATCH",
        `/Users/${id}`,
        {
          schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
          Operations: [
            { op: "replace", path: "displayName", value: "Changed" },
            { op: "replace", path: "active", value: "maybe" },
          ],
        },
        {},
        400,
        "invalidValue",
      ],
      ["PUT", "/Users/999999", oktaCreate("ghost@corp.example"), {}, 404],
      ["PUT", "/Users/abc", oktaCreate("ghost@corp.example"), {}, 404],
      ["DELETE", "/Users/999999", undefined, {}, 404],
      ["POST", `/Users/${id}`, {}, {}, 405],
    ];
    for (const [method, path, body, options, status, scimType] of cases) {
      const answer = await scim(method, path, body, options);
      expect(answer.status, `${method} ${path} ${JSON.stringify(body)?.slice(0, 80)}`).toBe(status);
      expect(answer.json).toMatchObject({
        schemas: ["urn:ietf:params:scim:api:messages:2.0:Error"],
        status: String(status),
      });
      if (scimType) expect(answer.json?.scimType).toBe(scimType);
    }
    const filter = await scim("GET", `/Users?filter=${encodeURIComponent('name.familyName co "a"')}`);
    expect(filter).toMatchObject({ status: 400, json: { scimType: "invalidFilter" } });
    expect((await scim("GET", "/Users/999999")).status).toBe(404);
    expect(fingerprintChanges(before, snapshot())).toEqual([]);
    expect(findPersonByEmail(db(), "stable@corp.example")?.name).toBe("Olive Okta");
  });
});

/** What RFC 7644 asks of a SCIM server, each asked of this one. */
describe("SCIM as RFC 7644 says", () => {
  const create = async (email: string, extra: Record<string, unknown> = {}) => {
    const created = await scim("POST", "/Users", { ...oktaCreate(email), externalId: undefined, ...extra });
    expect(created.status).toBe(201);
    return String(created.json?.id);
  };
  const byUserName = (name: string) =>
    scim("GET", `/Users?filter=${encodeURIComponent(`userName eq "${name}"`)}`);

  it("answers 404 for a deleted user and leaves it out of lists and filters; the person stays deactivated, signatures counted (§3.6)", async () => {
    const id = await create("leaver@corp.example");
    const person = findPersonByEmail(db(), "leaver@corp.example");
    if (!person) throw new Error("no person");
    const petition = openPetition(makeCompany(4));
    await signAnonymously(petition.id, { ...person, roles: [] });

    expect((await scim("DELETE", `/Users/${id}`)).status).toBe(204);

    for (const [method, body] of [
      ["GET", undefined],
      ["PUT", oktaCreate("leaver@corp.example")],
      [
        "PATCH",
        {
          schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
          Operations: [{ op: "replace", value: { active: true } }],
        },
      ],
      ["DELETE", undefined],
    ] as const) {
      expect((await scim(method, `/Users/${id}`, body)).status, method).toBe(404);
    }
    expect((await byUserName("leaver@corp.example")).json).toMatchObject({ totalResults: 0, Resources: [] });
    expect(
      (await scim("GET", `/Users?filter=${encodeURIComponent(`id eq "${id}"`)}`)).json?.totalResults,
    ).toBe(0);
    const all = await scim("GET", "/Users?count=200");
    expect(((all.json?.Resources ?? []) as Array<{ id: string }>).map((u) => u.id)).not.toContain(id);
    expect(findPersonByEmail(db(), "leaver@corp.example")).toMatchObject({ id: person.id, active: false });
    expect(findPetition(String(petition.id))?.signatureCount).toBe(1);
  });

  it("links a later POST with the same userName to the same person as a new user with a new id; the old id stays 404", async () => {
    const id = await create("returner@corp.example");
    const person = findPersonByEmail(db(), "returner@corp.example");
    await scim("DELETE", `/Users/${id}`);

    const again = await scim("POST", "/Users", oktaCreate("returner@corp.example"));
    expect(again.status).toBe(201);
    expect(again.json?.id).toBe(`${id}-1`);
    expect(again.headers.get("Location")).toBe(`${BASE}/Users/${id}-1`);
    expect(findPersonByEmail(db(), "returner@corp.example")).toMatchObject({ id: person?.id, active: true });
    expect((await scim("GET", `/Users/${id}`)).status).toBe(404);
    expect((await byUserName("returner@corp.example")).json).toMatchObject({
      totalResults: 1,
      Resources: [{ id: `${id}-1` }],
    });
    const relinked = db()
      .select()
      .from(auditLog)
      .where(eq(auditLog.action, "directory.provision"))
      .all()
      .at(-1);
    expect(relinked?.details).toMatchObject({ relinked: true });
  });

  it("honours attributes and excludedAttributes on GET, list and POST (§3.9)", async () => {
    const id = await scim("POST", "/Users?attributes=userName", {
      ...entraCreate("attrs@corp.onmicrosoft.example", "attrs@corp.example"),
      externalId: "attrs-1",
    });
    expect(id.json).toEqual({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      id: id.json?.id,
      userName: "attrs@corp.onmicrosoft.example",
    });
    const path = `/Users/${id.json?.id}`;
    expect((await scim("GET", `${path}?attributes=name.givenName,emails.value,DisplayName`)).json).toEqual({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      id: id.json?.id,
      name: { givenName: "Eve" },
      emails: [{ value: "attrs@corp.example" }],
      displayName: "Eve Entra",
    });
    const enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    expect((await scim("GET", `${path}?attributes=${enterprise}:department`)).json).toEqual({
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", enterprise],
      id: id.json?.id,
      [enterprise]: { department: "Finance" },
    });
    const without = (await scim("GET", `${path}?excludedAttributes=displayName,emails,${enterprise},id`))
      .json;
    expect(without).toMatchObject({
      id: id.json?.id,
      userName: "attrs@corp.onmicrosoft.example",
      active: true,
    });
    expect(without).not.toHaveProperty("displayName");
    expect(without).not.toHaveProperty("emails");
    expect(without).not.toHaveProperty([enterprise]);
    expect(without?.schemas).toEqual(["urn:ietf:params:scim:schemas:core:2.0:User"]);
    const listed = await scim(
      "GET",
      `/Users?filter=${encodeURIComponent('externalId eq "attrs-1"')}&attributes=externalId`,
    );
    expect(listed.json?.Resources).toEqual([
      { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], id: id.json?.id, externalId: "attrs-1" },
    ]);
    const both = await scim("GET", `${path}?attributes=userName&excludedAttributes=active`);
    expect(both).toMatchObject({ status: 400, json: { scimType: "invalidSyntax" } });
  });

  it("serves the /Schemas/<urn> and /ResourceTypes/User its own meta.location names, and 404 for others", async () => {
    const schemas = (await scim("GET", "/Schemas")).json?.Resources as Array<{
      id: string;
      meta: { location: string };
    }>;
    const types = (await scim("GET", "/ResourceTypes")).json?.Resources as Array<{
      meta: { location: string };
    }>;
    for (const { meta } of [...schemas, ...types]) {
      const answer = await scim("GET", meta.location.slice(BASE.length));
      expect(answer.status, meta.location).toBe(200);
      expect(answer.json?.meta).toEqual(meta);
    }
    expect((await scim("GET", "/Schemas/urn:example:nothing")).status).toBe(404);
    expect((await scim("GET", "/ResourceTypes/Group")).status).toBe(404);
  });

  it("really removes with PATCH remove, and refuses removing userName, emails or active with mutability (§3.5.2.2)", async () => {
    const created = await scim(
      "POST",
      "/Users",
      entraCreate("removal@corp.onmicrosoft.example", "removal@corp.example"),
    );
    const path = `/Users/${created.json?.id}`;
    const enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    const remove = (...paths: string[]) =>
      scim("PATCH", path, {
        schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        Operations: paths.map((p) => ({ op: "Remove", path: p })),
      });
    const removed = await remove("externalId", "name", 'addresses[type eq "work"]', enterprise);
    expect(removed.status).toBe(200);
    for (const attribute of ["externalId", "name", "displayName", "addresses", enterprise])
      expect(removed.json, attribute).not.toHaveProperty([attribute]);
    expect((await scim("GET", path)).json).not.toHaveProperty("addresses");
    expect(findPersonByEmail(db(), "removal@corp.example")).toMatchObject({
      name: null,
      department: null,
      location: null,
      externalId: null,
    });
    const before = snapshot();
    for (const attribute of ["userName", "emails", 'emails[type eq "work"].value', "active"])
      expect((await remove(attribute)).json, attribute).toMatchObject({
        status: "400",
        scimType: "mutability",
      });
    expect(fingerprintChanges(before, snapshot())).toEqual([]);
  });

  it("reads count=-1 as 0 and answers count=0 with totalResults only (§3.4.2.4)", async () => {
    await create("counted@corp.example");
    for (const count of ["-1", "0"]) {
      const answer = await scim("GET", `/Users?count=${count}`);
      expect(answer.json, count).toMatchObject({ itemsPerPage: 0, Resources: [] });
      expect(answer.json?.totalResults, count).toBeGreaterThan(0);
    }
  });

  it("keeps userName and email in one namespace, so one filter never returns two people", async () => {
    await create("holder@corp.example", { userName: "shared.name@corp.example" });
    const clash = await scim("POST", "/Users", oktaCreate("shared.name@corp.example"));
    expect(clash).toMatchObject({ status: 409, json: { scimType: "uniqueness" } });
    const other = await create("other@corp.example");
    const taken = await scim("PATCH", `/Users/${other}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "replace", path: "userName", value: "HOLDER@corp.example" }],
    });
    expect(taken).toMatchObject({ status: 409, json: { scimType: "uniqueness" } });
    // A CSV import may still list someone under that address: the userName a client set wins.
    importSampleDirectory("email,name,department,location\nshared.name@corp.example,Csv Person,Ops,Oslo\n");
    const found = await byUserName("Shared.Name@corp.example");
    expect(found.json).toMatchObject({
      totalResults: 1,
      Resources: [{ emails: [{ value: "holder@corp.example" }] }],
    });
  });

  it("finds and refuses a userName with capitals beyond ASCII as it stored it: a second POST is 409, never a 500", async () => {
    await create("emile@corp.example", { userName: "Émile.Zola" });
    expect((await byUserName("Émile.Zola")).json).toMatchObject({ totalResults: 1 });
    expect((await byUserName("Émile.zola")).json).toMatchObject({ totalResults: 1 });
    const again = await scim("POST", "/Users", {
      ...oktaCreate("emile.two@corp.example"),
      userName: "Émile.Zola",
    });
    expect(again).toMatchObject({ status: 409, json: { scimType: "uniqueness" } });
  });

  it("takes bidi controls and line breaks out of names and departments", async () => {
    const created = await scim("POST", "/Users", {
      ...oktaCreate("bidi@corp.example"),
      displayName: "Mallory\u202Egnp.exe\nAdmin",
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": { department: "Ops\u2066\r\nFake line" },
    });
    expect(created.status).toBe(201);
    await scim("PATCH", `/Users/${created.json?.id}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "replace", path: "name.familyName", value: "Evil\u200F\nName" }],
    });
    expect(findPersonByEmail(db(), "bidi@corp.example")).toMatchObject({
      name: "Mallorygnp.exe Evil Name",
      department: "Ops Fake line",
    });
  });
});
