import {
  isLiteralElement,
  isPluralElement,
  isSelectElement,
  isTagElement,
  type MessageFormatElement,
  parse,
} from "@formatjs/icu-messageformat-parser";
import { printAST } from "@formatjs/icu-messageformat-parser/printer.js";
import type { PseudoLocale } from "./locales";

/**
 * Pseudo-localized catalogs, made from the English one (ADR 0041). Only literal text changes:
 * placeholders, plural and select branches and tags keep their shape, so a message formats with the
 * same values in every pseudo-locale. en-XA accents every letter and brackets each message; en-XB
 * wraps it in right-to-left override marks, as Chromium's and Android's "en-XB" do.
 */
const ACCENTED: Record<string, string> = Object.fromEntries(
  [..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"].map((letter, i) => [
    letter,
    [..."àƀçđéƒĝĥíĵķłɱñöþǫŕšŧüṽŵẋýžÀƁÇĐÉƑĜĤÍĴĶŁṀÑÖÞǪŔŠŦÜṼŴẊÝŽ"][i] ?? letter,
  ]),
);

const accent = (text: string) => text.replace(/[A-Za-z]/g, (letter) => ACCENTED[letter] ?? letter);
const RLO = "\u202e";
const PDF = "\u202c";

function transform(
  elements: MessageFormatElement[],
  change: (text: string) => string,
): MessageFormatElement[] {
  return elements.map((element) => {
    if (isLiteralElement(element)) return { ...element, value: change(element.value) };
    if (isTagElement(element)) return { ...element, children: transform(element.children, change) };
    if (isPluralElement(element) || isSelectElement(element))
      return {
        ...element,
        options: Object.fromEntries(
          Object.entries(element.options).map(([key, option]) => [
            key,
            { ...option, value: transform(option.value, change) },
          ]),
        ),
      };
    return element;
  });
}

export function pseudoLocalize(
  messages: Record<string, string>,
  locale: PseudoLocale,
): Record<string, string> {
  const change = locale === "en-XA" ? accent : (text: string) => (text.trim() ? `${RLO}${text}${PDF}` : text);
  return Object.fromEntries(
    Object.entries(messages).map(([key, message]) => {
      const printed = printAST(transform(parse(message), change));
      return [key, locale === "en-XA" ? `[${printed}]` : printed];
    }),
  );
}
