import { describe, expect, it } from "vitest";
import { SLUG_MAX_LENGTH, slugify, uniqueSlug } from "../../app/platform/content/slugs";

/** What every address must be: short, one line of words and hyphens, nothing invisible, no case. */
function expectSafe(slug: string) {
  expect(slug.length).toBeLessThanOrEqual(SLUG_MAX_LENGTH);
  expect(slug).toMatch(/^[a-z0-9\p{L}\p{M}]+(-[a-z0-9\p{L}\p{M}]+)*$/u);
  expect(slug).not.toMatch(/\p{Default_Ignorable_Code_Point}|\p{Lu}|\p{Cc}|\p{Cf}/u);
  expect(slug.normalize("NFC")).toBe(slug);
  // A browser can send it back: it survives percent-encoding both ways.
  expect(decodeURIComponent(encodeURIComponent(slug))).toBe(slug);
}

describe("addresses in every script", () => {
  const readable: Array<[string, string, string]> = [
    [
      "Japanese (kana and kanji, kept)",
      "社員食堂にベジタリアンメニューを",
      "社員食堂にベジタリアンメニューを",
    ],
    ["Chinese (kept)", "在家办公的权利", "在家办公的权利"],
    ["Korean (kept, words joined by hyphens)", "직원 식당 개선", "직원-식당-개선"],
    ["Russian (romanized)", "Сократить совещания по пятницам", "sokratit-soveshchaniya-po-pyatnitsam"],
    ["Greek (romanized)", "Περισσότερες άδειες για γονείς", "perissoteres-adeies-gia-goneis"],
    ["Arabic (kept; its digits in ASCII)", "نريد مواقف للدراجات ٢٠٢٦", "نريد-مواقف-للدراجات-2026"],
    ["Hebrew (kept)", "חניה לאופניים במשרד", "חניה-לאופניים-במשרד"],
    ["German ß and umlauts", "Größere Büros für Straßenbahnfahrer", "grossere-buros-fur-strassenbahnfahrer"],
    [
      "French accents",
      "Crème brûlée à la cantine, s'il vous plaît",
      "creme-brulee-a-la-cantine-s-il-vous-plait",
    ],
    ["mixed scripts", "MCI 改革 2026", "mci-改革-2026"],
    ["full-width letters", "ＭＣＩ　改革", "mci-改革"],
    ["Latin letters with no decomposition", "Łódź Øresund Æsir þorn", "lodz-oresund-aesir-thorn"],
  ];
  it.each(readable)("%s: readable words, never 'petition'", (_name, title, slug) => {
    expect(slugify(title)).toBe(slug);
    expectSafe(slugify(title));
  });

  it("writes a Russian word with a hard or soft sign as one word", () => {
    expect(slugify("Объявление")).toBe("obyavlenie");
  });

  it("gives a title made only of emoji or punctuation the kind's name", () => {
    expect(slugify("🎉🎉🎉")).toBe("petition");
    expect(slugify("「！」", "policy")).toBe("policy");
  });

  it("keeps no bidi control or invisible character, and does not split a word at one", () => {
    const title = "Pay\u200B rise \u202Enow\u202C \u2066ok\u2069 \u3164 so\u00ADft x\uFE0F";
    expect(slugify(title)).toBe("pay-rise-now-ok-soft-x");
    expect(slugify("\u200F\u200E\u3164\u115F")).toBe("petition");
    expect(slugify("חניה\u200Fלאופניים")).toBe("חניהלאופניים");
  });

  it("writes a Cyrillic or Greek look-alike of a Latin title as that Latin title (no homoglyph addresses)", () => {
    // "Pаy rise" with a Cyrillic а, "ΑΙ" with Greek capitals.
    expect(slugify("P\u0430y rise")).toBe("pay-rise");
    expect(slugify("\u0391\u0399 training")).toBe("ai-training");
    // A combining dot, a modifier apostrophe or a tatweel inside a Latin word is dropped.
    expect(slugify("Pay ri\u0307se")).toBe("pay-rise");
    expect(slugify("Don\u02bct cut pay")).toBe("dont-cut-pay");
    expect(slugify("Pay\u0640rise")).toBe("payrise");
  });

  it("cuts a long title at a word boundary within 60 characters, in any script", () => {
    const english = slugify(
      "Let staff opt out of keystroke and click logging for AI training, now and forever",
    );
    expect(english).toBe("let-staff-opt-out-of-keystroke-and-click-logging-for-ai");
    const japanese = slugify(
      "社員食堂にベジタリアンメニューを導入してください。毎日の昼食をもっと健康的で多様なものにするために、社員の声を聞いてください",
    );
    expect(japanese.startsWith("社員食堂にベジタリアンメニューを導入してください-毎日の昼食を")).toBe(true);
    const oneLongWord = slugify("a".repeat(100));
    expect(oneLongWord).toBe("a".repeat(60));
    const emojiBetween = slugify(`${"x".repeat(59)}👍🏽 ${"y".repeat(10)}`);
    expect(emojiBetween).toBe("x".repeat(59));
    for (const slug of [english, japanese, oneLongWord, emojiBetween]) expectSafe(slug);
  });

  it("keeps the rules for reserved words, all digits and taken addresses", () => {
    const none = () => false;
    expect(uniqueSlug("New", "petition", new Set(["new"]), none)).toBe("new-petition");
    expect(uniqueSlug("٢٠٢٦", "petition", new Set(), none)).toBe("2026-petition");
    const taken = new Set(["在家办公的权利", "在家办公的权利-2"]);
    expect(uniqueSlug("在家办公的权利", "petition", new Set(), (s) => taken.has(s))).toBe("在家办公的权利-3");
  });
});
