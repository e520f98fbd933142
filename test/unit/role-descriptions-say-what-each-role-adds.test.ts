import { describe, expect, it } from "vitest";
import { can, PERMISSIONS } from "../../app/domain/identity/permissions.server";
import { en } from "../../app/i18n/catalogs/en";
import { intlFor, translatorOf } from "../../app/i18n/translate";
import { ROLES } from "../../app/vocabulary/roles";

const t = translatorOf(intlFor("en", "UTC", en));

describe("role descriptions", () => {
  it("say what each role adds to every colleague, and a role that grants nothing says so", () => {
    for (const role of ROLES) {
      const grants = PERMISSIONS.filter((permission) => can({ roles: [role] }, permission));
      const description = t("admin.role.adds", { role });
      if (grants.length === 0) expect(description, role).toMatch(/^Adds no rights/);
      else expect(description, role).toMatch(/^Adds (?!no)/);
    }
    // What every colleague can do is not what a role adds.
    expect(t("admin.role.adds", { role: "organizer" })).not.toMatch(/^Creates petitions/);
  });
});
