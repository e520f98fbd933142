import { describe, expect, it } from "vitest";
import { wordsIn } from "../../support/catalog-text";

/**
 * The one formatting module (ADR 0041) writes what components once asked react-intl for themselves:
 * a list of names, a clock time and the zone it is in, and a chart's UTC day or hour.
 */
const AT = Date.UTC(2026, 11, 6, 14, 0); // fixed clock

describe("the format module", () => {
  it("lists names as each language lists them", () => {
    expect(wordsIn("en").format.list(["A", "B", "C"])).toBe("A, B and C");
    expect(wordsIn("de").format.list(["A", "B", "C"])).toBe("A, B und C");
  });

  it("writes a clock time and names the zone in the reader's zone", () => {
    const singapore = wordsIn("en", "Asia/Singapore").format;
    expect(singapore.time(AT)).toBe("22:00");
    expect(singapore.zoneName()).toBe("Asia/Singapore");
    expect(singapore.isMidnight(Date.UTC(2026, 11, 6, 16, 0))).toBe(true); // fixed clock
    expect(wordsIn("en").format.isMidnight(Date.UTC(2026, 11, 6, 16, 0))).toBe(false); // fixed clock
  });

  it("writes a chart's period as its UTC day or hour, whatever the reader's zone", () => {
    const tokyo = wordsIn("en", "Asia/Tokyo").format;
    expect(tokyo.utcPeriod(AT, { hourly: false })).toBe("6 Dec 2026"); // fixed clock
    expect(tokyo.utcPeriod(AT, { hourly: true })).toBe("6 Dec 2026, 14:00"); // fixed clock
    expect(tokyo.utcPeriod(AT, { hourly: true, short: true })).toBe("6 Dec, 14:00");
  });
});
