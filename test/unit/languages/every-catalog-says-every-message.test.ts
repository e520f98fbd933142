import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { type MessageFormatElement, parse, TYPE } from "@formatjs/icu-messageformat-parser";
import { describe, expect, it } from "vitest";
import { catalogFor } from "../../../app/i18n/catalogs.server";
import { LOCALES, PSEUDO_LOCALES } from "../../../app/i18n/locales";

/**
 * Every language says every message (ADR 0041): the same keys as the English catalog, each message a
 * valid ICU message taking the same arguments (a translation that drops `{count}` or renames it would
 * show a wrong or empty number), plural messages covering each language's own plural forms, and every
 * catalog file loaded by its language's index.
 */
const CATALOGS = path.resolve(__dirname, "../../../app/i18n/catalogs");

function argumentsOf(elements: MessageFormatElement[], found = new Set<string>()): Set<string> {
  for (const element of elements) {
    if ("value" in element && typeof element.value === "string" && element.type !== TYPE.literal)
      found.add(`${element.value}:${TYPE[element.type]}`);
    if (element.type === TYPE.tag) {
      found.add(`<${element.value}>`);
      argumentsOf(element.children, found);
    }
    if (element.type === TYPE.plural || element.type === TYPE.select)
      for (const option of Object.values(element.options)) argumentsOf(option.value, found);
  }
  return found;
}

/** A plural's own argument is written `{n, plural, …}` in one language and `{n}` in another (Japanese). */
const normalized = (args: Set<string>) =>
  [...args].map((a) => a.replace(/:(plural|select|selectordinal|number|argument)$/, ":value")).sort();

function pluralCategoriesUsed(
  elements: MessageFormatElement[],
  found: Array<{ offset: number; options: string[]; ordinal: boolean }> = [],
) {
  for (const element of elements) {
    if (element.type === TYPE.plural) {
      found.push({
        offset: element.offset,
        options: Object.keys(element.options),
        ordinal: element.pluralType === "ordinal",
      });
      for (const option of Object.values(element.options)) pluralCategoriesUsed(option.value, found);
    }
    if (element.type === TYPE.select)
      for (const option of Object.values(element.options)) pluralCategoriesUsed(option.value, found);
    if (element.type === TYPE.tag) pluralCategoriesUsed(element.children, found);
  }
  return found;
}

describe("every catalog", () => {
  const english = catalogFor("en");

  it.each(LOCALES.filter((l) => l !== "en"))("%s has exactly the English catalog's keys", (locale) => {
    const keys = Object.keys(catalogFor(locale)).sort();
    const missing = Object.keys(english).filter((k) => !keys.includes(k));
    const extra = keys.filter((k) => !(k in english));
    expect({ missing, extra }).toEqual({ missing: [], extra: [] });
  });

  it.each([...LOCALES])("%s: each message parses and takes the English message's arguments", (locale) => {
    const wrong: string[] = [];
    for (const [key, message] of Object.entries(catalogFor(locale))) {
      const source = english[key];
      if (source === undefined) continue;
      const args = normalized(argumentsOf(parse(message)));
      const expected = normalized(argumentsOf(parse(source)));
      // "#" inside a plural stands for its argument: the same number either way.
      const strip = (list: string[]) => list.filter((a) => !a.endsWith(":pound") && a !== ":value");
      if (JSON.stringify(strip(args)) !== JSON.stringify(strip(expected)))
        wrong.push(`${key}: ${JSON.stringify(strip(args))} ≠ ${JSON.stringify(strip(expected))}`);
    }
    expect(wrong).toEqual([]);
  });

  it.each([...LOCALES])("%s: every plural has an 'other' and each of the language's own forms", (locale) => {
    const wrong: string[] = [];
    const cardinal = new Intl.PluralRules(locale).resolvedOptions().pluralCategories;
    const ordinal = new Intl.PluralRules(locale, { type: "ordinal" }).resolvedOptions().pluralCategories;
    for (const [key, message] of Object.entries(catalogFor(locale)))
      for (const plural of pluralCategoriesUsed(parse(message))) {
        // French's "many" is for round millions ("1 000 000 de signatures"), which 'other' words
        // acceptably; every other form of every language is required.
        const needed = (plural.ordinal ? ordinal : cardinal).filter(
          (c) => !(locale === "fr" && c === "many"),
        );
        const lacking = needed.filter((c) => !plural.options.includes(c));
        if (lacking.length) wrong.push(`${key} lacks ${lacking.join(", ")}`);
      }
    expect(wrong).toEqual([]);
  });

  it.each([...LOCALES])(
    "%s: a number English formats (a plural or {n, number}) is formatted there too, never printed bare",
    (locale) => {
      // A bare {count} prints 1234, not 1,234 or 1.234: only `#` and `{count, number}` group digits.
      const wrong: string[] = [];
      for (const [key, message] of Object.entries(catalogFor(locale))) {
        const source = argumentsOf(parse(english[key] ?? ""));
        const numeric = [...source].filter((a) => /:(plural|number)$/.test(a)).map((a) => a.split(":")[0]);
        for (const name of numeric)
          if (argumentsOf(parse(message)).has(`${name}:argument`))
            wrong.push(`${key}: {${name}} printed bare`);
      }
      expect(wrong).toEqual([]);
    },
  );

  it("loads every catalog file: each language's index names each of its files", () => {
    for (const locale of LOCALES) {
      const files = readdirSync(path.join(CATALOGS, locale)).filter((f) => f.endsWith(".json"));
      const index = readFileSync(path.join(CATALOGS, `${locale}.ts`), "utf8");
      for (const file of files) expect(index, `${locale}/${file}`).toContain(`./${locale}/${file}`);
      expect(files.sort(), locale).toEqual(
        readdirSync(path.join(CATALOGS, "en"))
          .filter((f) => f.endsWith(".json"))
          .sort(),
      );
    }
  });

  it("makes the pseudo-locales from English with every argument kept", () => {
    for (const locale of PSEUDO_LOCALES) {
      const pseudo = catalogFor(locale);
      expect(Object.keys(pseudo).sort()).toEqual(Object.keys(english).sort());
      for (const [key, message] of Object.entries(pseudo))
        expect(normalized(argumentsOf(parse(message))), key).toEqual(
          normalized(argumentsOf(parse(english[key] ?? ""))),
        );
    }
    expect(catalogFor("en-XA")["common.nav.home"]).toBe("[Ĥöɱé]");
  });
});
