import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { CLI_ACTOR } from "../../app/platform/security/audit.server";
import { DEFAULT_SETTINGS, updateSettings } from "../../app/platform/site/settings.server";
import { DAY_MS, HOUR_MS, startOfDay } from "../../app/platform/time";
import * as announcementsRoute from "../../app/routes/api.announcements._index";
import * as announcementRoute from "../../app/routes/api.announcements.$id";
import * as petitionsRoute from "../../app/routes/api.petitions._index";
import * as petitionRoute from "../../app/routes/api.petitions.$idOrSlug._index";
import * as countRoute from "../../app/routes/api.petitions.$idOrSlug.count";
import * as ledgerRoute from "../../app/routes/api.petitions.$idOrSlug.ledger";
import * as similarRoute from "../../app/routes/api.petitions.similar";
import { answeredPetition } from "../support/answered-petition";
import { callRoute } from "../support/fixtures";
import { makeCompany, openPetition } from "../support/petition-fixtures";

/**
 * docs/api.md against real answers: every field it shows is in the API's answer, and every field the
 * API answers with is in it (it once named `createdOn`/`retiredOn` for `keyCreatedOn`/`keyRetiredOn`).
 * The examples are read from the document itself, so an edit to either side that leaves them apart
 * fails here. The data is an answered petition: every nested object and list the docs show is there.
 */

const doc = readFileSync(new URL("../../docs/api.md", import.meta.url), "utf8");

/** The section of docs/api.md under the heading "## HEADING" (an endpoint's in backticks). */
function section(heading: string): string {
  const start = doc.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`docs/api.md has no section ${heading}`);
  const end = doc.indexOf("\n## ", start + 1);
  return doc.slice(start, end < 0 ? undefined : end);
}

/** The section's ```json example, parsed. */
function example(heading: string): unknown {
  const block = /```json\n([\s\S]*?)```/.exec(section(heading));
  if (!block?.[1]) throw new Error(`no JSON example under ${heading}`);
  return JSON.parse(block[1]);
}

/**
 * Every field's path in `value` ("milestones[].responses[].stance"), lists merged over their items.
 * A "…" key stands for fields shown elsewhere in the document.
 */
function fields(value: unknown, prefix = ""): Set<string> {
  const found = new Set<string>();
  const walk = (v: unknown, at: string) => {
    if (Array.isArray(v)) for (const item of v) walk(item, `${at}[]`);
    else if (v && typeof v === "object")
      for (const [key, child] of Object.entries(v)) {
        if (key === "…") continue;
        const path = at ? `${at}.${key}` : key;
        found.add(path);
        walk(child, path);
      }
  };
  walk(value, prefix);
  return found;
}

const sorted = (set: Set<string>) => [...set].sort();
const union = (...sets: Set<string>[]) => new Set(sets.flatMap((s) => [...s]));

updateSettings(DEFAULT_SETTINGS, [{ threshold: 10, responseRequired: true, responseDays: 14 }], CLI_ACTOR);
const company = makeCompany(30);
/** The story starts at nine, some sixty days ago (computed, never a fixed date). */
const T0 = startOfDay(Date.now() - 60 * DAY_MS) + 9 * HOUR_MS;
let story: Awaited<ReturnType<typeof answeredPetition>>;
beforeAll(async () => {
  story = await answeredPetition(
    company,
    {
      policy: "Model Capability Initiative data collection",
      memo: "Our answer on keystroke and click logging",
      commitments: ["Pause controls for up to 30 minutes", "An exemption for accessibility tools"],
    },
    T0,
  );
});

const answer = async (
  route: Parameters<typeof callRoute>[0],
  path: string,
  params: Record<string, string> = {},
) => {
  const response = await callRoute(route, "loader", null, path, params);
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
};

describe("docs/api.md", () => {
  it("shows exactly the fields of the petition list", async () => {
    const real = await answer(petitionsRoute, "/api/petitions");
    expect(sorted(fields(example("`GET /api/petitions?state=&q=&cursor=`")))).toEqual(sorted(fields(real)));
  });

  it("shows exactly the fields of one petition: the list's, its own, and those of the anonymity section", async () => {
    const { id } = story.petition;
    const real = await answer(petitionRoute, `/api/petitions/${id}`, { idOrSlug: String(id) });
    const listItem = (example("`GET /api/petitions?state=&q=&cursor=`") as { petitions: unknown[] })
      .petitions[0];
    // "`GET /api/petitions/:idOrSlug` carries `signatures: { public, anonymous }` and `anonymity: { … }`".
    const carries = /`GET \/api\/petitions\/:idOrSlug` carries ([\s\S]*?)\.\n/.exec(
      section("Anonymity (docs/anonymity.md)"),
    );
    const objects = [...(carries?.[1] ?? "").matchAll(/`([\w.]+):\s+\{ ([^}]*) \}`/g)];
    expect(objects.map((m) => m[1])).toEqual(["signatures", "anonymity", "anonymity.batch"]);
    const anonymity = new Set(
      objects.flatMap(([, name, list]) => [
        name ?? "",
        ...(list ?? "").split(/,\s*/).map((f) => `${name}.${f.trim()}`),
      ]),
    );
    const documented = union(fields(example("`GET /api/petitions/:idOrSlug`")), fields(listItem), anonymity);
    expect(sorted(documented)).toEqual(sorted(fields(real)));
  });

  it("shows the ledger's length as the real one, counting the key's entries too", async () => {
    const { id } = story.petition;
    const real = await answer(ledgerRoute, `/api/petitions/${id}/ledger`, { idOrSlug: String(id) });
    const petition = await answer(petitionRoute, `/api/petitions/${id}`, { idOrSlug: String(id) });
    expect(sorted(fields(example("`GET /api/petitions/:idOrSlug/ledger?after=SEQ`")))).toEqual(
      sorted(fields(real)),
    );
    // The petition's ledger: key-created, ten signatures, key-retired when it closed.
    const events = (real.entries as { event: string }[]).map((e) => e.event);
    expect(real.length).toBe(events.length);
    expect(events[0]).toBe("key-created");
    expect(events.at(-1)).toBe("key-retired");
    expect(petition.signatureCount).toBe(10);
    expect(real.length).toBe(12);
    expect(petition.ledger).toMatchObject({ length: 12 });
    const documented = example("`GET /api/petitions/:idOrSlug/ledger?after=SEQ`") as { length: number };
    const detail = example("`GET /api/petitions/:idOrSlug`") as {
      signatureCount: number;
      ledger: { length: number };
    };
    // The examples tell the same: a length beyond the count, by the key's entries.
    expect(detail.ledger.length).toBe(documented.length);
    expect(detail.ledger.length).toBeGreaterThan(detail.signatureCount);
  });

  it("shows exactly the fields of the count", async () => {
    const { id } = story.petition;
    const real = await answer(countRoute, `/api/petitions/${id}/count`, { idOrSlug: String(id) });
    const inline = /`(\{ "signatureCount"[^`]*\})`/.exec(section("`GET /api/petitions/:idOrSlug/count`"));
    expect(sorted(fields(JSON.parse(inline?.[1] ?? "null")))).toEqual(sorted(fields(real)));
  });

  it("shows exactly the fields of an announcement, alone and in the list", async () => {
    const { id } = story.memo;
    const real = await answer(announcementRoute, `/api/announcements/${id}`, { id: String(id) });
    const documented = sorted(fields(example("`GET /api/announcements/:idOrSlug`")));
    expect(documented).toEqual(sorted(fields(real)));
    const list = await answer(announcementsRoute, "/api/announcements");
    // "`{ "announcements": [ANNOUNCEMENT…], "page": 1, "pageCount": 1 }`"
    const shape =
      /`(\{ "announcements": [^`]*\})`/.exec(section("`GET /api/announcements?page=`"))?.[1] ?? "";
    expect([...shape.matchAll(/"(\w+)":/g)].map((m) => m[1]).sort()).toEqual(Object.keys(list).sort());
    const [first] = list.announcements as unknown[];
    expect(sorted(fields(first))).toEqual(documented);
  });

  it("shows exactly the fields of the similar petitions the new-petition form asks for", async () => {
    openPetition(company, "Keep two remote days a week for everyone");
    const real = await answer(similarRoute, "/api/petitions/similar?title=remote%20days");
    // "→ `{ "petitions": [{ "slug", "title", "signatureCount" }] }`"
    const shape = /`(\{ "petitions": \[\{[^`]*\}\] \})`/.exec(section("Used by the pages"))?.[1] ?? "";
    const names = [...shape.matchAll(/"(\w+)"/g)].map((m) => m[1]);
    expect((real.petitions as unknown[]).length).toBeGreaterThan(0);
    expect(sorted(new Set(names.slice(1).map((n) => `petitions[].${n}`)).add("petitions"))).toEqual(
      sorted(fields(real)),
    );
  });
});
