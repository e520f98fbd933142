import type { LoaderFunctionArgs } from "@remix-run/node";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getConfig } from "../../app/config.server";
import { heldCommentCount } from "../../app/domain/discussion/batches.server";
import { postComment } from "../../app/domain/discussion/posting.server";
import { resetRateLimits } from "../../app/platform/security/rate-limits.server";
import { getDb } from "../../db/client";
import { petitions } from "../../db/schema";
import { sessionCookie } from "../support/fixtures";
import { everyPage } from "../support/pages";
import { fingerprint, fingerprintChanges } from "../support/server-database";
import { buildWorld, personFor, ROLES } from "../support/system-world";

/**
 * Reads never write: every page and API route, loaded as every role (and as the petitions' creator),
 * leaves every table as it was — even with a petition past its closing time, which reads used to
 * close (audit rows, queued emails and all) inside a GET. Closing is the minute scheduler's job.
 * Only a session's own renewal may write, and the fingerprint leaves its renewal columns out.
 */
const world = await buildWorld();
const expired = world.petitions.open;
getDb()
  .update(petitions)
  .set({ closesAt: new Date(Date.now() - 60 * 60_000) })
  .where(eq(petitions.id, expired.id))
  .run();

// A thread whose batch of held anonymous comments is due (and one held reply, its author's to see):
// publishing them is the minute job's (discussion/batches.server.ts), never a page view's.
for (let i = 0; i < getConfig().anonymousBatch.minSize; i++) {
  resetRateLimits();
  await postComment(
    { type: "petition", id: world.petitions.others.id },
    { body: `Held anonymous comment ${i}`, anonymous: true },
    i === 0 ? world.people.author : world.make.person(),
  );
}
resetRateLimits();
await postComment(
  null,
  { body: "A held anonymous reply", anonymous: true, parentId: world.comments.plain },
  world.people.staff,
);
const heldAtStart = heldCommentCount();

type Loader = (args: LoaderFunctionArgs) => unknown;
const BASE = "http://undersigned.test:3000";

async function load(file: string, url: string, cookie: string | null): Promise<number> {
  const module = (await import(`../../app/routes/${file}`)) as { loader?: Loader };
  const root = (await import("../../app/root")) as { loader: Loader };
  const request = () => new Request(`${BASE}${url}`, { headers: cookie ? { Cookie: cookie } : {} });
  const args = (params: Record<string, string>) => ({
    request: request(),
    params,
    context: { clientIp: "127.0.0.1", cspNonce: "" },
  });
  let status = 200;
  for (const loader of [root.loader, module.loader]) {
    if (!loader) continue;
    try {
      const result = await loader(args(paramsOf(file, url)));
      if (result instanceof Response) status = Math.max(status, result.status);
    } catch (thrown) {
      if (!(thrown instanceof Response)) throw thrown;
      status = Math.max(status, thrown.status);
    }
  }
  return status;
}

/** The route's parameters, read back from the address everyPage built for it. */
function paramsOf(file: string, url: string): Record<string, string> {
  const names = file
    .replace(/\.tsx?$/, "")
    .split(".")
    .map((segment) => segment.replace(/_$/, ""));
  const values = url.split("?")[0]?.split("/").slice(1) ?? [];
  const params: Record<string, string> = {};
  names.forEach((segment, i) => {
    if (segment.startsWith("$")) params[segment.slice(1) || "*"] = decodeURIComponent(values[i] ?? "");
  });
  return params;
}

describe("reads", () => {
  it("change no table, for any role, with a petition past its closing time", async () => {
    const pages = everyPage(world).filter(({ file }) => !file.startsWith("$"));
    const statuses = new Map<string, number>();
    const viewers = [...ROLES.map((role) => personFor(world, role)), world.people.owner];
    for (const person of viewers) {
      const cookie = person ? await sessionCookie(person.id) : null;
      const baseline = fingerprint(getDb().$client);
      for (const { file, url } of pages) {
        statuses.set(`${person?.email ?? "signed out"} ${url}`, await load(file, url, cookie));
      }
      // A new session is a write of the sign-in, not of the reads: compared from after it was made.
      expect(
        fingerprintChanges(baseline, fingerprint(getDb().$client)),
        person?.email ?? "signed out",
      ).toEqual([]);
    }
    // The petition is still open in the database (the scheduler closes it), and pages answered.
    expect(
      getDb()
        .select()
        .from(petitions)
        .all()
        .find((p) => p.id === expired.id)?.state,
    ).toBe("open");
    expect([...statuses.values()].filter((s) => s === 200).length).toBeGreaterThan(pages.length * 3);
    expect([...statuses.entries()].filter(([, s]) => s >= 500)).toEqual([]);
    // The held anonymous comments are still held: no page published them.
    expect(heldAtStart).toBeGreaterThan(0);
    expect(heldCommentCount()).toBe(heldAtStart);
  });
});
