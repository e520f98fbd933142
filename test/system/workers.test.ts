import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchToken } from "../../app/demo/anonymous-signer.server";
import { importDirectory } from "../../app/domain/people/directory-import.server";
import { editPetition } from "../../app/domain/petitions/drafting.server";
import { signPetition } from "../../app/domain/petitions/signing.server";
import { enqueueMail } from "../../app/platform/mail/outbox.server";
import { CLI_ACTOR } from "../../app/platform/security/audit.server";
import { resetRateLimits } from "../../app/platform/security/rate-limits.server";
import { DAY_MS } from "../../app/platform/time";
import { getDb } from "../../db/client";
import { outbox, signatures } from "../../db/schema";
import { giveTokenHolders } from "../support/anonymous";
import { type AppServer, advanceServerClockPast, startAppServer } from "../support/app-server";
import { sessionCookies, useAppDatabase } from "../support/http-client";
import { makeCompany, openPetition } from "../support/petition-fixtures";
import { startSmtpServer } from "../support/smtp";
import { clientsPerWorker, type WorkerClient } from "../support/worker-clients";

/**
 * Two workers over one database (ADR 25): what one worker changes, every other shows at once; rate
 * limits hold whichever worker answers; exactly one worker runs the background jobs, and another takes
 * over when it is killed; a killed worker is replaced.
 */

let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let app: AppServer;
let company: ReturnType<typeof makeCompany>;
beforeAll(async () => {
  smtp = await startSmtpServer();
  // Batches as configured: a test reaches one by moving the server's clock (advanceServerClock).
  app = await startAppServer({ SMTP_URL: smtp.url, WEB_CONCURRENCY: "2" }, { clock: true });
  useAppDatabase(app);
  company = makeCompany(40);
});
afterAll(async () => {
  await app?.stop();
  await smtp?.close();
});

const both = async () => {
  const clients = await clientsPerWorker(app.baseUrl, 2);
  const one = clients.get(1) ?? [...clients.values()][0];
  const other = [...clients.values()].find((c) => c !== one);
  if (!one || !other) throw new Error("two workers expected");
  return {
    one,
    other,
    close: () => {
      for (const c of clients.values()) c.close();
    },
  };
};

/** What each public view of a petition says its count is. */
async function countsSeenBy(client: WorkerClient, slug: string, cookie: string) {
  const page = await client.request(`/petitions/${slug}`, { cookie });
  const api = await client.request(`/api/petitions/${slug}`);
  const endpoint = await client.request(`/api/petitions/${slug}/count`);
  const pageCount = /class="big-count"[^>]*>([\d,]+)/.exec(page.body)?.[1]?.replaceAll(",", "");
  // The public / anonymous split as the page's loader sent it (rendered as "N public · M anonymous").
  return {
    page: Number(pageCount),
    public: Number(/"publicCount":(\d+)/.exec(page.body)?.[1]),
    anonymous: Number(/"anonymousCount":(\d+)/.exec(page.body)?.[1]),
    api: (JSON.parse(api.body) as { signatureCount: number }).signatureCount,
    endpoint: (JSON.parse(endpoint.body) as { signatureCount: number }).signatureCount,
  };
}

describe("two workers", () => {
  it("count anonymous signatures redeemed through either worker in the batch the jobs' worker writes", {
    timeout: 180_000,
  }, async () => {
    const petition = openPetition(company, "Let staff opt out of logging, anonymously on every worker");
    const signers = company.staff.slice(20, 25);
    // At least 20 colleagues hold its token (below that, none counts).
    await giveTokenHolders(petition);
    const { one, other, close } = await both();
    try {
      // Tokens issued here (the same database), redeemed over HTTP, alternately through each worker.
      for (const [i, signer] of signers.entries()) {
        const token = await fetchToken({ id: petition.id }, signer);
        const through = i % 2 === 0 ? one : other;
        const redeemed = await through.request(`/api/petitions/${petition.id}/anonymous`, {
          json: { message: token.message, signature: token.signature },
        });
        expect(redeemed.status).toBe(202);
        expect(redeemed.headers["set-cookie"]).toBeUndefined();
        // The other worker knows it is held (the primary holds it for both): the same redemption
        // again through it is answered pending, not held twice.
        const again = await (i % 2 === 0 ? other : one).request(`/api/petitions/${petition.id}/anonymous`, {
          json: { message: token.message, signature: token.signature },
        });
        expect(JSON.parse(again.body)).toMatchObject({ state: "pending" });
      }
      // Nothing counted before the boundary; the jobs' worker writes the batch at the first run after it.
      expect(
        (
          JSON.parse((await one.request(`/api/petitions/${petition.id}/count`)).body) as {
            signatureCount: number;
          }
        ).signatureCount,
      ).toBe(0);
      const digest = JSON.parse(
        (await other.request(`/api/petitions/${petition.id}/anonymous/recent`)).body,
      ) as {
        nextBatchAt: string;
      };
      advanceServerClockPast(app, digest.nextBatchAt);
      let count = 0;
      for (let i = 0; i < 120 && count < signers.length; i++) {
        await new Promise((r) => setTimeout(r, 1_000));
        count = (
          JSON.parse((await one.request(`/api/petitions/${petition.id}/count`)).body) as {
            signatureCount: number;
          }
        ).signatureCount;
      }
      expect(count).toBe(signers.length);
      expect(JSON.parse((await other.request(`/api/petitions/${petition.id}`)).body)).toMatchObject({
        signatures: { public: 0, anonymous: signers.length },
      });
      expect(await app.cli("check-counts")).toMatch(/ 0 mismatches/);
    } finally {
      close();
    }
  });

  it("show a signature made through one worker in the count, the page and the API of the other at once", async () => {
    const petition = openPetition(company, "Let staff opt out of logging, seen by every worker");
    const signers = company.staff.slice(10, 16);
    const cookies = await sessionCookies(signers.map((s) => s.id));
    const viewer = (await sessionCookies([company.staff[30]?.id ?? 0]))[0] ?? "";
    const { one, other, close } = await both();
    try {
      // Every cache warmed on both workers first: the counts, the visibility split, the page.
      for (const client of [one, other]) await countsSeenBy(client, petition.slug, viewer);
      let expected = { page: 0, public: 0, anonymous: 0 };
      for (const [i, cookie] of cookies.entries()) {
        const [through, seenBy] = i % 2 === 0 ? [one, other] : [other, one];
        const signed = await through.request(`/petitions/${petition.slug}?index`, {
          form: { intent: "sign", visibility: "public", noAnonymousSignature: "on" },
          cookie,
        });
        expect(signed.status).toBe(302);
        expected = { page: expected.page + 1, public: expected.public + 1, anonymous: 0 };
        const seen = await countsSeenBy(seenBy, petition.slug, viewer);
        expect({ worker: seenBy.worker, ...seen }).toEqual({
          worker: seenBy.worker,
          ...expected,
          api: expected.page,
          endpoint: expected.page,
        });
        expect(await countsSeenBy(through, petition.slug, viewer)).toEqual(seen);
      }
      // Both workers hashed the one client address with one key — the primary's, held in memory and
      // handed to them — and not with the session secret the data folder keeps.
      const hashes = getDb()
        .select({ ipHash: signatures.ipHash })
        .from(signatures)
        .where(eq(signatures.petitionId, petition.id))
        .all()
        .map((row) => row.ipHash);
      expect(hashes).toHaveLength(cookies.length);
      expect(new Set(hashes).size).toBe(1);
      expect(hashes[0]).toMatch(/^[0-9a-f]{64}$/);
      const secret = readFileSync(path.join(path.dirname(app.databasePath), "session-secret"), "utf8").trim();
      for (const address of ["127.0.0.1", "::ffff:127.0.0.1", "::1"])
        expect(hashes[0]).not.toBe(createHmac("sha256", secret).update(`ip:${address}`).digest("hex"));
      // The body, rendered once and kept per text: an edit (here by another process, the test's)
      // shows on both.
      const creator = company.staff[0];
      if (!creator) throw new Error("no creator");
      for (const client of [one, other])
        expect((await client.request(`/petitions/${petition.slug}`)).body).toContain(
          "introduced without consultation",
        );
      editPetition(
        petition.id,
        {
          title: petition.title,
          summary: petition.summary,
          body: "A **new** body, edited while both workers serve.",
        },
        company.moderator,
      );
      for (const client of [one, other]) {
        const body = (await client.request(`/petitions/${petition.slug}`)).body;
        expect(body).toContain("<strong>new</strong> body");
        expect(body).not.toContain("introduced without consultation");
      }
    } finally {
      close();
    }
  });

  it("show one breakdown a day however many workers count it, the directory changing between their first views", async () => {
    const petition = openPetition(company, "Let staff opt out of logging, broken down once a day");
    const yesterday = Date.now() - DAY_MS;
    // Twelve signed yesterday, so today's breakdown (as the signatures stood at midnight) counts them.
    resetRateLimits();
    for (const signer of company.staff.slice(4, 16))
      await signPetition(
        { noAnonymousSignature: true, petitionId: petition.id, user: signer, ip: null },
        yesterday,
      );
    const organizer = (await sessionCookies([company.staff[0]?.id ?? 0]))[0] ?? "";
    const { one, other, close } = await both();
    // The breakdowns as the dashboard's loader sent them (the groups folded by suppression included).
    const breakdown = async (client: WorkerClient) => {
      const page = await client.request(`/petitions/${petition.slug}/dashboard`, { cookie: organizer });
      expect(page.status).toBe(200);
      return /"breakdowns":(\{.*?\}\}),"discussion"/.exec(page.body)?.[1];
    };
    try {
      const first = await breakdown(one);
      expect(first).toContain('"Engineering"');
      // Five of yesterday's signers move to Sales before the other worker's first view today.
      const moved = company.staff.slice(4, 9);
      importDirectory(
        `email,name,department,location\n${moved.map((p) => `${p.email},${p.name},Sales,London`).join("\n")}\n`,
        CLI_ACTOR,
      );
      // Counted afresh, the other worker's would list Sales, a department that did not exist at the
      // day's first view.
      expect(await breakdown(other)).toBe(first);
      expect(first).not.toContain('"Sales"');
    } finally {
      close();
    }
  });

  it("hold rate limits whichever worker answers: the sixth sign-in request for one address is refused", async () => {
    const { one, other, close } = await both();
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const client = i % 2 === 0 ? one : other;
        statuses.push((await client.request("/sign-in", { form: { email: "staff20@corp.example" } })).status);
      }
      // Three each: a limit of five per worker process would have let every one through.
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    } finally {
      close();
    }
  });

  it("run the background jobs in one worker, move them to another after kill -9, and replace the dead one", async () => {
    const leaderPid = () => {
      const lines = [...app.output().matchAll(/Worker (\d+) \(pid (\d+)\) runs the background jobs/g)];
      const last = lines.at(-1);
      return last ? { worker: Number(last[1]), pid: Number(last[2]) } : null;
    };
    const before = leaderPid();
    expect(before).not.toBeNull();
    // Exactly one worker says it runs the jobs, on any number of fresh connections.
    const roles = await Promise.all(Array.from({ length: 8 }, () => app.role()));
    expect(new Set(roles.filter((r) => r.jobs).map((r) => r.worker))).toEqual(new Set([before?.worker]));
    expect(new Set(roles.map((r) => r.worker)).size).toBe(2);

    const queue = (n: number, tag: string) => {
      for (let i = 0; i < n; i++)
        enqueueMail(getDb(), {
          kind: "sign-in",
          to: `staff${i + 1}@corp.example`,
          subject: `${tag} ${i}`,
          text: `${tag} ${i}`,
          html: `<p>${tag} ${i}</p>`,
        });
    };
    // Only this test's messages (the petitions above queued their own).
    const delivered = () =>
      getDb()
        .select()
        .from(outbox)
        .where(eq(outbox.status, "sent"))
        .all()
        .filter((m) => /^(Before|After) /.test(m.subject)).length;
    queue(10, "Before");
    await app.waitUntil(() => delivered() === 10, 60_000);

    const workersBefore = app.workerPids();
    process.kill(before?.pid ?? 0, "SIGKILL");
    await app.waitUntil(() => (leaderPid()?.pid ?? 0) !== before?.pid, 30_000);
    const after = leaderPid();
    expect(workersBefore).toContain(after?.pid);
    // The dead worker is replaced: two workers again, one of them new.
    await app.waitUntil(
      () => app.workerPids().length === 2 && !app.workerPids().includes(before?.pid ?? 0),
      30_000,
    );
    expect(app.output()).toContain(`Worker ${before?.worker} (pid ${before?.pid}) exited (SIGKILL)`);

    queue(10, "After");
    await app.waitUntil(() => delivered() === 20, 60_000);
    // Every message once: none sent by two workers, none lost in the hand-over.
    const ids = smtp.received
      .filter((m) => /^(Before|After) /.test(m.parsed.subject ?? ""))
      .map((m) => m.parsed.messageId);
    expect(ids).toHaveLength(20);
    expect(new Set(ids).size).toBe(20);
    const rolesAfter = await Promise.all(Array.from({ length: 8 }, () => app.role()));
    expect(new Set(rolesAfter.filter((r) => r.jobs).map((r) => r.worker))).toEqual(new Set([after?.worker]));
  });
});
