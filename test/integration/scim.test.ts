import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { createScimToken, revokeScimToken } from "../../app/domain/identity/scim-tokens.server";
import { createSession, sessionUser } from "../../app/domain/identity/sessions.server";
import { findPersonByEmail } from "../../app/domain/people/directory.server";
import { findPetition } from "../../app/domain/petitions/reads.server";
import { CLI_ACTOR } from "../../app/platform/audit.server";
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
