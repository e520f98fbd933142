import { eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { ADDRESSES_RENEWED, renewFormerRulesAddresses } from "../../app/domain/addresses/addresses.server";
import { editPetition } from "../../app/domain/petitions/drafting.server";
import { transitionPetition } from "../../app/domain/petitions/lifecycle.server";
import { findPetition } from "../../app/domain/petitions/reads.server";
import { petitionUrl } from "../../app/platform/site/addresses.server";
import { DAY_MS, HOUR_MS, startOfDay } from "../../app/platform/time";
import * as announcementPage from "../../app/routes/announcements.$slug._index";
import * as announcementsFeed from "../../app/routes/announcements[.]atom";
import * as apiAnnouncement from "../../app/routes/api.announcements.$id";
import * as apiPetition from "../../app/routes/api.petitions.$idOrSlug._index";
import * as apiCount from "../../app/routes/api.petitions.$idOrSlug.count";
import * as petitionPage from "../../app/routes/petitions.$slug._index";
import * as petitionFeed from "../../app/routes/petitions.$slug.feed[.]atom";
import * as newPetition from "../../app/routes/petitions.new";
import * as policyPage from "../../app/routes/policies.$slug._index";
import { getDb } from "../../db/client";
import { announcements, petitions, policies, siteSettings } from "../../db/schema";
import { answeredPetition } from "../support/answered-petition";
import { atomProblems, entryIds } from "../support/atom-feeds";
import { callRoute, TEST_BASE_URL } from "../support/fixtures";
import { draftPetition, makeCompany, openPetition } from "../support/petition-fixtures";

/**
 * Addresses in any script (ADR 40): a Japanese title's petition gets a readable address; records the
 * former rules gave "2-petition", "policy" or "announcement" move once to readable ones, and their
 * old addresses redirect (301, same page below, same query) for pages, feeds and the API; a former
 * address is never given again; Atom entry ids stay what readers hold.
 */

const company = makeCompany(20);
const T0 = startOfDay(Date.now() - 40 * DAY_MS) + 9 * HOUR_MS;
const NOW = T0 + 30 * DAY_MS;
const enc = encodeURIComponent;

/** As the former rules left a record: the address they gave its title. */
function addressedTheOldWay(
  table: typeof petitions | typeof policies | typeof announcements,
  id: number,
  slug: string,
) {
  getDb().run(sql`update ${table} set slug = ${slug} where id = ${id}`);
}

const location = (response: Response) => response.headers.get("Location");

describe("a new record's address", () => {
  it("is the Japanese title itself, which the petition's page answers", async () => {
    const petition = openPetition(company, "社員食堂にベジタリアンメニューを");
    expect(petition.slug).toBe("社員食堂にベジタリアンメニューを");
    const path = `/petitions/${enc(petition.slug)}`;
    const response = await callRoute(petitionPage, "loader", null, path, { slug: petition.slug });
    expect(response.status).toBe(200);
  });

  it("is sent percent-encoded in the Location header after the draft is saved (a header carries ASCII only)", async () => {
    const title = "نريد مواقف للدراجات";
    const response = await callRoute(
      newPetition,
      "action",
      company.member(6),
      "/petitions/new",
      {},
      {
        title,
        summary: "Bicycle parking at every office, covered and safe.",
        body: "Many of us cycle to work and have nowhere safe to leave a bicycle. ".repeat(2),
      },
    );
    expect(response.status).toBe(302);
    expect(location(response)).toBe(`/petitions/${enc("نريد-مواقف-للدراجات")}`);
  });

  it("is never a former address: a title that would take one is given the next", () => {
    const petition = draftPetition(company.member(1), "退職者の声");
    addressedTheOldWay(petitions, petition.id, "petition-7");
    getDb().delete(siteSettings).where(eq(siteSettings.key, ADDRESSES_RENEWED)).run();
    renewFormerRulesAddresses(NOW);
    // "7" is all digits, so "7-petition"; then a title whose address would be the former "petition-7".
    expect(findPetition("petition-7")?.id).toBe(petition.id);
    const next = draftPetition(company.member(1), "Petition 7");
    expect(next.slug).toBe("petition-7-2");
  });
});

describe("records the former rules addressed", () => {
  let story: Awaited<ReturnType<typeof answeredPetition>>;
  let hidden: { id: number };
  let edited: { id: number };
  let ascii: { id: number; slug: string };
  const feedsBefore = { petition: "", announcements: "" };
  const moved = { petition: "", policy: "", announcement: "" };

  beforeAll(async () => {
    story = await answeredPetition(
      company,
      {
        petition: "社員旅行 2",
        policy: "個人情報の扱い",
        memo: "経営陣からの回答",
        commitments: ["一時停止ボタン", "説明会を開く"],
      },
      T0,
    );
    const policyId = story.memo.policyId;
    if (!policyId) throw new Error("the memo publishes no policy");
    addressedTheOldWay(petitions, story.petition.id, "2-petition");
    addressedTheOldWay(policies, policyId, "policy");
    addressedTheOldWay(announcements, story.memo.id, "announcement");
    // A draft no one else may see, and a petition whose address came from a title it no longer has.
    hidden = draftPetition(company.member(2), "秘密の下書き");
    addressedTheOldWay(petitions, hidden.id, "petition");
    edited = draftPetition(company.member(3), "Four-day week");
    editPetition(
      edited.id,
      {
        title: "週休三日制",
        summary: "Give every member of staff a four-day week.",
        body: "A four-day week for everyone. ".repeat(5),
      },
      company.member(3),
    );
    ascii = openPetition(company, "Bike parking at the Leeds office");
    // Collecting co-sponsors under a counted address: found by its link only, never by counting.
    const collecting = draftPetition(company.member(4), "社員食堂の改善");
    transitionPetition(collecting.id, { action: "submit" }, company.member(4));
    addressedTheOldWay(petitions, collecting.id, "petition-3");

    const feed = await callRoute(petitionFeed, "loader", null, "/petitions/2-petition/feed.atom", {
      slug: "2-petition",
    });
    feedsBefore.petition = await feed.text();
    feedsBefore.announcements = await announcementsFeed.loader().text();

    getDb().delete(siteSettings).where(eq(siteSettings.key, ADDRESSES_RENEWED)).run();
    expect(renewFormerRulesAddresses(NOW)).toBe(5);
    moved.petition = findPetition(String(story.petition.id))?.slug ?? "";
    moved.policy = getDb().select().from(policies).where(eq(policies.id, policyId)).get()?.slug ?? "";
    moved.announcement =
      getDb().select().from(announcements).where(eq(announcements.id, story.memo.id)).get()?.slug ?? "";
  });

  it("get readable addresses, once", () => {
    expect(moved).toEqual({
      petition: "社員旅行-2",
      policy: "個人情報の扱い",
      announcement: "経営陣からの回答",
    });
    expect(findPetition(String(hidden.id))?.slug).toBe("秘密の下書き");
    // Edits never change an address; nor does this move one made from an earlier title.
    expect(findPetition(String(edited.id))?.slug).toBe("four-day-week");
    expect(findPetition(String(ascii.id))?.slug).toBe(ascii.slug);
    expect(renewFormerRulesAddresses(NOW + DAY_MS)).toBe(0);
  });

  it("answer at their new address", async () => {
    const petition = await callRoute(petitionPage, "loader", null, `/petitions/${enc(moved.petition)}`, {
      slug: moved.petition,
    });
    expect(petition.status).toBe(200);
    const policy = await callRoute(policyPage, "loader", null, `/policies/${enc(moved.policy)}`, {
      slug: moved.policy,
    });
    expect(policy.status).toBe(200);
  });

  it("redirect from the petition's old address, keeping the query", async () => {
    const response = await callRoute(petitionPage, "loader", null, "/petitions/2-petition?from=email&x=1", {
      slug: "2-petition",
    });
    expect(response.status).toBe(301);
    expect(location(response)).toBe(`/petitions/${enc(moved.petition)}?from=email&x=1`);
  });

  it("redirect the pages below the old address, GET and HEAD alike", async () => {
    const response = await callRoute(petitionFeed, "loader", null, "/petitions/2-petition/feed.atom", {
      slug: "2-petition",
    });
    expect(response.status).toBe(301);
    expect(location(response)).toBe(`/petitions/${enc(moved.petition)}/feed.atom`);
    const head = await thrownBy(() =>
      petitionFeed.loader({
        request: new Request(`${TEST_BASE_URL}/petitions/2-petition/feed.atom?a=b`, { method: "HEAD" }),
        params: { slug: "2-petition" },
        context: { clientIp: "192.0.2.1", cspNonce: "" },
      }),
    );
    expect(head.status).toBe(301);
    expect(location(head)).toBe(`/petitions/${enc(moved.petition)}/feed.atom?a=b`);
  });

  it("redirect from the policy's and the announcement's old addresses", async () => {
    const policy = await callRoute(policyPage, "loader", null, "/policies/policy?tab=versions", {
      slug: "policy",
    });
    expect(policy.status).toBe(301);
    expect(location(policy)).toBe(`/policies/${enc(moved.policy)}?tab=versions`);
    const memo = await callRoute(announcementPage, "loader", null, "/announcements/announcement", {
      slug: "announcement",
    });
    expect(memo.status).toBe(301);
    expect(location(memo)).toBe(`/announcements/${enc(moved.announcement)}`);
  });

  it("redirect the JSON API's by-slug lookups, and answer by id as before", async () => {
    const bySlug = await callRoute(apiPetition, "loader", null, "/api/petitions/2-petition?v=1", {
      idOrSlug: "2-petition",
    });
    expect(bySlug.status).toBe(301);
    expect(location(bySlug)).toBe(`/api/petitions/${enc(moved.petition)}?v=1`);
    const count = await callRoute(apiCount, "loader", null, "/api/petitions/2-petition/count", {
      idOrSlug: "2-petition",
    });
    expect(location(count)).toBe(`/api/petitions/${enc(moved.petition)}/count`);
    const byId = await callRoute(apiPetition, "loader", null, `/api/petitions/${story.petition.id}`, {
      idOrSlug: String(story.petition.id),
    });
    expect(byId.status).toBe(200);
    expect(((await byId.json()) as { slug: string }).slug).toBe(moved.petition);
    const memo = await callRoute(apiAnnouncement, "loader", null, "/api/announcements/announcement", {
      id: "announcement",
    });
    expect(memo.status).toBe(301);
    expect(location(memo)).toBe(`/api/announcements/${enc(moved.announcement)}`);
  });

  it("redirect whatever the case of the path, as the routes match it", async () => {
    const response = await callRoute(petitionPage, "loader", null, "/PETITIONS/2-petition", {
      slug: "2-petition",
    });
    expect(response.status).toBe(301);
    expect(location(response)).toBe(`/petitions/${enc(moved.petition)}`);
  });

  it("found by an address the former rules counted ('petition-3'), find no more than a number does", async () => {
    const asked = (who: ReturnType<typeof company.member>) =>
      callRoute(petitionPage, "loader", who, "/petitions/petition-3", { slug: "petition-3" });
    // A colleague counting addresses finds no collecting petition (nor its new title); its creator does.
    const counted = await asked(company.member(5));
    expect(counted.status).toBe(404);
    expect(location(counted)).toBeNull();
    expect((await asked(company.member(4))).status).toBe(301);
  });

  it("do not redirect from a draft's old address to someone who may not see it (its title stays unsaid)", async () => {
    const response = await callRoute(petitionPage, "loader", company.member(5), "/petitions/petition", {
      slug: "petition",
    });
    expect(response.status).toBe(404);
    expect(location(response)).toBeNull();
  });

  it("keep their Atom ids: every entry's and the feed's, in the petition's feed and the announcements'", async () => {
    const feed = await callRoute(
      petitionFeed,
      "loader",
      null,
      `/petitions/${enc(moved.petition)}/feed.atom`,
      {
        slug: moved.petition,
      },
    );
    const after = await feed.text();
    expect(atomProblems(after)).toBeNull();
    expect(entryIds(feedsBefore.petition).length).toBeGreaterThan(3);
    expect(entryIds(after)).toEqual(entryIds(feedsBefore.petition));
    const feedId = (xml: string) => /<feed[\s\S]*?<id>([^<]*)<\/id>/.exec(xml)?.[1];
    expect(feedId(after)).toBe(feedId(feedsBefore.petition));
    // Its links lead to the new address, as ASCII.
    expect(after).toContain(`href="${petitionUrl(moved.petition)}"`);
    expect(petitionUrl(moved.petition)).toMatch(/^[\x21-\x7e]+$/);
    const announcementsAfter = await announcementsFeed.loader().text();
    expect(entryIds(announcementsAfter)).toEqual(entryIds(feedsBefore.announcements));
    expect(announcementsAfter).toContain(`/announcements/${enc(moved.announcement)}"`);
  });
});

async function thrownBy(fn: () => unknown): Promise<Response> {
  try {
    await fn();
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
  throw new Error("expected a thrown Response");
}
