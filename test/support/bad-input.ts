import { seededRandom } from "../../app/demo/seeded-random";
import { dateTimeFromNow, dayFromNow } from "./dates";
import { XSS_PAYLOADS } from "./xss-payloads";

/**
 * Generators of bad input for the fuzzer: values, field names, whole bodies with lying or broken
 * encodings. Everything comes from one seeded PRNG, so a seed replays the same requests.
 */
export function randomSource(seed: number) {
  const next = seededRandom(seed);
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => {
    const item = items[Math.floor(next() * items.length)];
    if (item === undefined) throw new Error("pick from an empty list");
    return item;
  };
  return { next, int, pick, chance: (p: number) => next() < p };
}
export type Random = ReturnType<typeof randomSource>;

/** Unicode that breaks naive code: surrogates, direction overrides, invisibles, NULs, ZWJ, combining marks. */
export const UNICODE_EDGES = [
  "\uD800", // lone high surrogate (UTF-8 encoders write U+FFFD for it)
  "\uDFFF",
  "a\uD83Dz",
  "\u202Egnp.exe\u202C", // right-to-left override
  "\u2066isolate\u2069",
  "\u200B\u200C\u200D\u2060\uFEFF", // zero-width
  "\u0000",
  "nul\u0000inside",
  "\u0000".repeat(64),
  "👩‍👩‍👧‍👦👨🏽‍💻🏳️‍🌈",
  "Z\u0351\u0352\u0353\u0354\u0355\u0356\u0357\u0358\u0359a\u035A\u035B\u035C\u035D\u035El\u035F\u0360g\u0361o",
  `e${"\u0301".repeat(5000)}`, // one letter, five thousand accents
  "\uFDFD\u0BF5\uA9C5",
  "𝕳𝖊𝖑𝖑𝖔 𝔀𝓸𝓻𝓵𝓭",
  "\u2028\u2029",
  "\uFFFE\uFFFF\uFFFD",
  "\u001B[31mred\u001B[0m",
  "\r\n\r\nSet-Cookie: injected=1",
  "line\rbreak\nand\ttab\u000B\u000C",
  "İıſK", // case-mapping surprises
  "ＡＢＣ１２３", // fullwidth
  "١٢٣٤", // Arabic-Indic digits
  "\u0600\u0601\u0602", // prepended concatenation marks
  "\uE000\uF8FF", // private use
  "\u{1F600}".repeat(2000),
] as const;

/**
 * Markdown that once cost the renderer its stack or its time: ~3,000 nested quotes threw a RangeError
 * (a petition body like it made its page a 500 for every viewer), nested lists on one line, and runs
 * of emphasis, brackets and backticks that micromark pairs up quadratically within a paragraph.
 */
export const MARKDOWN_BOMBS = [
  `${">".repeat(3_000)} deep`,
  `${"> ".repeat(1_000)}deep`,
  `${"- ".repeat(2_000)}deep`,
  `${"1. ".repeat(1_500)}deep`,
  `${"*".repeat(2_500)}a${"*".repeat(2_500)}`,
  "*a".repeat(2_500),
  "_a".repeat(2_500),
  "[".repeat(5_000),
  "[a](".repeat(1_250),
  "`a".repeat(2_500),
  "<a".repeat(2_500),
  "\\*".repeat(2_500),
  Array.from({ length: 60 }, (_, i) => `${" ".repeat(i * 2)}- level ${i}`).join("\n"),
] as const;

export const INJECTIONS = [
  "' OR '1'='1",
  "1; DROP TABLE people; --",
  '") OR 1=1 --',
  "%' AND 1=0 UNION SELECT * FROM sessions --",
  "{{7*7}}",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template-injection probe, on purpose
  "${7*7}",
  "#{7*7}",
  "../../../../etc/passwd",
  "..%2F..%2Fetc%2Fpasswd",
  "%00",
  "%",
  "\\",
  "//evil.example",
  "/\\evil.example",
  "https://evil.example/",
  "javascript:alert(1)",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "null",
  "undefined",
  "NaN",
  "[]",
  "{}",
  '{"__proto__":{"admin":true}}',
  "true",
  "on",
  "off",
] as const;

export const NUMBERS = [
  "0",
  "-1",
  "-0",
  "1.5",
  "1e3",
  "1e309",
  "-1e309",
  "NaN",
  "Infinity",
  "0x1F",
  "0b11",
  "0o17",
  "9007199254740993",
  "99999999999999999999999999",
  " 7 ",
  "7abc",
  "+7",
  "1_000",
  "١٢",
  "７",
] as const;

export const DATES = [
  `${new Date().getUTCFullYear()}-02-30T10:00`, // a day February never has
  "2026-13-45T25:61",
  "0000-01-01T00:00",
  "-001000-01-01",
  "+275760-09-13T00:00:00.000Z",
  "+275760-09-14T00:00:00.000Z",
  "9999-12-31T23:59",
  "1970-01-01T00:00",
  `${dateTimeFromNow(365 * 70)}:00`,
  dayFromNow(-2),
  new Date(Date.now() + 365 * 24 * 3_600_000).toUTCString(),
  "yesterday",
  "1e20",
  "8640000000000001",
] as const;

export const EMAILS = [
  "a@b",
  "@",
  "a@@corp.example",
  `${"x".repeat(300)}@corp.example`,
  "δοκιμή@παράδειγμα.δοκιμή",
  '"quoted local"@corp.example',
  "name@corp.example\r\nBcc: everyone@corp.example",
  "staff1@CORP.EXAMPLE",
  " staff1@corp.example ",
  "staff1@corp.example,staff2@corp.example",
] as const;

const ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _-.,;:!?/\\'\"<>&%#=+[]{}()";

export function randomText(random: Random, length: number): string {
  let text = "";
  while (text.length < length) {
    text += random.chance(0.1)
      ? random.pick(UNICODE_EDGES).slice(0, 40)
      : ALPHABET[random.int(0, ALPHABET.length - 1)];
  }
  return text.slice(0, length);
}

/**
 * Many distinct short tokens separated by commas: a list field (emails) that turns into one SQL
 * parameter each.
 */
export function manyTokens(count: number): string {
  const tokens: string[] = [];
  for (let i = 0; i < count; i++)
    tokens.push(`${String.fromCharCode(0x4e00 + (i % 20000))}${i >= 20000 ? "x" : ""}`);
  return tokens.join(",");
}

/** A value for a field: usually wrong in some way, sometimes the real ids of other things. */
export function badValue(random: Random, realIds: readonly string[], sizes: { long: number }): string {
  switch (random.int(0, 12)) {
    case 12:
      return random.pick(MARKDOWN_BOMBS);
    case 0:
      return "";
    case 1:
      return random.pick(["   ", "\t\n", "\u00A0\u3000"]);
    case 2:
      return random.pick(UNICODE_EDGES);
    case 3:
      return random.pick(INJECTIONS);
    case 4:
      return random.pick(NUMBERS);
    case 5:
      return random.pick(DATES);
    case 6:
      return random.pick(EMAILS);
    case 7:
      return random.pick(XSS_PAYLOADS);
    case 8:
      return randomText(random, random.int(1, 300));
    case 9:
      return randomText(random, random.int(5_000, sizes.long));
    case 10:
      return random.pick(realIds);
    default:
      return String(random.int(-5, 2 ** 31));
  }
}

/** Field names that break form parsers: deep nesting, absurd indexes, prototype keys, nothing at all. */
export const BAD_NAMES = [
  "",
  "[]",
  "a[",
  "]",
  "a..b",
  ".",
  "__proto__",
  "__proto__.admin",
  "constructor[prototype][admin]",
  "prototype",
  "milestones[99999999].threshold",
  "milestones[-1].threshold",
  "milestones[1e3].threshold",
  "responses[4294967294].petitionId",
  "commitments[5].text",
  "commitments[0][text]",
  "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p",
  Array.from({ length: 20_000 }, () => "a").join("."),
  `a${"[0]".repeat(20_000)}`,
  "x[4294967294]",
  "intent[]",
  "intent.x",
  "x".repeat(10_000),
  "name\u0000",
  "😀",
] as const;

export type Fields = Array<[string, string | Blob]>;

/** Changes a body in one of many wrong ways (drop, add, duplicate, retype, rename). */
export function mutate(
  random: Random,
  fields: Fields,
  knownNames: readonly string[],
  value: () => string,
): Fields {
  const result: Fields = fields.map(([name, v]) => [name, v]);
  const i = random.int(0, Math.max(0, result.length - 1));
  switch (random.int(0, 9)) {
    case 0:
      result.splice(i, 1);
      break;
    case 1:
      return [];
    case 2:
      result.push([random.pick(knownNames.length ? knownNames : ["x"]), value()]);
      break;
    case 3:
      result.push([random.pick(BAD_NAMES), value()]);
      break;
    case 4: {
      const field = result[i];
      if (field) result.push([field[0], random.chance(0.5) ? field[1] : value()]);
      break;
    }
    case 5: {
      const field = result[i];
      if (field) result[i] = [field[0], new Blob([value()], { type: "application/octet-stream" })];
      break;
    }
    case 6: {
      const intent = result.findIndex(([name]) => name === "intent");
      const wrong = random.pick([
        "",
        "PUBLISH",
        " sign",
        "sign ",
        "sign\u0000",
        "delete;",
        "transition",
        "hide",
        "x".repeat(1000),
      ]);
      if (intent >= 0) result[intent] = ["intent", wrong];
      else result.push(["intent", wrong]);
      break;
    }
    case 7:
      result.push(["_fetcher", "1"]);
      break;
    default: {
      const field = result[i];
      if (field) result[i] = [field[0], value()];
      break;
    }
  }
  return result;
}

/**
 * Percent-encoding that also writes lone surrogates (as the invalid UTF-8 a careless client sends)
 * where encodeURIComponent would throw.
 */
export function percentEncode(text: string): string {
  return text.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]|[\uD800-\uDFFF]|[^A-Za-z0-9\-_.~]/g, (c) => {
    const code = c.charCodeAt(0);
    if (c.length > 1 || code < 0xd800 || code > 0xdfff) return encodeURIComponent(c);
    return [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
      .map((byte) => `%${byte.toString(16).toUpperCase()}`)
      .join("");
  });
}

export function urlEncoded(fields: Fields): string {
  return fields
    .map(
      ([name, value]) =>
        `${percentEncode(name)}=${percentEncode(typeof value === "string" ? value : "blob")}`,
    )
    .join("&");
}

export function multipart(fields: Fields): FormData {
  const form = new FormData();
  for (const [name, value] of fields) {
    if (typeof value === "string") form.append(name, value);
    else form.append(name, value, "upload.bin");
  }
  return form;
}

/** A body whose encoding is wrong, lies, or is broken; `contentType` undefined means none is sent. */
export type RawBody = {
  kind: string;
  /** The refusal every route that reads a form must answer with, where it does not depend on the route. */
  refusedWith?: number[];
  contentType?: string;
  headers?: Record<string, string>;
  body: string | Blob | FormData;
};

/** Every broken encoding, each with the route's own fields inside where it has any. */
export function brokenBodies(fields: Fields, sizes: { hugeBytes: number; manyFields: number }): RawBody[] {
  const { hugeBytes, manyFields } = sizes;
  const json = JSON.stringify(
    Object.fromEntries(fields.map(([k, v]) => [k, typeof v === "string" ? v : "blob"])),
  );
  const form = urlEncoded(fields);
  const boundary = "----undersignedfuzz";
  const part = (name: string, value: string) =>
    `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const parts = fields.map(([k, v]) => part(k, typeof v === "string" ? v : "blob")).join("");
  const bytes = (...values: number[]) => new Blob([new Uint8Array(values)]);
  return [
    { kind: "JSON as JSON", refusedWith: [415], contentType: "application/json", body: json },
    { kind: "JSON as a form", contentType: "application/x-www-form-urlencoded", body: json },
    { kind: "form as text/plain", refusedWith: [415], contentType: "text/plain", body: form },
    { kind: "form with no content type", refusedWith: [415], body: new Blob([form]) },
    { kind: "form as XML", refusedWith: [415], contentType: "application/xml", body: `<form>${form}</form>` },
    {
      kind: "multipart without a boundary",
      refusedWith: [400],
      contentType: "multipart/form-data",
      body: `${parts}--${boundary}--\r\n`,
    },
    {
      kind: "multipart with another boundary",
      contentType: "multipart/form-data; boundary=somethingelse",
      body: `${parts}--${boundary}--\r\n`,
    },
    {
      kind: "multipart cut short",
      refusedWith: [400],
      contentType: `multipart/form-data; boundary=${boundary}`,
      body: parts.slice(0, -7),
    },
    {
      kind: "multipart part without a name",
      contentType: `multipart/form-data; boundary=${boundary}`,
      body: `--${boundary}\r\nContent-Disposition: form-data\r\n\r\nvalue\r\n--${boundary}--\r\n`,
    },
    {
      kind: "multipart with a huge part header",
      contentType: `multipart/form-data; boundary=${boundary}`,
      body: `--${boundary}\r\nContent-Disposition: form-data; name="${"n".repeat(100_000)}"\r\n\r\nv\r\n--${boundary}--\r\n`,
    },
    {
      kind: "invalid UTF-8 bytes",
      contentType: "application/x-www-form-urlencoded",
      body: bytes(
        0x69,
        0x6e,
        0x74,
        0x65,
        0x6e,
        0x74,
        0x3d,
        0xff,
        0xfe,
        0xc0,
        0x80,
        0xed,
        0xa0,
        0x80,
        0x26,
        0x62,
        0x3d,
        0xf8,
      ),
    },
    {
      kind: "broken percent escapes",
      contentType: "application/x-www-form-urlencoded",
      body: `${form}&a=%&b=%zz&%E0%A4%A=1&c=%ED%A0%80&d=%C0%80&=&&&==&%00=%00`,
    },
    {
      kind: "UTF-16 with a charset",
      contentType: "application/x-www-form-urlencoded; charset=utf-16le",
      body: new Blob([Buffer.from(form, "utf16le")]),
    },
    { kind: "empty body", contentType: "application/x-www-form-urlencoded", body: "" },
    {
      kind: "a field at index 4294967294",
      refusedWith: [400],
      contentType: "application/x-www-form-urlencoded",
      body: `${form}&x%5B4294967294%5D=1`,
    },
    {
      kind: "a field name 20,000 levels deep",
      refusedWith: [400],
      contentType: "application/x-www-form-urlencoded",
      body: `${form}&${"a.".repeat(20_000)}a=1`,
    },
    {
      kind: `${manyFields.toLocaleString("en")} fields`,
      contentType: "application/x-www-form-urlencoded",
      body: `${form}&${Array.from({ length: manyFields }, (_, i) => `f${i}=${i}`).join("&")}`,
    },
    {
      kind: "every field twice",
      contentType: "application/x-www-form-urlencoded",
      body: `${form}&${urlEncoded(fields.map(([k]) => [k, "second"]))}`,
    },
    {
      kind: "every field a file",
      body: multipart(fields.map(([k, v]) => [k, new Blob([typeof v === "string" ? v : "x"])])),
    },
    {
      kind: "gzip that is not",
      contentType: "application/x-www-form-urlencoded",
      headers: { "Content-Encoding": "gzip" },
      body: form,
    },
    {
      kind: `${(hugeBytes / 1_000_000).toFixed(1)} MB field`,
      refusedWith: [413],
      contentType: "application/x-www-form-urlencoded",
      body: `${form}&${encodeURIComponent(fields[0]?.[0] ?? "body")}=${"A".repeat(hugeBytes)}`,
    },
  ];
}
