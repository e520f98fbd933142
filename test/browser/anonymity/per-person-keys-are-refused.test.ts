import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { comparableFingerprint } from "../../../app/components/fingerprint";
import {
  type BlindKeyPair,
  generateBlindKeyPair,
} from "../../../app/platform/anonymity/blind-signatures.server";
import { appendEntries } from "../../../app/platform/transparency/log.server";
import { encodeEntry } from "../../../app/platform/transparency/log-entries";
import { getDb } from "../../../db/client";
import { runCompleted, setUpAnonymousSigning } from "../../support/anonymous-device";
import { type AppServer, freePort, startAppServer } from "../../support/app-server";
import { expectNoAxeViolations, launchBrowser } from "../../support/browser";
import { makeCompany, openPetition } from "../../support/petition-fixtures";
import { closeDb, useServerDatabase } from "../../support/server-database";
import { signInViaDevMailbox } from "../../support/sign-in-flow";
import { initWitness, type RunningWitness, startWitness } from "../../support/witness";

/**
 * A key of her own is refused, in Chromium: a front end before the server (a forward proxy her browser is
 * set to use; her colleague's goes direct) hands one colleague a petition key of her own, in the list
 * of keys (GET /api/tokens) and in the public log's answer (GET /api/log/keys). First the key is in
 * no log; then an operator appends it to the log as a second key for the petition, which the witness
 * refuses to cosign. Her browser signs neither anonymously and says why in plain words; the
 * colleague, through the honest path, signs normally. The key is made with the app's blind-key
 * generation, as the operator holding the database would make it.
 */

let app: AppServer;
let browser: Browser;
let witness: RunningWitness;
let removeWitness: () => void = () => undefined;
let company: ReturnType<typeof makeCompany>;
let base = "";
const petitions = {} as Record<"first" | "other" | "later", { id: number; slug: string }>;

/** What the front end does to her answers. */
type Tagging = { scope: string; key: BlindKeyPair; loggedAt: number | null };
let tagging: Tagging | null = null;
/** The requests her browser made, as the front end saw them (method, path, and the scopes asked for). */
const herRequests: Array<{ method: string; path: string; scopes: string[] }> = [];

const upstream = () => new URL(base);

function forward(
  method: string,
  path: string,
  headers: http.IncomingHttpHeaders,
  body: Buffer,
  to: URL = upstream(),
) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>(
    (resolve, reject) => {
      const request = http.request({ host: "127.0.0.1", port: to.port, method, path, headers }, (answer) => {
        const chunks: Buffer[] = [];
        answer.on("data", (chunk: Buffer) => chunks.push(chunk));
        answer.on("end", () =>
          resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(chunks) }),
        );
      });
      request.on("error", reject);
      request.end(body);
    },
  );
}

const getJson = async <T>(path: string): Promise<T> =>
  JSON.parse((await forward("GET", path, { host: upstream().host }, Buffer.alloc(0))).body.toString()) as T;
const getText = async (path: string) =>
  (await forward("GET", path, { host: upstream().host }, Buffer.alloc(0))).body.toString();

type KeysAnswer = {
  checkpoint: string;
  keys: Array<{ scope: string; index: number; data: string; proof: string[] }>;
};

/** Her answers, rewritten: her own key for the tagged petition, with whatever the log lets it pass for. */
async function rewrite(path: string, body: Buffer): Promise<Buffer> {
  const t = tagging;
  if (!t) return body;
  if (path === "/api/tokens") {
    const targets = JSON.parse(body.toString()) as { petitions: Array<{ scope: string }> };
    for (const target of targets.petitions)
      if (target.scope === t.scope)
        Object.assign(target, { publicKey: t.key.publicKey, fingerprint: t.key.fingerprint });
    return Buffer.from(JSON.stringify(targets));
  }
  if (path === "/api/log/keys") {
    const answer = JSON.parse(body.toString()) as KeysAnswer;
    if (t.loggedAt === null) {
      // Not in any log: her key's entry, with the real key's place and proof.
      for (const item of answer.keys)
        if (item.scope === t.scope) item.data = new TextDecoder().decode(encodeEntry(entryOf(t)));
      return Buffer.from(JSON.stringify(answer));
    }
    // Logged as well: the newest checkpoint (which holds it, and which no witness cosigned), every
    // key proved in it, hers in place of the real one.
    const checkpoint = await getText("/api/log/checkpoint");
    const size = Number(checkpoint.split("\n")[1]);
    const keys = await Promise.all(
      answer.keys.map(async (item) => {
        const index = item.scope === t.scope ? (t.loggedAt ?? item.index) : item.index;
        const { proof } = await getJson<{ proof: string[] }>(
          `/api/log/proof/inclusion?index=${index}&size=${size}`,
        );
        const [entry] = (
          await getJson<{ entries: Array<{ data: string }> }>(
            `/api/log/entries?start=${index}&end=${index + 1}`,
          )
        ).entries;
        return { scope: item.scope, index, data: entry?.data ?? item.data, proof };
      }),
    );
    return Buffer.from(JSON.stringify({ checkpoint, keys }));
  }
  return body;
}

const entryOf = (t: Tagging) => ({
  type: "key" as const,
  scope: t.scope,
  fingerprint: t.key.fingerprint,
  publicKey: t.key.publicKey,
  on: new Date().toISOString().slice(0, 10),
  legacyAnonymous: 0,
});

/** The front end: an HTTP proxy her browser uses for everything (absolute-form requests). */
async function startFrontEnd() {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      void (async () => {
        const target = new URL(req.url ?? "/", base);
        const path = `${target.pathname}${target.search}`;
        const body = Buffer.concat(chunks);
        let scopes: string[] = [];
        if (req.method === "POST" && target.pathname === "/api/tokens") {
          try {
            scopes = (JSON.parse(body.toString()) as { requests: Array<{ scope: string }> }).requests.map(
              (r) => r.scope,
            );
          } catch {
            scopes = [];
          }
        }
        herRequests.push({ method: req.method ?? "", path, scopes });
        // Uncompressed answers, so that it can read and rewrite them.
        const { "proxy-connection": _p, connection: _c, "accept-encoding": _e, ...headers } = req.headers;
        const answer = await forward(
          req.method ?? "GET",
          path,
          { ...headers, host: target.host },
          body,
          target,
        );
        const ours = target.host === upstream().host && req.method === "GET";
        const rewritten = ours ? await rewrite(target.pathname, answer.body) : answer.body;
        const {
          connection: _ac,
          "keep-alive": _k,
          "content-length": _l,
          "transfer-encoding": _t,
          ...out
        } = answer.headers;
        res.writeHead(answer.status, { ...out, "content-length": rewritten.length });
        res.end(rewritten);
      })().catch(() => res.writeHead(502).end());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}

let frontEnd: Awaited<ReturnType<typeof startFrontEnd>>;

const logSize = () =>
  getDb().$client.prepare<[], { n: number }>("select count(*) as n from log_leaves").get()?.n ?? 0;

beforeAll(async () => {
  const initialized = await initWitness({ name: "witness.staff-council" });
  removeWitness = initialized.remove;
  const port = await freePort();
  base = `http://localhost:${port}`;
  app = await startAppServer({ APP_URL: base, WITNESSES: initialized.vkey }, { port });
  useServerDatabase(app);
  company = makeCompany(24);
  for (const [key, title] of [
    ["first", "Publish the badge-reader retention period"],
    ["other", "Let staff see who read their badge logs"],
  ] as const) {
    const petition = openPetition(company, title);
    petitions[key] = { id: petition.id, slug: petition.slug };
  }
  witness = startWitness(`http://127.0.0.1:${port}`, initialized.stateFile, { everySeconds: 1 });
  await witness.waitForCosignature(logSize());
  frontEnd = await startFrontEnd();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await witness?.stop();
  removeWitness();
  await frontEnd?.close();
  closeDb();
  await app?.stop();
});

/** A person's device: through the front end (`tagged`) or straight to the server. */
async function device(name: string, tagged: boolean): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext(tagged ? { proxy: { server: frontEnd.url } } : {});
  const page = await context.newPage();
  await signInViaDevMailbox(page, { baseUrl: base, mailboxUrl: app.mailboxUrl }, `${name}@corp.example`);
  return { context, page };
}

const url = (key: keyof typeof petitions) => `${base}/petitions/${petitions[key].slug}`;

async function tryToSignAnonymously(page: Page, key: keyof typeof petitions) {
  await page.goto(url(key));
  await page.getByLabel("Sign anonymously", { exact: true }).check();
  await page.getByRole("button", { name: "Sign", exact: true }).click();
}

const redemptions = (id: number) =>
  herRequests.filter((r) => r.method === "POST" && r.path === `/api/petitions/${id}/anonymous`);
const askedFor = (scope: string) => herRequests.filter((r) => r.scopes.includes(scope));

describe("a front end that hands one colleague a key of her own", { timeout: 400_000 }, () => {
  let her: { context: BrowserContext; page: Page };

  it("a key in no log: her browser refuses to sign that petition anonymously and says why; others sign", async () => {
    tagging = { scope: `petition:${petitions.first.id}`, key: generateBlindKeyPair(), loggedAt: null };
    her = await device("staff5", true);
    await setUpAnonymousSigning(her.page, base);
    expect(herRequests.some((r) => r.path === "/api/log/keys")).toBe(true);
    expect(askedFor(tagging.scope)).toHaveLength(0);

    await her.page.goto(url("first"));
    const why = her.page.getByText(
      "This device was given a signing key for this petition that is not the one in the public log. Someone may be trying to tell your signature apart",
    );
    await why.first().waitFor();
    await expectNoAxeViolations(her.page);
    await tryToSignAnonymously(her.page, "first");
    await her.page.getByRole("alert").filter({ hasText: "not the one in the public log" }).first().waitFor();
    expect(await her.page.getByRole("heading", { name: "You signed anonymously" }).count()).toBe(0);
    expect(redemptions(petitions.first.id)).toHaveLength(0);

    // Another petition, whose key the front end left alone, she signs anonymously as usual.
    await tryToSignAnonymously(her.page, "other");
    await her.page.getByRole("heading", { name: "You signed anonymously" }).waitFor();
  });

  it("her key logged as well, as a second key the witness refuses to cosign: still refused, in plain words; the colleague signs", async () => {
    // A petition opened now: its key logged and cosigned before the operator adds hers.
    const later = openPetition(company, "Stop reading badge logs without a ticket");
    petitions.later = { id: later.id, slug: later.slug };
    await witness.waitForCosignature(logSize());
    const key = generateBlindKeyPair();
    const scope = `petition:${later.id}`;
    const loggedAt = getDb().transaction(
      () =>
        appendEntries([
          {
            type: "key",
            scope,
            fingerprint: key.fingerprint,
            publicKey: key.publicKey,
            on: new Date().toISOString().slice(0, 10),
            legacyAnonymous: 0,
          },
        ]),
      { behavior: "immediate" },
    );
    tagging = { scope, key, loggedAt };
    // The witness sees a second key for the petition: it refuses, and stops.
    expect(await witness.exited()).toBe(1);

    await tryToSignAnonymously(her.page, "later");
    const paused = her.page
      .getByText(
        /^Anonymous signing is paused: the independent witness witness\.staff-council has not confirmed the public log since .+ UTC\./,
      )
      .first();
    await paused.waitFor();
    expect(await paused.textContent()).toContain("You can still sign publicly.");
    expect(await her.page.getByRole("heading", { name: "You signed anonymously" }).count()).toBe(0);
    expect(askedFor(scope)).toHaveLength(0);
    expect(redemptions(later.id)).toHaveLength(0);
    await expectNoAxeViolations(her.page);

    // The colleague, straight to the server: the witnessed log holds the petition's one real key.
    const colleague = await device("staff6", false);
    await setUpAnonymousSigning(colleague.page, base);
    await runCompleted(colleague.page);
    await tryToSignAnonymously(colleague.page, "later");
    await colleague.page.getByRole("heading", { name: "You signed anonymously" }).waitFor();
    // The fingerprint both can compare: the page's and the one her colleague's device checked.
    const real = getDb()
      .$client.prepare<[string], { fingerprint: string }>(
        "select fingerprint from blind_keys where scope = ?",
      )
      .get(scope)?.fingerprint;
    expect(real).toBeTruthy();
    await colleague.page
      .getByText(comparableFingerprint(real ?? ""))
      .first()
      .waitFor();
    await colleague.page.goto(`${base}/my/petitions`);
    await colleague.page
      .getByText(comparableFingerprint(real ?? ""))
      .first()
      .waitFor();
    // And what the device pinned of the log on first sight, to compare: the log's key ID and its witness.
    const trust = await getJson<{ logKey: string }>("/api/log/trust");
    const copy = colleague.page.getByTestId("this-devices-log");
    await copy.waitFor();
    expect(await copy.textContent()).toContain(
      `This device checks the public log with key ID ${trust.logKey.split("+")[1]}, confirmed by the independent witness witness.staff-council.`,
    );
    await expectNoAxeViolations(colleague.page);
    await colleague.context.close();
    await her.context.close();
  });
});

describe("the public log's page", { timeout: 100_000 }, () => {
  it("names the witness and when it last confirmed the log, without JavaScript, and passes axe", async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(base);
    await page.getByRole("link", { name: "The public log" }).click();
    await page.getByRole("heading", { name: "The public log", level: 1 }).waitFor();
    await page
      .getByText(/witness\.staff-council — last confirmed the log on .+ UTC, at \d+ entries/)
      .waitFor();
    await page.getByText("docs/witness.md").waitFor();
    await context.close();
    const withScript = await browser.newContext();
    const checked = await withScript.newPage();
    await checked.goto(`${base}/transparency`);
    await expectNoAxeViolations(checked);
    await withScript.close();
  });
});
