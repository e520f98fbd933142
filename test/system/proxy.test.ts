import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SIGN_IN_LIMITS } from "../../app/domain/identity/sign-in.server";
import { type AppServer, startAppServer } from "../support/app-server";
import { httpRequest } from "../support/http-client";
import { startReverseProxy } from "../support/reverse-proxy";

/**
 * Behind a reverse proxy on the same host (test/support/reverse-proxy.ts, which appends the address it
 * was reached from to X-Forwarded-For, as nginx's proxy_add_x_forwarded_for does). TRUST_PROXY decides
 * whether that header names the client (rate limits per address). The dev mailbox is not served on the
 * app's port at all, proxy or not: test/system/dev-mailbox.test.ts.
 */

const ADMIN = "boss@corp.example";
const limit = SIGN_IN_LIMITS.perIp.limit;

/**
 * `limit` sign-in requests (distinct addresses, so the per-email limit stays out of it) from `from`.
 * The server's limiter has no window to turn (ADR 10): the next request is refused whatever the
 * clock says, as long as these take less than one interval of the rule (15 minutes / 30 = 30 s).
 */
async function useUpIpLimit(base: string, from: string, tag: string) {
  for (let i = 0; i < limit; i++) {
    const answer = await httpRequest(`${base}/sign-in`, {
      from,
      form: { email: `${tag}${i}@elsewhere.example` },
    });
    expect(answer.status).toBe(200);
  }
}

describe("without TRUST_PROXY", () => {
  let app: AppServer;
  let proxy: Awaited<ReturnType<typeof startReverseProxy>>;
  beforeAll(async () => {
    app = await startAppServer({ ADMIN_EMAILS: ADMIN });
    proxy = await startReverseProxy(app.baseUrl, { forwardedFor: true });
  });
  afterAll(async () => {
    await proxy?.close();
    await app?.stop();
  });

  it("counts every client through the proxy as the proxy: one bucket, X-Forwarded-For ignored", async () => {
    await useUpIpLimit(proxy.url, "127.0.7.1", "a");
    // Another colleague, through the same proxy: the same address to the server, so refused.
    expect(
      (
        await httpRequest(`${proxy.url}/sign-in`, {
          from: "127.0.7.2",
          form: { email: "b@elsewhere.example" },
        })
      ).status,
    ).toBe(429);
  });
});

describe("with TRUST_PROXY=1 (one proxy hop)", () => {
  let app: AppServer;
  let proxy: Awaited<ReturnType<typeof startReverseProxy>>;
  beforeAll(async () => {
    app = await startAppServer({ TRUST_PROXY: "1", ADMIN_EMAILS: ADMIN });
    proxy = await startReverseProxy(app.baseUrl, { forwardedFor: true });
  });
  afterAll(async () => {
    await proxy?.close();
    await app?.stop();
  });

  it("takes the client's address from the proxy's X-Forwarded-For: one bucket per colleague", async () => {
    expect(app.output()).toContain(
      "Behind a proxy: client addresses come from X-Forwarded-For through 1 hop",
    );
    await useUpIpLimit(proxy.url, "127.0.8.1", "c");
    expect(
      (
        await httpRequest(`${proxy.url}/sign-in`, {
          from: "127.0.8.1",
          form: { email: "c-last@elsewhere.example" },
        })
      ).status,
    ).toBe(429);
    // Another colleague through the same proxy has a bucket of their own.
    expect(
      (
        await httpRequest(`${proxy.url}/sign-in`, {
          from: "127.0.8.2",
          form: { email: "d@elsewhere.example" },
        })
      ).status,
    ).toBe(200);
    // A forged X-Forwarded-For sent through the proxy does not buy a fresh bucket: the proxy's own
    // entry (the last, the one hop trusted) is what counts.
    expect(
      (
        await httpRequest(`${proxy.url}/sign-in`, {
          from: "127.0.8.1",
          headers: { "X-Forwarded-For": "198.51.100.9" },
          form: { email: "c-forged@elsewhere.example" },
        })
      ).status,
    ).toBe(429);
  });
});
