import { describe, expect, it } from "vitest";
import { isWallTime, wallTimeIn } from "../../app/platform/time";

/**
 * A datetime-local value carries no zone; wallTimeIn reads it in the zone a page named beside the field.
 * Pure conversions: nothing here reads the clock, so the days are literal (marked for test-dates).
 */
const at = (value: string, zone: string) => wallTimeIn(value, zone)?.toISOString();

describe("a wall-clock time in a named zone", () => {
  it("is the instant that zone's clocks show it, summer or winter", () => {
    expect(at("2027-01-07T09:00", "America/New_York")).toBe("2027-01-07T14:00:00.000Z"); // fixed clock
    expect(at("2027-07-07T09:00", "America/New_York")).toBe("2027-07-07T13:00:00.000Z"); // fixed clock
    expect(at("2027-01-07T09:00", "Asia/Singapore")).toBe("2027-01-07T01:00:00.000Z"); // fixed clock
    expect(at("2027-01-07T09:00", "UTC")).toBe("2027-01-07T09:00:00.000Z"); // fixed clock
  });

  it("reads a time the clocks skip an hour later, and one they pass twice as its first passing", () => {
    // New York springs forward at 02:00 on 14 March 2027 and falls back at 02:00 on 7 November.
    expect(at("2027-03-14T02:30", "America/New_York")).toBe("2027-03-14T07:30:00.000Z"); // fixed clock
    expect(at("2027-11-07T01:30", "America/New_York")).toBe("2027-11-07T05:30:00.000Z"); // fixed clock
    // East of Greenwich the same rules hold (Berlin: 28 March, 31 October; Sydney springs forward in October).
    expect(at("2027-03-28T02:30", "Europe/Berlin")).toBe("2027-03-28T01:30:00.000Z"); // fixed clock
    expect(at("2027-10-31T02:30", "Europe/Berlin")).toBe("2027-10-31T00:30:00.000Z"); // fixed clock
    expect(at("2027-10-03T02:30", "Australia/Sydney")).toBe("2027-10-02T16:30:00.000Z"); // fixed clock
  });

  it("is no time at all for a day or hour no clock shows", () => {
    expect(isWallTime("2027-02-30T09:00")).toBe(false);
    expect(isWallTime("2027-02-28T24:00")).toBe(false); // fixed clock
    expect(isWallTime("2027-02-28T09:00Z")).toBe(false); // fixed clock
    expect(wallTimeIn("soon", "UTC")).toBeNull();
    expect(isWallTime("2027-02-28T23:59:59")).toBe(true); // fixed clock
  });
});
