import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { postComment } from "../../app/domain/discussion/posting.server";
import { renderMissingPetitionBodies } from "../../app/domain/petitions/drafting.server";
import { findPetition } from "../../app/domain/petitions/reads.server";
import { MarkdownRefusal, renderMarkdown } from "../../app/platform/content/markdown.server";
import { resetRateLimits } from "../../app/platform/security/rate-limits.server";
import * as petitionRoute from "../../app/routes/petitions.$slug._index";
import * as newPetitionRoute from "../../app/routes/petitions.new";
import { getDb } from "../../db/client";
import { petitions } from "../../db/schema";
import { callRoute } from "../support/fixtures";
import { makeCompany, openPetition } from "../support/petition-fixtures";

/**
 * Markdown costs are bounded before anything is saved or shown: shapes that cost the renderer seconds
 * (deep nesting, thousands of list items, emphasis runs) are refused with a 400 and save nothing,
 * and ordinary long documents still render.
 */

const company = makeCompany(24);
const staff = company.member;
const petitionCount = () => getDb().select({ id: petitions.id }).from(petitions).all().length;
const fill = (unit: string, length = 10_000) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
const draft = (body: string, n = 0) => ({
  title: `A petition whose body is heavy on structure, ${n}`,
  summary: "Its body is made of the constructs the renderer finds costliest.",
  body,
});

describe("markdown a save may ask to render", () => {
  it("refuses 10,000 characters of list items, setext headings, quotes or short lines with a 400 and saves nothing (a draft save cost 0.3–1.2 s of CPU)", async () => {
    const bombs = {
      "list items": fill("- a\n"),
      "numbered items": fill("1. a\n"),
      "nested items": fill("- - - - - - - - a\n"),
      "setext headings": fill("a\n=\n"),
      "setext headings under dashes": fill("a\n-\n"),
      "separate quotes": fill("> a\n\n"),
      "items in quotes": fill("- > a\n"),
      "paragraphs of a letter": fill("a\n\n"),
      "lines of a letter": fill("a\n"),
    };
    const before = petitionCount();
    const outcomes: Record<string, string> = {};
    for (const [i, [shape, body]] of Object.entries(bombs).entries()) {
      const response = await callRoute(
        newPetitionRoute,
        "action",
        staff(i),
        "/petitions/new",
        {},
        draft(body, i),
      );
      const text = await response.text();
      outcomes[shape] =
        `${response.status} ${/paragraphs, list items|lines:|formatting characters/.exec(text)?.[0] ?? text.slice(0, 80)}`;
    }
    expect(outcomes).toEqual({
      "list items": "400 paragraphs, list items",
      "numbered items": "400 paragraphs, list items",
      "nested items": "400 paragraphs, list items",
      "setext headings": "400 paragraphs, list items",
      "setext headings under dashes": "400 paragraphs, list items",
      "separate quotes": "400 paragraphs, list items",
      "items in quotes": "400 paragraphs, list items",
      "paragraphs of a letter": "400 paragraphs, list items",
      "lines of a letter": "400 lines:",
    });
    expect(petitionCount()).toBe(before);
  });

  it("still renders a long policy of ordinary structure: 40 sections of a heading, three paragraphs and four points", () => {
    const section = (n: number) =>
      [
        `## ${n}. Working from elsewhere`,
        ...Array.from({ length: 3 }, () =>
          "Colleagues may work from another place for up to two weeks a year, agreed with their manager in advance. ".repeat(
            3,
          ),
        ),
        Array.from(
          { length: 4 },
          (_, i) => `- Point ${i + 1}: ask at least a week ahead, and say where you will be.`,
        ).join("\n"),
      ].join("\n\n");
    const policy = Array.from({ length: 40 }, (_, n) => section(n + 1)).join("\n\n");
    expect(policy.length).toBeGreaterThan(45_000);
    const html = renderMarkdown(policy);
    expect(html.match(/<h2>/g)).toHaveLength(40);
    expect(html.match(/<li>/g)).toHaveLength(160);
  });

  it("counts indented items, headings, links and character references toward the bounds (each costs as much as the shapes above)", () => {
    const indented = Array.from({ length: 401 }, (_, i) => `${"  ".repeat(i % 8)}- a`).join("\n");
    expect(() => renderMarkdown(indented)).toThrow(MarkdownRefusal);
    expect(() => renderMarkdown(fill("## a\n", 2_010))).toThrow(/paragraphs, list items/);
    expect(() => renderMarkdown(fill("&amp; "))).toThrow(/formatting characters/);
    // 600 links in paragraphs of 75: 1,200 brackets, under the 2,000 that let through ~0.1 s of links.
    expect(() => renderMarkdown(`${"[a](b) ".repeat(75)}\n\n`.repeat(8))).toThrow(/a link counts as four/);
  });
});

describe("rendering", () => {
  it("refuses a body nested 3,000 quotes deep when it is saved (it made the page a 500 for every viewer)", async () => {
    const before = getDb().select().from(petitions).all().length;
    const response = await callRoute(
      newPetitionRoute,
      "action",
      staff(4),
      "/petitions/new",
      {},
      {
        title: "A petition whose body is a quote bomb",
        summary: "Nested quotes all the way down, to break the page.",
        body: `${">".repeat(3_000)} deep`,
      },
    );
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toMatch(/nests quotes or lists too deeply/);
    expect(getDb().select().from(petitions).all()).toHaveLength(before);
  });

  it("refuses 5,000 characters of *a*a… (a fifth of a second of CPU each) with a 400", async () => {
    const petition = openPetition(company, "Fewer all-hands meetings on Mondays");
    resetRateLimits();
    await expect(
      postComment(
        { type: "petition", id: petition.id },
        { body: "*a".repeat(2_500), anonymous: false },
        staff(5),
      ),
    ).rejects.toBeInstanceOf(MarkdownRefusal);
  });

  it("renders a body saved before the bounds once, safely, and its page answers 200", async () => {
    const petition = openPetition(company, "A petition saved before bodies were stored");
    getDb()
      .update(petitions)
      .set({ body: `${">".repeat(3_000)} <script>alert(1)</script>`, bodyHtml: "" })
      .where(eq(petitions.id, petition.id))
      .run();
    expect(renderMissingPetitionBodies()).toBeGreaterThanOrEqual(1);
    const html = findPetition(petition.slug)?.bodyHtml ?? "";
    expect(html).toContain("&#60;script&#62;");
    expect(html).not.toContain("<script");
    const page = await callRoute(petitionRoute, "loader", staff(6), `/petitions/${petition.slug}`, {
      slug: petition.slug,
    });
    expect(page.status).toBe(200);
  });
});
