import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { safeToCompress } from "../../app/server/compression.server";
import { sessionCookie } from "../support/fixtures";
import { type HttpResponse, httpRequest } from "../support/http-client";
import { systemApp } from "../support/system-world";

/**
 * What goes out compressed (ADR 27): the fingerprinted assets from the brotli and gzip copies made at
 * build time, and pages only where BREACH has no secret to find — signed out, setting no cookie, and
 * not the pages whose address holds a one-time secret. A signed-in reader's pages go as they are.
 */

const system = systemApp();

/** One GET with these headers, its body as sent (`bytes`: not decompressed, unlike fetch). */
const rawGet = (url: string, headers: Record<string, string> = {}) => httpRequest(url, { headers });

const decoded = (raw: HttpResponse) => {
  const encoding = raw.headers["content-encoding"];
  if (encoding === "br") return brotliDecompressSync(raw.bytes).toString("utf8");
  if (encoding === "gzip") return gunzipSync(raw.bytes).toString("utf8");
  return raw.bytes.toString("utf8");
};

const ACCEPT_ALL = { "Accept-Encoding": "br, gzip, deflate" };

describe("pages", () => {
  it("go out compressed to a signed-out visitor, brotli first, gzip otherwise, with Vary: Accept-Encoding", async () => {
    const { app, world } = system;
    const page = `${app.baseUrl}/petitions/${world.petitions.open.slug}`;
    const plain = await rawGet(page);
    expect(plain.status).toBe(200);
    expect(plain.headers["content-encoding"]).toBeUndefined();

    const br = await rawGet(page, ACCEPT_ALL);
    expect(br.status).toBe(200);
    expect(br.headers["content-encoding"]).toBe("br");
    expect(String(br.headers.vary)).toMatch(/accept-encoding/i);
    expect(br.bytes.length).toBeLessThan(plain.bytes.length / 2);
    expect(decoded(br)).toContain(world.petitions.open.title);

    const gzip = await rawGet(page, { "Accept-Encoding": "gzip" });
    expect(gzip.headers["content-encoding"]).toBe("gzip");
    expect(decoded(gzip)).toContain(world.petitions.open.title);

    for (const list of ["/", "/petitions", "/announcements"]) {
      const response = await rawGet(`${app.baseUrl}${list}`, ACCEPT_ALL);
      expect(response.status, list).toBe(200);
      expect(response.headers["content-encoding"], list).toBe("br");
    }
  });

  it("go out uncompressed to a signed-in reader (their pages carry their own secrets: BREACH)", async () => {
    const { app, world } = system;
    const cookie = await sessionCookie(world.people.staff.id);
    for (const pagePath of [`/petitions/${world.petitions.open.slug}`, "/petitions", "/my/petitions"]) {
      const response = await rawGet(`${app.baseUrl}${pagePath}`, { ...ACCEPT_ALL, Cookie: cookie });
      expect(response.status, pagePath).toBe(200);
      expect(response.headers["content-encoding"], pagePath).toBeUndefined();
      expect(response.bytes.toString("utf8"), pagePath).toContain("</html>");
    }
  });

  it("go out uncompressed where the address holds a one-time secret: the sign-in link, unsubscribe", async () => {
    const { app } = system;
    for (const pagePath of ["/sign-in/verify?token=abcdefabcdefabcdefabcdef", "/unsubscribe/abc"]) {
      const response = await rawGet(`${app.baseUrl}${pagePath}`, ACCEPT_ALL);
      expect(response.headers["content-encoding"], `${pagePath} (${response.status})`).toBeUndefined();
    }
  });

  it("are never compressed in a response that sets a cookie, nor for a request carrying a session", () => {
    const request = (pathname: string, cookie?: string) => ({ path: pathname, headers: { cookie } });
    expect(safeToCompress(request("/petitions"), undefined)).toBe(true);
    expect(safeToCompress(request("/petitions", "theme=dark"), undefined)).toBe(true);
    expect(safeToCompress(request("/petitions", "a=1; __session=xyz"), undefined)).toBe(false);
    expect(safeToCompress(request("/petitions", "__session=xyz"), undefined)).toBe(false);
    expect(safeToCompress(request("/petitions"), ["__flash=abc; Path=/"])).toBe(false);
    expect(safeToCompress(request("/sign-in/verify"), undefined)).toBe(false);
    expect(safeToCompress(request("/unsubscribe/token"), undefined)).toBe(false);
  });
});

describe("assets", () => {
  it("are served from the brotli and gzip copies made at build time, and as they are to a client that asks for neither", async () => {
    const { app, world } = system;
    const html = (await rawGet(`${app.baseUrl}/petitions/${world.petitions.open.slug}`)).bytes.toString(
      "utf8",
    );
    const scripts = [...html.matchAll(/\/assets\/[\w.-]+\.js/g)].map((m) => m[0]);
    expect(scripts.length).toBeGreaterThan(0);
    const dir = path.join(process.cwd(), "build", "client");
    // The biggest script the page loads: surely over the 1 KiB below which nothing is precompressed.
    const [asset] = [...new Set(scripts)].sort(
      (a, b) => readFileSync(path.join(dir, b)).length - readFileSync(path.join(dir, a)).length,
    );
    if (!asset) throw new Error("no script");
    const file = path.join(dir, asset);
    expect(existsSync(`${file}.br`)).toBe(true);
    expect(existsSync(`${file}.gz`)).toBe(true);

    const br = await rawGet(`${app.baseUrl}${asset}`, ACCEPT_ALL);
    expect(br.status).toBe(200);
    expect(br.headers["content-encoding"]).toBe("br");
    expect(String(br.headers.vary)).toMatch(/accept-encoding/i);
    expect(String(br.headers["content-type"])).toMatch(/javascript/);
    expect(String(br.headers["cache-control"])).toMatch(/immutable/);
    expect(br.bytes.equals(readFileSync(`${file}.br`))).toBe(true);

    const gzip = await rawGet(`${app.baseUrl}${asset}`, { "Accept-Encoding": "gzip" });
    expect(gzip.headers["content-encoding"]).toBe("gzip");
    expect(gzip.bytes.equals(readFileSync(`${file}.gz`))).toBe(true);

    const plain = await rawGet(`${app.baseUrl}${asset}`);
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.bytes.equals(readFileSync(file))).toBe(true);
  });
});
