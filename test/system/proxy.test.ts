import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SIGN_IN_LIMITS } from "../../app/domain/identity/sign-in.server";
import { type AppServer, startAppServer } from "../support/app-server";

/**
 * Behind a reverse proxy on the same host: a real proxy hop (a node:http forwarder that appends the
 * address it was reached from to X-Forwarded-For, as nginx's proxy_add_x_forwarded_for does).
 * TRUST_PROXY decides whether that header names the client (rate limits per address); the dev mailbox
 * never answers a request that came through a proxy, and DEV_MAILBOX=0 switches it off.
 */

async function startProxy(target: string) {
  const upstream = new URL(target);
  const server = http.createServer((req, res) => {
    const forwarded = [req.headers["x-forwarded-for"], req.socket.remoteAddress].filter(Boolean).join(", ");
    const hop = http.request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        // The proxy's own address, which no test request uses directly.
        localAddress: "127.0.9.1",
        headers: { ...req.headers, "x-forwarded-for": forwarded, "x-forwarded-proto": "http" },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    hop.on("error", () => res.writeHead(502).end());
    req.pipe(hop);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}

/** A request from `from` (a loopback address of its own, as a colleague's machine), with `headers`. */
function get(
  url: string,
  options: { from?: string; headers?: Record<string, string>; form?: Record<string, string> } = {},
) {
  const target = new URL(url);
  const body = options.form ? new URLSearchParams(options.form).toString() : undefined;
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const request = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: body === undefined ? "GET" : "POST",
        localAddress: options.from,
        agent: false,
        headers: {
          ...(body === undefined
            ? {}
            : {
                "Content-Type": "application/x-www-form-urlencoded",
                "Content-Length": Buffer.byteLength(body),
              }),
          ...options.headers,
        },
      },
      (response) => {
        let text = "";
        response.on("data", (chunk) => {
          text += chunk;
        });
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body: text }));
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

const ADMIN = "boss@corp.example";
const limit = SIGN_IN_LIMITS.perIp.limit;

/**
 * `limit` sign-in requests (distinct addresses, so the per-email limit stays out of it) from `from`.
 * The server's limiter has no window to turn (ADR 10): the next request is refused whatever the
 * clock says, as long as these take less than one interval of the rule (15 minutes / 30 = 30 s).
 */
async function useUpIpLimit(base: string, from: string, tag: string) {
  for (let i = 0; i < limit; i++) {
    const answer = await get(`${base}/sign-in`, { from, form: { email: `${tag}${i}@elsewhere.example` } });
    expect(answer.status).toBe(200);
  }
}

describe("without TRUST_PROXY", () => {
  let app: AppServer;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  beforeAll(async () => {
    app = await startAppServer({ ADMIN_EMAILS: ADMIN });
    proxy = await startProxy(app.baseUrl);
  });
  afterAll(async () => {
    await proxy?.close();
    await app?.stop();
  });

  it("warns at start that the dev mailbox is on, and prints sign-in links while it is", async () => {
    expect(app.output()).toContain("WARNING: the dev mailbox is on");
    expect((await get(`${app.baseUrl}/sign-in`, { form: { email: ADMIN } })).status).toBe(200);
    await app.waitUntil(() => app.output().includes(`[dev mail] sign-in link for ${ADMIN}`), 10_000);
  });

  it("shows the dev mailbox to this machine directly, never through the proxy or to a forwarded request", async () => {
    expect((await get(`${app.baseUrl}/dev/mailbox`)).status).toBe(200);
    expect((await get(`${proxy.url}/dev/mailbox`)).status).toBe(404);
    expect((await get(`${proxy.url}/dev/mailbox/1`)).status).toBe(404);
    expect(
      (await get(`${app.baseUrl}/dev/mailbox`, { headers: { Forwarded: "for=192.0.2.7" } })).status,
    ).toBe(404);
    expect(
      (await get(`${app.baseUrl}/dev/mailbox`, { headers: { "X-Forwarded-For": "127.0.0.1" } })).status,
    ).toBe(404);
    // Nor does the sign-in page point to it through the proxy.
    expect((await get(`${app.baseUrl}/sign-in`)).body).toContain("/dev/mailbox");
    expect((await get(`${proxy.url}/sign-in`)).body).not.toContain('href="/dev/mailbox"');
  });

  it("counts every client through the proxy as the proxy: one bucket, X-Forwarded-For ignored", async () => {
    await useUpIpLimit(proxy.url, "127.0.7.1", "a");
    // Another colleague, through the same proxy: the same address to the server, so refused.
    expect(
      (await get(`${proxy.url}/sign-in`, { from: "127.0.7.2", form: { email: "b@elsewhere.example" } }))
        .status,
    ).toBe(429);
  });
});

describe("with TRUST_PROXY=1 (one proxy hop)", () => {
  let app: AppServer;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  beforeAll(async () => {
    app = await startAppServer({ TRUST_PROXY: "1", ADMIN_EMAILS: ADMIN });
    proxy = await startProxy(app.baseUrl);
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
      (await get(`${proxy.url}/sign-in`, { from: "127.0.8.1", form: { email: "c-last@elsewhere.example" } }))
        .status,
    ).toBe(429);
    // Another colleague through the same proxy has a bucket of their own.
    expect(
      (await get(`${proxy.url}/sign-in`, { from: "127.0.8.2", form: { email: "d@elsewhere.example" } }))
        .status,
    ).toBe(200);
    // A forged X-Forwarded-For sent through the proxy does not buy a fresh bucket: the proxy's own
    // entry (the last, the one hop trusted) is what counts.
    expect(
      (
        await get(`${proxy.url}/sign-in`, {
          from: "127.0.8.1",
          headers: { "X-Forwarded-For": "198.51.100.9" },
          form: { email: "c-forged@elsewhere.example" },
        })
      ).status,
    ).toBe(429);
  });

  it("never shows the dev mailbox, not even to this machine directly", async () => {
    expect((await get(`${app.baseUrl}/dev/mailbox`)).status).toBe(404);
    expect((await get(`${proxy.url}/dev/mailbox`)).status).toBe(404);
  });
});

describe("with DEV_MAILBOX=0", () => {
  let app: AppServer;
  beforeAll(async () => {
    app = await startAppServer({ DEV_MAILBOX: "0", ADMIN_EMAILS: ADMIN });
  });
  afterAll(async () => {
    await app?.stop();
  });

  it("has no dev mailbox and prints no sign-in link", async () => {
    expect(app.output()).not.toContain("WARNING: the dev mailbox is on");
    expect(app.output()).toContain("No SMTP_URL and DEV_MAILBOX=0");
    expect((await get(`${app.baseUrl}/dev/mailbox`)).status).toBe(404);
    expect((await get(`${app.baseUrl}/sign-in`, { form: { email: ADMIN } })).status).toBe(200);
    // The request has been answered: a link would have been printed by now.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(app.output()).not.toContain("[dev mail]");
    expect(app.output()).not.toContain("/sign-in/verify");
  });
});
