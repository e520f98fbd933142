import { describe, expect, it } from "vitest";
import { can, PERMISSIONS } from "../../app/domain/identity/permissions.server";
import { ROLE_DESCRIPTIONS, ROLES } from "../../app/vocabulary/roles";

describe("role descriptions", () => {
  it("say what each role adds to every colleague, and a role that grants nothing says so", () => {
    for (const role of ROLES) {
      const grants = PERMISSIONS.filter((permission) => can({ roles: [role] }, permission));
      const description = ROLE_DESCRIPTIONS[role];
      if (grants.length === 0) expect(description, role).toMatch(/^Adds no rights/);
      else expect(description, role).toMatch(/^Adds (?!no)/);
    }
    // What every colleague can do is not what a role adds.
    expect(ROLE_DESCRIPTIONS.organizer).not.toMatch(/^Creates petitions/);
  });
});
