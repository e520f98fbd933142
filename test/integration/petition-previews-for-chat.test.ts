import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { transitionPetition } from "../../app/domain/petitions/lifecycle.server";
import * as petitionRoute from "../../app/routes/petitions.$slug._index";
import { getDb } from "../../db/client";
import { people } from "../../db/schema";
import { signAs } from "../support/anonymous";
import { callRoute } from "../support/fixtures";
import { draftPetition, makeCompany, openPetition } from "../support/petition-fixtures";

/**
 * A petition's address pasted into intranet chat unfurls into a preview (Open Graph and Twitter's
 * card): title, count and state. The chat service fetches it without a session, so it gets only what
 * a signed-out reader may see: a draft, or a petition still collecting co-sponsors, answers "not
 * found" with no preview and no title.
 */

const company = makeCompany(12);
type Tags = Array<Record<string, string>>;

/** The route's loader as `reader` calls it, then its meta function on what the loader gave. */
async function previewFor(reader: { id: number } | null, slug: string) {
  const response = await callRoute(petitionRoute, "loader", reader, `/petitions/${slug}`, { slug });
  const ok = response.status === 200;
  const body = await response.text();
  const data = ok ? JSON.parse(body) : undefined;
  const tags = petitionRoute.meta({ data } as Parameters<typeof petitionRoute.meta>[0]) as Tags;
  const tag = (property: string) =>
    tags.find((t) => t.property === property || t.name === property)?.content ?? null;
  return { status: response.status, body, tags, tag };
}

describe("a petition's preview for chat", () => {
  const petition = openPetition(company, "Let staff see what the badge readers log");

  it("gives a colleague signed in and a reader signed out the title, the count and the state", async () => {
    await signAs("public", { petitionId: petition.id, user: company.member(6), ip: null });
    await signAs("anonymous", { petitionId: petition.id, user: company.member(7), ip: null });
    const [colleague, outsider] = [
      await previewFor(company.member(8), petition.slug),
      await previewFor(null, petition.slug),
    ];
    for (const reader of [colleague, outsider]) {
      expect(reader.status).toBe(200);
      expect(reader.tag("og:title")).toBe(petition.title);
      expect(reader.tag("og:type")).toBe("website");
      expect(reader.tag("og:site_name")).toBe("Undersigned");
      expect(reader.tag("og:url")).toMatch(new RegExp(`^https?://[^/]+/petitions/${petition.slug}$`));
      expect(reader.tag("og:description")).toBe(`2 signatures, open for signatures. ${petition.summary}`);
      expect(reader.tag("twitter:card")).toBe("summary");
    }
    // The same words for both: nothing a colleague's session adds.
    expect(outsider.tags).toEqual(colleague.tags);
  });

  it("is in the reader's language", async () => {
    const german = company.member(9);
    getDb().update(people).set({ locale: "de" }).where(eq(people.id, german.id)).run();
    const preview = await previewFor(german, petition.slug);
    expect(preview.tag("og:description")).toMatch(/^\d+ Unterschriften, offen für Unterschriften\. /);
  });

  it("gives no title of a draft to anyone but its creator", async () => {
    const draft = draftPetition(company.member(0), "Stop reading staff chat for training data");
    for (const reader of [null, company.member(5), company.moderator]) {
      const preview = await previewFor(reader, draft.slug);
      expect(preview.status).toBe(404);
      expect(preview.tag("og:title")).toBeNull();
      expect(preview.tag("og:description")).toBeNull();
      expect(JSON.stringify(preview.tags)).not.toContain(draft.title);
      expect(preview.body).not.toContain(draft.title);
      expect(preview.body).not.toContain(draft.summary);
    }
    // Its creator reads their own draft, preview included; the page offers no sharing yet.
    const own = await previewFor(company.member(0), draft.slug);
    expect(own.tag("og:title")).toBe(draft.title);
    expect(own.tag("og:description")).toBe(`A draft. ${draft.summary}`);
    expect(JSON.parse(own.body).sharing.offered).toBe(false);
  });

  it("gives a petition collecting co-sponsors to colleagues only: a reader signed out gets no title", async () => {
    const collecting = draftPetition(company.member(1), "Tell staff which meetings are transcribed");
    transitionPetition(collecting.id, { action: "submit" }, company.member(1));
    const outsider = await previewFor(null, collecting.slug);
    expect(outsider.status).toBe(404);
    expect(outsider.tag("og:title")).toBeNull();
    expect(outsider.body).not.toContain(collecting.title);

    const colleague = await previewFor(company.member(10), collecting.slug);
    expect(colleague.tag("og:title")).toBe(collecting.title);
    expect(colleague.tag("og:description")).toBe(`Looking for co-sponsors. ${collecting.summary}`);
    expect(JSON.parse(colleague.body).sharing.offered).toBe(true);
  });
});
