import { readFileSync } from "node:fs";
import { RelaxNGValidator, XmlDocument } from "libxml2-wasm";

/**
 * Checks of Atom feeds by software nobody here wrote: libxml2 (compiled to WebAssembly) parses them
 * and validates them against the Atom grammar of RFC 4287 (atom.rng); entry ids are read by XPath and
 * held to RFC 3987's IRI syntax, which the grammar leaves unchecked.
 */

const ATOM = { atom: "http://www.w3.org/2005/Atom" };

/** The problems libxml2 finds with `xml` against the Atom grammar, or null when it is valid. */
export function atomProblems(xml: string): string | null {
  const schema = XmlDocument.fromString(readFileSync(new URL("./atom.rng", import.meta.url), "utf8"));
  const validator = RelaxNGValidator.fromDoc(schema);
  const doc = XmlDocument.fromString(xml);
  try {
    validator.validate(doc);
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  } finally {
    doc.dispose();
    validator.dispose();
    schema.dispose();
  }
}

/** The feed's entry ids, in order, as an XML parser reads them (escapes resolved). */
export function entryIds(xml: string): string[] {
  const doc = XmlDocument.fromString(xml);
  try {
    return doc.find("/atom:feed/atom:entry/atom:id", ATOM).map((node) => node.content);
  } finally {
    doc.dispose();
  }
}

// RFC 3987 §2.2, for an absolute IRI with an optional query and fragment.
const ucschar =
  "\\u{A0}-\\u{D7FF}\\u{F900}-\\u{FDCF}\\u{FDF0}-\\u{FFEF}\\u{10000}-\\u{1FFFD}\\u{20000}-\\u{2FFFD}" +
  "\\u{30000}-\\u{3FFFD}\\u{40000}-\\u{4FFFD}\\u{50000}-\\u{5FFFD}\\u{60000}-\\u{6FFFD}\\u{70000}-\\u{7FFFD}" +
  "\\u{80000}-\\u{8FFFD}\\u{90000}-\\u{9FFFD}\\u{A0000}-\\u{AFFFD}\\u{B0000}-\\u{BFFFD}\\u{C0000}-\\u{CFFFD}" +
  "\\u{D0000}-\\u{DFFFD}\\u{E1000}-\\u{EFFFD}";
const iprivate = "\\u{E000}-\\u{F8FF}\\u{F0000}-\\u{FFFFD}\\u{100000}-\\u{10FFFD}";
const iunreserved = `A-Za-z0-9\\-._~${ucschar}`;
const subDelims = "!$&'()*+,;=";
const pctEncoded = "%[0-9A-Fa-f]{2}";
const ipchar = `(?:[${iunreserved}${subDelims}:@]|${pctEncoded})`;
const iuserinfo = `(?:[${iunreserved}${subDelims}:]|${pctEncoded})*`;
const ihost = `(?:\\[[0-9A-Fa-f:.vV]+\\]|(?:[${iunreserved}${subDelims}]|${pctEncoded})*)`;
const iauthority = `(?:${iuserinfo}@)?${ihost}(?::[0-9]*)?`;
const isegment = `${ipchar}*`;
const ihierPart =
  `(?://${iauthority}(?:/${isegment})*` + // "//" iauthority ipath-abempty
  `|/(?:${ipchar}+(?:/${isegment})*)?` + // ipath-absolute
  `|${ipchar}+(?:/${isegment})*` + // ipath-rootless
  "|)"; // ipath-empty
const IRI = new RegExp(
  `^[A-Za-z][A-Za-z0-9+\\-.]*:${ihierPart}(?:\\?(?:${ipchar}|[${iprivate}/?])*)?(?:#(?:${ipchar}|[/?])*)?$`,
  "u",
);

/** Whether `value` is an absolute IRI (RFC 3987), as RFC 4287 requires of atom:id. */
export const isIri = (value: string) => IRI.test(value);
