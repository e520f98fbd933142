import { describe, expect, it } from "vitest";
import { instantIn } from "../../../app/i18n/zoned-time";

describe("a date-time typed into a form", () => {
  it("means that time in the zone the form showed", () => {
    // fixed clock: these are the instants the inputs name, not "now"
    expect(instantIn("2026-12-10T09:00", "America/New_York")?.toISOString()).toBe("2026-12-10T14:00:00.000Z");
    expect(instantIn("2026-12-10T09:00", "Asia/Singapore")?.toISOString()).toBe("2026-12-10T01:00:00.000Z");
    expect(instantIn("2026-12-10T09:00", "UTC")?.toISOString()).toBe("2026-12-10T09:00:00.000Z");
    // Summer time in New York: four hours behind UTC, not five.
    expect(instantIn("2026-07-01T09:00", "America/New_York")?.toISOString()).toBe("2026-07-01T13:00:00.000Z");
  });

  it("is refused when the zone or the time is not real", () => {
    // fixed clock: the inputs' own text, not "now"
    expect(instantIn("2026-12-10T09:00", "Mars/Olympus_Mons")).toBeNull();
    expect(instantIn("2026-12-10 09:00", "UTC")).toBeNull();
    expect(instantIn("next tuesday", "UTC")).toBeNull();
  });
});
