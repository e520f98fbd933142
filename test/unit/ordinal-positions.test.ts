import { describe, expect, it } from "vitest";
import { wordsIn } from "../support/catalog-text";
import { receiptNumber } from "../support/http-client";

const { ordinal } = wordsIn("en").format;

describe("a receipt's position in words", () => {
  it("reads as a colleague says it, teens included", () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111, 112, 1234].map(ordinal)).toEqual([
      "1st",
      "2nd",
      "3rd",
      "4th",
      "11th",
      "12th",
      "13th",
      "21st",
      "22nd",
      "23rd",
      "101st",
      "111th",
      "112th",
      "1,234th",
    ]);
  });

  it("is read back from the thank-you message by the system tests", () => {
    for (const n of [1, 22, 1234])
      expect(
        receiptNumber(
          `Thank you for signing: yours is the ${ordinal(n)} entry in this petition's public record.`,
        ),
      ).toBe(n);
  });
});
