/**
 * readForm parses a urlencoded body itself (URLSearchParams over its UTF-8 text) instead of through a
 * Response's formData(), which cost a signature more than its own form (docs/benchmarks.md). These
 * prove it reads every such body exactly as the Fetch API does.
 */
import { describe, expect, it } from "vitest";
import { readForm } from "../../app/web/request.server";

const TYPE = "application/x-www-form-urlencoded";
const post = (body: Buffer<ArrayBuffer> | string, type = TYPE) =>
  new Request("http://localhost/petitions/x?index", {
    method: "POST",
    headers: { "Content-Type": type },
    body,
  });

const bytes = (...parts: Array<string | number[]>) =>
  Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : Buffer.from(p))));

describe("readForm on a urlencoded body", () => {
  it.each([
    ["a signing form", "intent=sign&visibility=public&noAnonymousSignature=on&wantsUpdates=on"],
    ["plus signs and percent escapes", "reason=Consent+matters%2C+100%25%21&a%2Bb=c%26d"],
    ["repeated names, empty names and values, stray separators", "a=1&a=2&&=x&b=&c&=&d==e"],
    ["UTF-8, escaped and raw", bytes("reason=caf%C3%A9+", [0xe2, 0x9c, 0x93], "&z=%F0%9F%98%80")],
    ["invalid UTF-8 and broken escapes", bytes("r=%FF%FE", [0xc3], "&s=%zz%4&t=%E2%9C")],
    ["a byte-order mark", bytes([0xef, 0xbb, 0xbf], "a=1")],
    ["an empty body", ""],
  ])("reads %s as Body.formData() does", async (_label, body) => {
    const expected = [...(await new Response(body, { headers: { "Content-Type": TYPE } }).formData())];
    expect([...(await readForm(post(body)))]).toEqual(expected);
    // The type's parameters and case change nothing.
    expect([...(await readForm(post(body, "Application/X-WWW-Form-Urlencoded; charset=UTF-8")))]).toEqual(
      expected,
    );
  });
});
