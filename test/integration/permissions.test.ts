import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import {
  grantRole,
  RoleChangeError,
  revokeRole,
  rolesOf,
} from "../../app/domain/identity/permissions.server";
import { SESSION_TTL_MS } from "../../app/domain/identity/sessions.server";
import { findPersonByEmail, setPersonActive } from "../../app/domain/people/directory.server";
import { CLI_ACTOR } from "../../app/platform/security/audit.server";
import { getSessionUser, requirePermission } from "../../app/web/session.server";
import { getDb } from "../../db/client";
import { auditLog, sessions } from "../../db/schema";
import { importSampleDirectory, requestAs, thrown } from "../support/fixtures";

importSampleDirectory();
const idOf = (email: string) => {
  const person = findPersonByEmail(getDb(), email);
  if (!person) throw new Error(`${email} missing`);
  return person.id;
};
const ada = idOf("ada@corp.example");
const grace = idOf("grace@corp.example");

describe("requirePermission", () => {
  it("sends a signed-out visitor to sign-in, keeping where they were going", async () => {
    const error = await thrown(
      requirePermission(await requestAs(null, "http://x/admin/people?q=a"), "view:admin"),
    );
    expect(error).toBeInstanceOf(Response);
    const response = error as Response;
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/sign-in?redirectTo=%2Fadmin%2Fpeople%3Fq%3Da");
  });

  it("answers 403 to a signed-in person without the permission", async () => {
    const error = await thrown(requirePermission(await requestAs(grace), "grant:role"));
    expect((error as Response).status).toBe(403);
  });

  it("lets an admin through, and stops them again once the role is revoked", async () => {
    expect(grantRole(ada, "admin", CLI_ACTOR)).toBe(true);
    expect(grantRole(ada, "admin", CLI_ACTOR)).toBe(false);
    const request = await requestAs(ada);
    expect((await requirePermission(request, "grant:role")).email).toBe("ada@corp.example");
    expect(revokeRole(ada, "admin", CLI_ACTOR)).toBe(true);
    // The next request, with the same cookie.
    const next = new Request(request);
    expect(((await thrown(requirePermission(next, "grant:role"))) as Response).status).toBe(403);
  });
});

describe("roles", () => {
  it("lets a person hold several roles, each change audited", () => {
    grantRole(grace, "moderator", { id: ada, email: "ada@corp.example" });
    grantRole(grace, "leadership", { id: ada, email: "ada@corp.example" });
    expect(rolesOf(grace).sort()).toEqual(["leadership", "moderator"]);
    revokeRole(grace, "moderator", { id: ada, email: "ada@corp.example" });
    expect(rolesOf(grace)).toEqual(["leadership"]);
    const entries = getDb()
      .select()
      .from(auditLog)
      .where(eq(auditLog.targetId, String(grace)))
      .all();
    expect(entries.map((e) => [e.action, e.actorLabel, e.details?.role])).toEqual([
      ["role.grant", "ada@corp.example", "moderator"],
      ["role.grant", "ada@corp.example", "leadership"],
      ["role.revoke", "ada@corp.example", "moderator"],
    ]);
  });

  it("stops an admin from removing their own admin role", () => {
    grantRole(ada, "admin", CLI_ACTOR);
    expect(() => revokeRole(ada, "admin", { id: ada, email: "ada@corp.example" })).toThrowError(
      RoleChangeError,
    );
    expect(rolesOf(ada)).toContain("admin");
  });
});

describe("sessions", () => {
  it("end when the person is deactivated", async () => {
    const request = await requestAs(grace);
    expect(await getSessionUser(request)).not.toBeNull();
    setPersonActive(grace, false, CLI_ACTOR);
    // The next request, with the same cookie.
    expect(await getSessionUser(new Request(request))).toBeNull();
    expect(getDb().select().from(sessions).where(eq(sessions.personId, grace)).all()).toEqual([]);
    setPersonActive(grace, true, CLI_ACTOR);
  });

  it("expire after 30 days unless used, and renew on use", async () => {
    const request = await requestAs(ada);
    const now = Date.now();
    expect((await getSessionUser(request, now + 1000))?.setCookie).toBeUndefined();
    const renewed = await getSessionUser(request, now + 2 * 24 * 60 * 60_000);
    expect(renewed?.setCookie).toMatch(/__session=.*Max-Age=2592000.*HttpOnly.*SameSite=Lax/);
    // Renewed two days in, so it outlives the original 30 days…
    expect(await getSessionUser(request, now + SESSION_TTL_MS + 60_000)).not.toBeNull();
    // …while a session nobody uses ends on time.
    const idle = await requestAs(ada);
    expect(await getSessionUser(idle, Date.now() + SESSION_TTL_MS + 1)).toBeNull();
  });

  it("reject a forged cookie", async () => {
    const request = new Request("http://x/", { headers: { Cookie: "__session=forged.value" } });
    expect(await getSessionUser(request)).toBeNull();
  });
});

describe("audit log", () => {
  it("is append-only in the database itself", () => {
    const db = getDb();
    expect(() => db.update(auditLog).set({ action: "tampered" }).run()).toThrowError(/append-only/);
    expect(() => db.delete(auditLog).run()).toThrowError(/append-only/);
  });
});
