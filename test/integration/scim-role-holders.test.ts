import { and, eq } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { grantRole } from "../../app/domain/identity/permissions.server";
import { createScimToken } from "../../app/domain/identity/scim-tokens.server";
import { createSession, sessionUser } from "../../app/domain/identity/sessions.server";
import { completeSignIn, requestSignIn } from "../../app/domain/identity/sign-in.server";
import { findPersonByEmail } from "../../app/domain/people/directory.server";
import { confirmHeldScimChange, refuseHeldScimChange } from "../../app/domain/people/provisioning.server";
import { heldScimChange } from "../../app/domain/people/scim-held-changes.server";
import { actorOf, CLI_ACTOR } from "../../app/platform/security/audit.server";
import { resetRateLimits } from "../../app/platform/security/rate-limits.server";
import { hashToken } from "../../app/platform/security/tokens.server";
import { getDb } from "../../db/client";
import { auditLog, outbox, signInTokens } from "../../db/schema";
import { makeCompany } from "../support/petition-fixtures";
import { patchOf, scimRequest } from "../support/scim-client";
import { fingerprint, fingerprintChanges } from "../support/server-database";

/**
 * A SCIM token cannot take over a role holder's account. It could: it took over the admin account by
 * moving the admin's work email to an address it reads, then signing in by link there; the old session kept working, nobody was told,
 * and the audit named only the new address. Now who a role holder is (email, userName, externalId,
 * which SCIM user they are) waits for an admin, and any email change ends the person's sessions and
 * links, tells the old address and is audited old → new.
 */
const db = () => getDb();
let token = "";
const scim = (method: string, path: string, body?: unknown) => scimRequest(token, method, path, body);
const company = () => makeCompany(4);
let people: ReturnType<typeof company>;
let ip = 0;
/** A sign-in link asked for an address; the raw token, read back from the link's email. */
async function linkFor(email: string): Promise<string> {
  await requestSignIn({ email, ip: `10.9.0.${++ip}` });
  const mail = db().select().from(outbox).where(eq(outbox.toAddress, email)).all().at(-1);
  const raw = /token=([^\s&"]+)/.exec(mail?.textBody ?? "")?.[1];
  if (!raw) throw new Error(`no link for ${email}`);
  return decodeURIComponent(raw);
}
const linkLive = (raw: string) =>
  Boolean(
    db()
      .select()
      .from(signInTokens)
      .where(eq(signInTokens.tokenHash, hashToken(raw)))
      .get(),
  );
const audits = (action: string, personId: number) =>
  db()
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, action), eq(auditLog.targetId, String(personId))))
    .all();

beforeAll(() => {
  token = createScimToken("okta", CLI_ACTOR).token;
  people = company();
  // staff1 is the admin the token goes after; staff2 the admin who decides.
  grantRole(people.staff[0]?.id ?? 0, "admin", CLI_ACTOR);
  grantRole(people.staff[1]?.id ?? 0, "admin", CLI_ACTOR);
});
beforeEach(() => resetRateLimits());

/** The held change as the admin's page shows it (and posts it back on confirming). */
const shown = (personId: number) => {
  const held = heldScimChange(personId);
  if (!held) throw new Error("nothing held");
  return { email: held.email, userName: held.userName, externalId: held.externalId };
};

const target = () => {
  const admin = people.staff[0];
  if (!admin) throw new Error("no admin");
  return admin;
};

describe("A SCIM token against someone who holds a role", () => {
  it("cannot move the admin's email to its own address: the answer keeps it, the change waits for an admin", async () => {
    const admin = target();
    const session = createSession(db(), admin.id);
    const before = findPersonByEmail(db(), admin.email);

    const moved = await scim(
      "PATCH",
      `/Users/${admin.id}`,
      patchOf(
        { op: "Replace", path: 'emails[type eq "work"].value', value: "attacker@evil.example" },
        { op: "Replace", path: "displayName", value: "Ada Admin" },
      ),
    );
    expect(moved.status).toBe(200);
    expect(moved.json).toMatchObject({
      emails: [{ value: admin.email }],
      userName: admin.email,
      displayName: "Ada Admin",
    });
    // Who they are is unchanged (the name, not theirs to guard, did change); they stay signed in.
    expect(findPersonByEmail(db(), admin.email)).toMatchObject({ id: admin.id, scimUserName: null });
    expect(findPersonByEmail(db(), "attacker@evil.example")).toBeUndefined();
    expect(sessionUser(session)?.user.id).toBe(admin.id);
    expect(heldScimChange(admin.id)).toMatchObject({ email: "attacker@evil.example", relink: false });
    expect(audits("directory.hold", admin.id)).toHaveLength(1);

    // A PUT says the same; a repeat (Entra re-sends every cycle) is not audited again.
    const put = () =>
      scim("PUT", `/Users/${admin.id}`, {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
        userName: "attacker@evil.example",
        emails: [{ value: "attacker@evil.example", type: "work", primary: true }],
        displayName: "Ada Admin",
        active: true,
      });
    expect(await put()).toMatchObject({
      status: 200,
      json: { userName: admin.email, emails: [{ value: admin.email }] },
    });
    await put();
    expect(audits("directory.hold", admin.id)).toHaveLength(2);
    expect(heldScimChange(admin.id)).toMatchObject({ userName: "attacker@evil.example" });

    // The link the attacker asks for its own address signs nobody in.
    expect(completeSignIn(await linkFor("attacker@evil.example"))).toMatchObject({ ok: false });
    expect(findPersonByEmail(db(), admin.email)?.email).toBe(before?.email);
  });

  it("is refused by an admin: nothing about the person changes, and the refusal is audited", async () => {
    const admin = target();
    const decider = people.staff[1];
    if (!decider) throw new Error("no second admin");
    const before = fingerprint(db().$client);
    refuseHeldScimChange(admin.id, actorOf(decider));
    expect(heldScimChange(admin.id)).toBeUndefined();
    const changes = fingerprintChanges(before, fingerprint(db().$client));
    expect(changes.filter((c) => !/^(audit_log|scim_held_changes|sqlite_sequence) /.test(c))).toEqual([]);
    expect(audits("directory.hold.refuse", admin.id).at(-1)).toMatchObject({ actorLabel: decider.email });
  });

  it("once an admin confirms it, ends the person's sessions and links, tells the old address and audits old → new", async () => {
    const admin = target();
    const decider = people.staff[1];
    if (!decider) throw new Error("no second admin");
    await scim(
      "PATCH",
      `/Users/${admin.id}`,
      patchOf({ op: "Replace", path: 'emails[type eq "work"].value', value: "ada.renamed@corp.example" }),
    );
    const session = createSession(db(), admin.id);
    const oldLink = await linkFor(admin.email);
    const newLink = await linkFor("ada.renamed@corp.example");

    confirmHeldScimChange(admin.id, shown(admin.id), actorOf(decider));

    expect(findPersonByEmail(db(), "ada.renamed@corp.example")?.id).toBe(admin.id);
    expect(sessionUser(session)).toBeNull();
    expect([linkLive(oldLink), linkLive(newLink)]).toEqual([false, false]);
    const notice = db().select().from(outbox).where(eq(outbox.kind, "account.email-changed")).all().at(-1);
    expect(notice).toMatchObject({ toAddress: admin.email, recipientHidden: false });
    expect(notice?.textBody).toContain("ada.renamed@corp.example");
    expect(audits("person.email-change", admin.id).at(-1)).toMatchObject({
      actorLabel: decider.email,
      details: { from: admin.email, to: "ada.renamed@corp.example", requestedBy: "scim" },
    });
    expect(heldScimChange(admin.id)).toBeUndefined();
  });

  it("confirms only what the admin read: a change the token swaps in after the page was opened is refused, and nothing changes", async () => {
    const admin = target();
    const decider = people.staff[1];
    if (!decider) throw new Error("no second admin");
    const move = (value: string) =>
      scim(
        "PATCH",
        `/Users/${admin.id}`,
        patchOf({ op: "Replace", path: 'emails[type eq "work"].value', value }),
      );
    await move("a.lovelace@corp.example");
    const read = shown(admin.id);
    await move("mallory@evil.example");
    const before = fingerprint(db().$client);
    expect(() => confirmHeldScimChange(admin.id, read, actorOf(decider))).toThrow(/something else since/);
    expect(fingerprintChanges(before, fingerprint(db().$client))).toEqual([]);
    refuseHeldScimChange(admin.id, actorOf(decider));
  });

  it("cannot adopt a role holder with POST, nor re-create one it deleted, until an admin confirms", async () => {
    const moderator = people.moderator;
    const post = () =>
      scim("POST", "/Users", {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
        userName: moderator.email,
        emails: [{ value: moderator.email, type: "work", primary: true }],
        externalId: "00u-moderator",
        active: true,
      });
    const adopted = await post();
    expect(adopted).toMatchObject({ status: 409, json: { scimType: "uniqueness" } });
    expect(heldScimChange(moderator.id)).toMatchObject({ relink: true, externalId: "00u-moderator" });
    expect(findPersonByEmail(db(), moderator.email)?.scimUserName).toBeNull();

    confirmHeldScimChange(moderator.id, shown(moderator.id), actorOf(people.staff[1] ?? moderator));
    const found = await scim(
      "GET",
      `/Users?filter=${encodeURIComponent(`userName eq "${moderator.email}"`)}`,
    );
    expect(found.json).toMatchObject({ totalResults: 1, Resources: [{ id: String(moderator.id) }] });

    // Deleted, then sent again: re-linking the person is held too, and confirming gives a new id.
    expect((await scim("DELETE", `/Users/${moderator.id}`)).status).toBe(204);
    expect((await post()).status).toBe(409);
    expect(heldScimChange(moderator.id)).toMatchObject({ relink: true });
    confirmHeldScimChange(moderator.id, shown(moderator.id), actorOf(people.staff[1] ?? moderator));
    expect((await scim("GET", `/Users/${moderator.id}`)).status).toBe(404);
    expect((await scim("GET", `/Users/${moderator.id}-1`)).json).toMatchObject({ userName: moderator.email });
  });
});

describe("Any email change over SCIM", () => {
  it("ends the colleague's sessions and the links asked for either address, tells the old one and audits old → new", async () => {
    const colleague = people.staff[2];
    if (!colleague) throw new Error("no colleague");
    const session = createSession(db(), colleague.id);
    const oldLink = await linkFor(colleague.email);
    const newLink = await linkFor("staff3.new@corp.example");

    const patched = await scim(
      "PATCH",
      `/Users/${colleague.id}`,
      patchOf({ op: "Replace", path: 'emails[type eq "work"].value', value: "Staff3.New@corp.example" }),
    );

    expect(patched).toMatchObject({ status: 200, json: { emails: [{ value: "staff3.new@corp.example" }] } });
    expect(sessionUser(session)).toBeNull();
    expect([linkLive(oldLink), linkLive(newLink)]).toEqual([false, false]);
    expect(completeSignIn(newLink)).toMatchObject({ ok: false, reason: "invalid" });
    expect(
      db().select().from(outbox).where(eq(outbox.kind, "account.email-changed")).all().at(-1),
    ).toMatchObject({ toAddress: colleague.email });
    expect(audits("person.email-change", colleague.id).at(-1)).toMatchObject({
      actorLabel: "scim",
      details: { from: colleague.email, to: "staff3.new@corp.example" },
    });
  });
});
