import { describe, expect, it } from "vitest";
import { crossSiteRefusal, hostProblem } from "../../app/server/request-guards.server";

const APP = "https://petitions.corp.example";

describe("crossSiteRefusal", () => {
  it.each([
    ["a form from the app's own page", "POST", { origin: APP, secFetchSite: "same-origin" }, null],
    ["an older browser naming only its Referer", "POST", { referer: `${APP}/petitions/x` }, null],
    ["a mail client's one-click unsubscribe (no sender at all)", "POST", {}, null],
    [
      "a link followed from another site",
      "GET",
      { origin: "https://evil.example", secFetchSite: "cross-site" },
      null,
    ],
    ["a HEAD from anywhere", "HEAD", { secFetchSite: "cross-site" }, null],
  ])("lets through %s", (_label, method, sender, expected) => {
    expect(crossSiteRefusal(method, sender, APP)).toBe(expected);
  });

  it.each([
    ["another site's Origin", "POST", { origin: "https://evil.example" }],
    ["the same host over http", "POST", { origin: "http://petitions.corp.example" }],
    ["another port", "POST", { origin: "https://petitions.corp.example:8443" }],
    ["a sibling subdomain", "POST", { origin: "https://evil.corp.example", secFetchSite: "same-site" }],
    ["the opaque origin of a sandboxed frame", "POST", { origin: "null" }],
    ["a foreign Referer without Origin", "POST", { referer: "https://evil.example/page" }],
    ["a Referer that is not an address", "POST", { referer: "::" }],
    [
      "Sec-Fetch-Site: cross-site even with a matching Origin",
      "POST",
      { origin: APP, secFetchSite: "cross-site" },
    ],
    ["a DELETE from another site", "DELETE", { origin: "https://evil.example" }],
    ["a lower-case method", "post", { origin: "https://evil.example" }],
  ])("refuses %s", (_label, method, sender) => {
    expect(crossSiteRefusal(method, sender, APP)).toMatch(/./);
  });
});

describe("hostProblem", () => {
  it.each([
    ["localhost:3000", undefined],
    ["petitions.corp.example", undefined],
    ["[::1]:3000", undefined],
    ["127.0.0.1", "petitions.corp.example:443"],
  ])("lets %s (forwarded %s) through", (host, forwarded) => {
    expect(hostProblem(host, forwarded)).toBeNull();
  });

  it.each([
    ["a port past 65535", "ok.example:99999", undefined, "Host"],
    ["a space", "a b", undefined, "Host"],
    ["an unclosed IPv6 bracket", "[::1", undefined, "Host"],
    ["an empty Host", "", undefined, "Host"],
    ["a forwarded host with a port past 65535", "localhost:3000", "ok.example:70000", "X-Forwarded-Host"],
  ])("refuses %s", (_label, host, forwarded, header) => {
    expect(hostProblem(host, forwarded)).toBe(`its ${header} header is not a host name and port`);
  });
});
