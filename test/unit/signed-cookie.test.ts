/**
 * The session and flash cookies are written and read by signedCookie rather than Remix's createCookie
 * (whose generic encoding was a tenth of a signature's CPU: docs/benchmarks.md). These prove the
 * format is Remix's to the byte, both ways, and that what Remix refuses is refused: a cookie
 * written before the change still signs its holder in, and the flash still reaches the next page.
 */
import { createHmac } from "node:crypto";
import { createCookie, createCookieSessionStorage } from "@remix-run/node";
import { describe, expect, it } from "vitest";
import { getConfig } from "../../app/config.server";
import { cookieName } from "../../app/web/cookie-names";
import { flashCookie, readFlash } from "../../app/web/flash.server";
import { signedCookie } from "../../app/web/signed-cookie.server";

const SECRET = "a secret of the kind the data folder holds";
const SESSION = { httpOnly: true, sameSite: "lax", secure: true, path: "/", maxAge: 2_592_000 } as const;
const FLASH = { httpOnly: true, sameSite: "lax", secure: false, path: "/" } as const;

/** A value signed as Remix signs, whatever it holds (to reach the decoding with odd contents). */
const signed = (value: string, secret = SECRET) =>
  `${value}.${createHmac("sha256", secret).update(value).digest("base64").replace(/=+$/, "")}`;
const pair = (name: string, value: string) => `${name}=${encodeURIComponent(value)}`;

describe("signedCookie", () => {
  const values = [
    "rV8bD2kZ0x-token_of_a_session",
    { __flash_flash__: { kind: "success", message: "Thank you for signing. Your receipt is entry #12." } },
    { message: 'Café, 署名, 🖊️, quotes " and ; semicolons, % and +' },
    ["a", 1, null, true],
    0,
  ];

  it.each([
    ["__Host-session", SESSION],
    ["__flash", FLASH],
  ])("writes %s exactly as createCookie does", async (name, options) => {
    const ours = signedCookie(name, { ...options, secrets: [SECRET] });
    const remix = createCookie(name, { ...options, secrets: [SECRET] });
    for (const value of values) expect(await ours.serialize(value)).toBe(await remix.serialize(value));
    // Clearing is Remix's own.
    expect(await ours.serialize("", { maxAge: 0 })).toBe(await remix.serialize("", { maxAge: 0 }));
  });

  it("reads every header as createCookie does, refusing what it refuses", async () => {
    const name = "__Host-session";
    const ours = signedCookie(name, { ...SESSION, secrets: [SECRET] });
    const remix = createCookie(name, { ...SESSION, secrets: [SECRET] });
    const written = (await remix.serialize("the-token")).split(";")[0] ?? "";
    const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");
    const headers = [
      null,
      "",
      written,
      `theme=dark; ${written}; other=1`,
      `${written}; ${pair(name, signed(base64('"a later one"')))}`,
      ` \t${written.replace("=", "= \t")}\t `,
      `${name}="${decodeURIComponent(written.slice(name.length + 1))}"`,
      `${name}=`,
      `${name}="`,
      `no-equals; ${written}`,
      `junk;${written}`,
      `${written}x`,
      pair(name, signed(base64('"token"'), "another secret")),
      pair(name, signed("not*base64!")),
      pair(name, signed("YQ=")),
      pair(name, signed("YWJj\nZA==")),
      pair(name, signed(Buffer.from([0xef, 0xbb, 0xbf, 0x22, 0x61, 0x22]).toString("base64"))),
      pair(name, signed(Buffer.from([0x22, 0xff, 0x22]).toString("base64"))),
      pair(name, signed(base64("not json"))),
      `${name}=%E0%A4%A`,
      `${name}=no-dot-at-all`,
    ];
    for (const header of headers) {
      expect({ header, value: ours.parse(header) }).toEqual({ header, value: await remix.parse(header) });
    }
  });
});

describe("the flash cookie", () => {
  const storage = () => {
    const config = getConfig();
    return createCookieSessionStorage({
      cookie: {
        name: cookieName("flash", config.secureCookies),
        httpOnly: true,
        sameSite: "lax",
        secure: config.secureCookies,
        path: "/",
        secrets: [config.sessionSecret],
      },
    });
  };
  const request = (setCookie: string) =>
    new Request("http://localhost/", { headers: { Cookie: setCookie.split(";")[0] ?? "" } });

  it("is what Remix's cookie session storage writes and reads, both ways", async () => {
    const flash = { kind: "success" as const, message: "Thank you for signing." };
    const remix = storage();
    const session = await remix.getSession();
    session.flash("flash", flash);
    const remixCookie = await remix.commitSession(session);
    expect(await flashCookie(flash)).toBe(remixCookie);

    const read = await readFlash(request(remixCookie));
    expect(read.flash).toEqual(flash);
    // The flash is read once: the cookie sent back holds nothing, as Remix's storage would write it.
    const again = await remix.getSession(request(remixCookie).headers.get("Cookie"));
    expect(again.get("flash")).toEqual(flash);
    expect(read.setCookie).toBe(await remix.commitSession(again));
    expect((await readFlash(request(read.setCookie ?? ""))).flash).toBeNull();
  });
});
