import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { networkInterfaces } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AppServer, startAppServer } from "../support/app-server";
import { httpRequest } from "../support/http-client";
import { startReverseProxy } from "../support/reverse-proxy";

/**
 * The dev mailbox (ADR 34) against the built server. Without SMTP_URL it shows every queued email,
 * live sign-in links included. It was found three times answering strangers while it lived on the
 * app's port and told this machine's requests from proxied ones — last through a reverse proxy that
 * adds no forwarding header (nginx's bare proxy_pass): a stranger asked for the admin's link, read it
 * in the mailbox and was signed in as the admin in four requests. Now the app's port never serves it,
 * whatever the request says; the primary serves it on a port of its own bound to 127.0.0.1, to
 * requests addressed to 127.0.0.1 or localhost there only (no DNS rebinding).
 */

const ADMIN = "boss@corp.example";
const MAILBOX_PATHS = [
  "/dev/mailbox",
  "/dev/mailbox/1",
  "/dev/mailbox/2",
  "/dev/mailbox.data",
  "/messages/1",
];

/** The port of `url`, and `url` with its host replaced by `address`. */
const portOf = (url: string) => Number(new URL(url).port);
const at = (address: string, url: string) => `http://${address}:${portOf(url)}`;

/** Whether a connection to `url` is refused (nothing listens there). */
async function refused(url: string): Promise<boolean> {
  try {
    await httpRequest(url);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ECONNREFUSED";
  }
}

/** The inodes of the sockets listening on `port` (IPv4 and IPv6), with the address each is bound to. */
function listeners(port: number): Array<{ address: string; inode: string }> {
  const found: Array<{ address: string; inode: string }> = [];
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of readFileSync(table, "utf8").trim().split("\n").slice(1)) {
      const [, local = "", , state, , , , , , inode = ""] = line.trim().split(/\s+/);
      const [address = "", hexPort = ""] = local.split(":");
      if (state === "0A" && Number.parseInt(hexPort, 16) === port) found.push({ address, inode });
    }
  }
  return found;
}

/** Which of these processes holds the socket with this inode. */
function holderOf(inode: string, pids: number[]): number | null {
  for (const pid of pids) {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) === `socket:[${inode}]`) return pid;
      } catch {
        // closed meanwhile
      }
    }
  }
  return null;
}

describe("with no SMTP_URL (the dev mailbox on), two workers", () => {
  let app: AppServer;
  let proxy: Awaited<ReturnType<typeof startReverseProxy>>;
  beforeAll(async () => {
    app = await startAppServer({ ADMIN_EMAILS: ADMIN, WEB_CONCURRENCY: "2" });
    proxy = await startReverseProxy(app.baseUrl, { forwardedFor: false });
  });
  afterAll(async () => {
    await proxy?.close();
    await app?.stop();
  });

  it("never serves the mailbox on the app's port: not through a proxy that adds no header, not to another Host, not directly", async () => {
    // The stranger's first request: the admin's sign-in link is queued.
    expect((await httpRequest(`${proxy.url}/sign-in`, { form: { email: ADMIN } })).status).toBe(200);
    for (const path of MAILBOX_PATHS) {
      for (const [how, url, headers] of [
        ["through the proxy", `${proxy.url}${path}`, {}],
        ["directly", `${app.baseUrl}${path}`, {}],
        ["to Host: evil.example", `${app.baseUrl}${path}`, { Host: "evil.example" }],
        ["to Host: localhost", `${app.baseUrl}${path}`, { Host: `localhost:${portOf(app.baseUrl)}` }],
      ] as const) {
        const answer = await httpRequest(url, { headers });
        expect(answer.status, `${path} ${how}`).toBe(404);
        expect(answer.body, `${path} ${how}`).not.toContain("/sign-in/verify?token=");
        expect(answer.body, `${path} ${how}`).not.toContain(ADMIN);
      }
    }
    // Nor can the proxy reach the mailbox: it is on another port, which only 127.0.0.1 answers.
    expect((await httpRequest(app.mailboxUrl)).body).toContain(ADMIN);
  });

  it("serves the mailbox on its own port, on 127.0.0.1 only, to requests addressed to 127.0.0.1 or localhost", async () => {
    const port = portOf(app.mailboxUrl);
    expect(port).not.toBe(portOf(app.baseUrl));
    const list = await httpRequest(app.mailboxUrl);
    expect(list.status).toBe(200);
    expect(list.body).toContain("Your sign-in link for Undersigned");
    expect(list.body).toContain(ADMIN);
    expect((await httpRequest(app.mailboxUrl, { headers: { Host: `localhost:${port}` } })).status).toBe(200);

    // DNS rebinding: a page at evil.example whose name now resolves to 127.0.0.1.
    for (const host of [`evil.example:${port}`, "evil.example", `127.0.0.1:${portOf(app.baseUrl)}`]) {
      const answer = await httpRequest(app.mailboxUrl, { headers: { Host: host } });
      expect(answer.status, host).toBe(421);
      expect(answer.body, host).not.toContain(ADMIN);
    }
    expect((await httpRequest(app.mailboxUrl, { method: "POST", form: { a: "b" } })).status).toBe(405);

    // Bound to 127.0.0.1 itself: another loopback address, IPv6's, and this machine's other
    // addresses find nothing listening there.
    expect(await refused(at("127.0.0.2", app.mailboxUrl))).toBe(true);
    const others = Object.values(networkInterfaces())
      .flat()
      .filter((i) => i && !i.address.startsWith("127.") && !i.address.startsWith("fe80"))
      .map((i) => (i?.family === "IPv6" ? `[${i.address}]` : (i?.address ?? "")));
    for (const address of others) expect(await refused(at(address, app.mailboxUrl)), address).toBe(true);
    expect(listeners(port).map((l) => l.address)).toEqual(["0100007F"]);
  });

  it("shows a message with its sign-in link, which points at APP_URL and signs the newcomer in", async () => {
    const list = await httpRequest(app.mailboxUrl);
    const row = list.body.split("\n").find((line) => line.includes(ADMIN) && line.includes("sign-in link"));
    const messagePath = row?.match(/href="(\/messages\/\d+)"/)?.[1];
    expect(messagePath).toBeDefined();
    const message = await httpRequest(`${app.mailboxUrl}${messagePath}`);
    expect(message.status).toBe(200);
    const link = message.body.match(/<a href="([^"]+\/sign-in\/verify\?token=[^"]+)">/)?.[1] ?? "";
    expect(link.startsWith(`${app.baseUrl}/sign-in/verify?token=`)).toBe(true);
    // The HTML part, as colleagues' mail programs show it, framed in a sandbox: no script, no
    // request of its own, links opened outside the frame (emails quote colleagues' words).
    const frame = message.body.match(/<iframe src="([^"]+)" sandbox="([^"]*)"/);
    expect(frame?.[1]).toBe(`${messagePath}/email`);
    expect(frame?.[2]?.split(" ")).not.toContain("allow-scripts");
    expect(frame?.[2]?.split(" ")).not.toContain("allow-same-origin");
    expect(message.headers["content-security-policy"]).toContain("frame-src 'self'");
    const framed = await httpRequest(`${app.mailboxUrl}${messagePath}/email`);
    expect(framed.status).toBe(200);
    expect(framed.body).toMatch(/<a href="[^"]+\/sign-in\/verify\?token=[^"]+" style="display:inline-block/);
    expect(framed.body).toContain('<base target="_top">');
    const policy = String(framed.headers["content-security-policy"]);
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain(`sandbox ${frame?.[2]}`);
    expect(policy).toContain("frame-ancestors 'self'");
    expect(framed.headers["x-frame-options"]).toBe("SAMEORIGIN");
    expect((await httpRequest(`${app.mailboxUrl}/messages/999999/email`)).status).toBe(404);
    expect((await httpRequest(`${app.mailboxUrl}/messages/999999`)).status).toBe(404);
    expect((await httpRequest(`${app.mailboxUrl}/messages/abc`)).status).toBe(404);

    const verify = await httpRequest(link.replaceAll("&amp;", "&"));
    expect(verify.status).toBe(200);
    expect(verify.body).toContain("Finish signing in");
    const token = new URL(link.replaceAll("&amp;", "&")).searchParams.get("token") ?? "";
    const signedIn = await httpRequest(`${app.baseUrl}/sign-in/verify`, { form: { token } });
    expect(signedIn.status).toBe(302);
    expect(signedIn.setCookie.some((c) => c.startsWith("__session="))).toBe(true);
  });

  it("says where it is at start, and prints sign-in links in the log while it is on", async () => {
    expect(app.output()).toContain(`WARNING: the dev mailbox is on (no SMTP_URL)`);
    expect(app.output()).toContain(`${app.mailboxUrl}/ (on this machine only`);
    await app.waitUntil(() => app.output().includes(`[dev mail] sign-in link for ${ADMIN}`), 10_000);
  });

  it("is one listener, in the primary, which a rolling restart of the workers leaves in place", async () => {
    const port = portOf(app.mailboxUrl);
    const before = listeners(port);
    expect(before).toHaveLength(1);
    expect(holderOf(before[0]?.inode ?? "", [app.pid, ...app.workerPids()])).toBe(app.pid);

    const replaced = app.output().split("Every worker was replaced.").length;
    app.signal("SIGHUP");
    const statuses = new Set<number>();
    while (app.output().split("Every worker was replaced.").length === replaced) {
      statuses.add((await httpRequest(app.mailboxUrl)).status);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect([...statuses]).toEqual([200]);
    expect(listeners(port)).toEqual(before);
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

  it("has no dev mailbox on any port and prints no sign-in link", async () => {
    expect(app.output()).not.toContain("WARNING: the dev mailbox is on");
    expect(app.output()).toContain("No SMTP_URL and DEV_MAILBOX=0");
    expect(await refused(app.mailboxUrl)).toBe(true);
    expect((await httpRequest(`${app.baseUrl}/dev/mailbox`)).status).toBe(404);
    expect((await httpRequest(`${app.baseUrl}/sign-in`, { form: { email: ADMIN } })).status).toBe(200);
    // The request has been answered: a link would have been printed by now.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(app.output()).not.toContain("[dev mail]");
    expect(app.output()).not.toContain("/sign-in/verify");
  });
});

describe("when the mailbox's port is taken", () => {
  it("does not start, and says which port and what to do", async () => {
    const taken = http.createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      await expect(startAppServer({ DEV_MAILBOX_PORT: String(port) })).rejects.toThrow(
        `Port ${port} is in use, and the dev mailbox (no SMTP_URL) listens there`,
      );
    } finally {
      taken.close();
    }
  });
});
