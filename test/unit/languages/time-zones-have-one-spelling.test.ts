import { describe, expect, it } from "vitest";
import { canonicalTimeZone, isTimeZone } from "../../../app/i18n/locales";
import { browserTimeZone } from "../../../app/web/reader.server";

describe("a time zone a browser or a form sends", () => {
  it("is taken in its one spelling, so no client can make the server keep formatters for new ones", () => {
    expect(canonicalTimeZone("america/new_york")).toBe("America/New_York");
    expect(canonicalTimeZone("AMERICA/New_York")).toBe("America/New_York");
    expect(canonicalTimeZone("UTC")).toBe("UTC");
    const spellings = new Set(
      ["asia/singapore", "ASIA/SINGAPORE", "Asia/singapore", "aSiA/SiNgApOrE"].map(canonicalTimeZone),
    );
    expect([...spellings]).toEqual(["Asia/Singapore"]);
    const cookie = (value: string) =>
      new Request("http://x/", { headers: { Cookie: `tz=${encodeURIComponent(value)}` } });
    expect(browserTimeZone(cookie("europe/berlin"))).toBe("Europe/Berlin");
  });

  it("is refused when it is no zone, too long or not text, and a form must spell it as the runtime does", () => {
    for (const bad of ["Mars/Olympus_Mons", "", "x".repeat(65), 42, null, "<script>"])
      expect(canonicalTimeZone(bad), String(bad)).toBeNull();
    expect(isTimeZone("Europe/Berlin")).toBe(true);
    expect(isTimeZone("europe/berlin")).toBe(false);
    // No zone at all is no zone (a person who chose none falls back to the company's).
    expect(isTimeZone(null)).toBe(false);
    expect(isTimeZone(undefined)).toBe(false);
  });
});
