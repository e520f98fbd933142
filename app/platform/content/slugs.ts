/**
 * Readable, unique addresses for petitions, policies and announcements, in any script (ADR 40):
 * cased alphabets (Latin, Cyrillic, Greek…) are written in lower-case ASCII; scripts without case,
 * which no Latin letter can pass for and whose romanization reads as nonsense to their readers
 * (Chinese, Japanese, Korean, Arabic, Hebrew, Thai, the Indic scripts…), are kept as they are.
 */
import anyAscii from "any-ascii";

export const SLUG_MAX_LENGTH = 60;

/** Letters (and their marks) kept as written: caseless scripts that cannot pass for Latin. */
const KEPT =
  /^(?=[\p{L}\p{M}])[\p{scx=Han}\p{scx=Hira}\p{scx=Kana}\p{scx=Hang}\p{scx=Arab}\p{scx=Hebr}\p{scx=Thai}\p{scx=Deva}\p{scx=Beng}\p{scx=Guru}\p{scx=Gujr}\p{scx=Taml}\p{scx=Telu}\p{scx=Knda}\p{scx=Mlym}\p{scx=Sinh}\p{scx=Khmr}\p{scx=Laoo}\p{scx=Mymr}\p{scx=Ethi}]$/u;
/** Letters and digits of any script: what an address is made of (everything else separates words). */
const WORD_CHARACTER = /^[\p{L}\p{M}\p{N}]$/u;
/**
 * Invisible characters: bidi controls, zero-width spaces and joiners, soft hyphens, variation
 * selectors, Hangul fillers. Removed before anything else, so "a\u200Bb" is "ab" and nothing unseen
 * is ever part of an address.
 */
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/gu;

const words = new Intl.Segmenter(undefined, { granularity: "word" });
const characters = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/** One character of an address: kept, written in ASCII, or a word break (" "). */
function letterOf(ch: string): string {
  if (ch < "\u0080") return ch;
  if (KEPT.test(ch)) return ch;
  // any-ascii writes the Russian soft and hard signs as apostrophes, which would split a word.
  return WORD_CHARACTER.test(ch) ? anyAscii(ch).replace(/['"`]/g, "") : " ";
}

/** The longest run of whole segments (words, else characters) within `max` UTF-16 units. */
function cut(slug: string, max: number): string {
  if (slug.length <= max) return slug;
  for (const segmenter of [words, characters]) {
    let out = "";
    for (const { segment } of segmenter.segment(slug)) {
      if (out.length + segment.length > max) break;
      out += segment;
    }
    out = out.replace(/-+$/, "");
    if (out) return out;
  }
  return "";
}

export function slugify(title: string, fallback = "petition"): string {
  const base = Array.from(title.normalize("NFKC").replace(INVISIBLE, ""), letterOf)
    .join("")
    .toLowerCase()
    .replace(/[^a-z0-9\p{L}\p{M}]+/gu, "-")
    // A mark with no letter before it (after a symbol that became a break) belongs to nothing; one after
    // a Latin letter or digit, or a modifier letter or tatweel there, would make a look-alike of a
    // plain address ("ri\u0307se" for "rise").
    .replace(/(^|-)\p{M}+/gu, "$1")
    .replace(/([a-z0-9])[\p{M}\p{Lm}\u0640]+/gu, "$1")
    .replace(/-{2,}/g, "-")
    .replace(/^-+|-+$/g, "");
  // At most 60 characters, cut at a word boundary (Intl.Segmenter knows where Japanese, Chinese and
  // Thai words end, which are not separated by spaces).
  return cut(base, SLUG_MAX_LENGTH) || fallback;
}

/**
 * The title's slug, suffixed -2, -3… until `taken` says no (`taken` answers for current and former
 * addresses alike, so a former address is never given again). Slugs that routes use beside the list
 * (`reserved`, like "new") get `-${kind}` appended.
 */
export function uniqueSlug(
  title: string,
  kind: string,
  reserved: ReadonlySet<string>,
  taken: (slug: string) => boolean,
): string {
  const plain = slugify(title, kind);
  // All digits would read as an id in the routes that take an id or a slug.
  const base = reserved.has(plain) || /^\d+$/.test(plain) ? `${plain}-${kind}` : plain;
  let slug = base;
  for (let n = 2; taken(slug); n++) slug = `${base}-${n}`;
  return slug;
}
