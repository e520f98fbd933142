import { createHmac, timingSafeEqual } from "node:crypto";
import { type CookieOptions, type CookieSerializeOptions, createCookie } from "@remix-run/node";

/**
 * A signed cookie in exactly Remix's format (createCookie with `secrets`: the value is the base64 of
 * its JSON, a dot, and the HMAC-SHA256 of that in base64 without padding, URI-encoded), read and
 * written without Remix's generic encoding, which escapes and unescapes the value a character at a
 * time with a regular expression each: the session cookie is read on every signed-in request and the
 * flash written on most posts, and that was a tenth of a signature's CPU (docs/benchmarks.md).
 * The attributes are those createCookie writes for the same options (taken from it once); anything
 * but plain writing and reading (clearing the cookie with `maxAge: 0`, say) is Remix's own.
 * test/unit/signed-cookie.test.ts checks both directions against createCookie.
 */
export function signedCookie(name: string, options: CookieOptions & { secrets: string[] }) {
  if (options.expires) throw new Error("a signed cookie's attributes must not change: use maxAge");
  const remix = createCookie(name, options);
  const { secrets } = options;
  const [secret] = secrets;
  if (!secret) throw new Error(`the ${name} cookie needs a secret`);
  const sign = (value: string, key: string) =>
    `${value}.${createHmac("sha256", key).update(value).digest("base64").replace(/=+$/, "")}`;
  // Everything createCookie writes after the value: constant for these options (no Expires).
  let attributes: Promise<string> | undefined;
  return {
    name,
    async serialize(value: unknown, overrides?: CookieSerializeOptions): Promise<string> {
      if (overrides || value === "") return remix.serialize(value, overrides);
      attributes ??= remix.serialize("").then((cookie) => cookie.slice(cookie.indexOf(";")));
      const encoded = Buffer.from(JSON.stringify(value), "utf8").toString("base64");
      return `${name}=${encodeURIComponent(sign(encoded, secret))}${await attributes}`;
    },
    /** The value, as createCookie's parse gives it: null without the cookie or with a bad signature. */
    parse(header: string | null): unknown {
      const raw = header ? cookieValue(header, name) : undefined;
      if (raw === undefined) return null;
      if (raw === "") return "";
      const dot = raw.lastIndexOf(".");
      const unsigned = raw.slice(0, dot);
      const given = Buffer.from(raw);
      for (const key of secrets) {
        const expected = Buffer.from(sign(unsigned, key));
        if (dot >= 0 && expected.length === given.length && timingSafeEqual(expected, given))
          return decodeValue(unsigned);
      }
      return null;
    },
  };
}

// As decodeURIComponent: invalid UTF-8 is refused, and a byte-order mark is kept (JSON then refuses it).
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** JSON in base64, or `{}` for anything atob or decodeURIComponent would refuse (as Remix answers). */
function decodeValue(value: string): unknown {
  const bare = value.replace(/[\t\n\f\r ]/g, "");
  if (!BASE64.test(bare) || (bare.length % 4 === 0 ? false : bare.includes("=") || bare.length % 4 === 1))
    return {};
  try {
    return JSON.parse(utf8.decode(Buffer.from(bare, "base64")));
  } catch {
    return {};
  }
}

/**
 * One cookie's value from a Cookie header, as the `cookie` package's parse (Remix's) finds it: the
 * first pair of that name, spaces and tabs trimmed, one pair of quotes removed, URI-decoded when it
 * can be.
 */
function cookieValue(header: string, name: string): string | undefined {
  let index = 0;
  while (index < header.length) {
    const eq = header.indexOf("=", index);
    if (eq === -1) return undefined;
    let end = header.indexOf(";", index);
    if (end === -1) end = header.length;
    else if (eq > end) {
      // A part without "=": parse goes back to the semicolon before this "=".
      index = header.lastIndexOf(";", eq - 1) + 1;
      continue;
    }
    if (header.slice(index, eq).replace(/^[ \t]+|[ \t]+$/g, "") === name) {
      let value = header.slice(eq + 1, end).replace(/^[ \t]+|[ \t]+$/g, "");
      if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
      try {
        return value.includes("%") ? decodeURIComponent(value) : value;
      } catch {
        return value;
      }
    }
    index = end + 1;
  }
  return undefined;
}
