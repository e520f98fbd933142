import { beforeAll, describe, expect, it } from "vitest";
import { transitionPetition } from "../../app/domain/petitions/lifecycle.server";
import { findSimilarPetitions, listPetitions } from "../../app/domain/petitions/reads.server";
import { textInEnglish } from "../../app/platform/said-english";
import { CLI_ACTOR } from "../../app/platform/security/audit.server";
import { DEFAULT_SETTINGS, updateSettings } from "../../app/platform/site/settings.server";
import { DAY_MS, HOUR_MS, startOfDay } from "../../app/platform/time";
import * as similarRoute from "../../app/routes/api.petitions.similar";
import * as listRoute from "../../app/routes/petitions._index";
import { answeredPetition } from "../support/answered-petition";
import { callRoute } from "../support/fixtures";
import { draftPetition, makeCompany, openPetition } from "../support/petition-fixtures";

/**
 * One search across every state: a petition leadership answered (and closed) is found from the
 * petitions page's default tab, each result with its state, and the tabs narrow it. Similar-petition
 * suggestions look through every state a colleague may read — never a hidden or offensive one. A
 * hand-edited list address is a plain 400 in words.
 */

updateSettings(DEFAULT_SETTINGS, [{ threshold: 10, responseRequired: true, responseDays: 14 }], CLI_ACTOR);
const company = makeCompany(30);
const { moderator } = company;
const [creator, a, b, c] = company.staff;
if (!creator || !a || !b || !c) throw new Error("company too small");
const author = creator;
const sponsors = [a, b, c];
const T0 = startOfDay(Date.now() - 60 * DAY_MS) + 9 * HOUR_MS;

const RESPONDED = "Let staff opt out of keystroke logging for AI training";
const OPEN = "Publish the keystroke retention schedule";
const OFF_TOPIC = "Keystroke sounds on the office pianos";
const OFFENSIVE = "Keystroke insults about a named colleague";
const HIDDEN = "Keystroke logging on hidden machines";

/** Draft → co-sponsored → awaiting moderation, then rejected for `reason`. */
function rejected(title: string, reason: "off_topic" | "offensive") {
  const petition = draftPetition(author, title);
  transitionPetition(petition.id, { action: "submit" }, author);
  for (const sponsor of sponsors) transitionPetition(petition.id, { action: "co-sponsor" }, sponsor);
  return transitionPetition(petition.id, { action: "reject", reason }, moderator);
}

beforeAll(async () => {
  await answeredPetition(
    company,
    {
      petition: RESPONDED,
      policy: "Model capability data collection",
      memo: "Our answer on keystroke logging",
      commitments: ["A pause button", "A yearly review"],
    },
    T0,
  );
  openPetition(company, OPEN);
  rejected(OFF_TOPIC, "off_topic");
  rejected(OFFENSIVE, "offensive");
  const hidden = openPetition(company, HIDDEN);
  transitionPetition(hidden.id, { action: "hide", reason: "Under review" }, moderator);
});

const titles = (rows: Array<{ title: string }>) => rows.map((r) => r.title);

describe("searching petitions", () => {
  it("finds a responded, closed petition from the default tab, with its state, and the tabs narrow it", async () => {
    // The page as a colleague types into it: no list in the address.
    const response = await callRoute(listRoute, "loader", null, "/petitions?q=keystroke", {});
    const page = (await response.json()) as ReturnType<typeof listPetitions> & { query: { list: string } };
    expect(page.query.list).toBe("all");
    expect(titles(page.petitions)).toEqual(expect.arrayContaining([RESPONDED, OPEN, OFF_TOPIC]));
    const responded = page.petitions.find((p) => p.title === RESPONDED);
    expect(responded?.state).toBe("closed");
    expect(responded?.responded?.stance).toBe("partially_accepted");
    // Never a hidden or an offensive petition, in any list.
    expect(titles(page.petitions)).not.toContain(HIDDEN);
    expect(titles(page.petitions)).not.toContain(OFFENSIVE);
    // What each tab holds of the matches.
    expect(page.found).toMatchObject({ all: 3, open: 1, responded: 1, closed: 1, rejected: 1, won: 0 });
    const narrowed = listPetitions({ list: "responded", sort: "signatures", q: "keystroke", page: 1 });
    expect(titles(narrowed.petitions)).toEqual([RESPONDED]);
    // Browsing without words stays on the tab (Open by default, or the one the form was on).
    const browse = (await (
      await callRoute(listRoute, "loader", null, "/petitions?tab=closed&sort=newest", {})
    ).json()) as { query: { list: string } };
    expect(browse.query.list).toBe("closed");
    const home = (await (await callRoute(listRoute, "loader", null, "/petitions", {})).json()) as {
      query: { list: string };
      found: unknown;
    };
    expect(home.query.list).toBe("open");
    expect(home.found).toBeNull();
  });

  it("answers a hand-edited list address with a plain 400 that names the part, not zod's words", async () => {
    for (const [query, part] of [
      ["list=bogus", "list “bogus”"],
      ["page=-1", "page “-1”"],
      ["sort=x", "sort “x”"],
    ] as const) {
      const response = await callRoute(listRoute, "loader", null, `/petitions?${query}`, {});
      expect(response.status).toBe(400);
      // The page's words, kept as a catalog key until the error page writes them in the reader's language.
      const text = textInEnglish(await response.text());
      expect(text).toContain(part);
      expect(text).toMatch(/^This address asks for something the page does not have/);
      expect(text).not.toMatch(/Invalid|expected|option|received/i);
    }
  });
});

describe("similar-petition suggestions", () => {
  it("include closed, responded and rejected petitions, each with its state, but never hidden or offensive ones", async () => {
    const similar = findSimilarPetitions("keystroke logging");
    expect(titles(similar)).toEqual(expect.arrayContaining([RESPONDED, OPEN, OFF_TOPIC]));
    expect(titles(similar)).not.toContain(HIDDEN);
    expect(titles(similar)).not.toContain(OFFENSIVE);
    const byTitle = new Map(similar.map((p) => [p.title, p]));
    expect(byTitle.get(RESPONDED)).toMatchObject({
      state: "closed",
      responded: { stance: "partially_accepted" },
    });
    expect(byTitle.get(OPEN)).toMatchObject({ state: "open", responded: null });
    expect(byTitle.get(OFF_TOPIC)).toMatchObject({ state: "rejected" });
    // The form's API sends the same, and no petition id.
    const response = await callRoute(
      similarRoute,
      "loader",
      author,
      `/api/petitions/similar?title=${encodeURIComponent("keystroke logging")}`,
      {},
    );
    const body = (await response.json()) as { petitions: Array<Record<string, unknown>> };
    expect(body.petitions.map((p) => p.title)).toEqual(titles(similar));
    for (const p of body.petitions) expect(p).not.toHaveProperty("id");
  });
});
