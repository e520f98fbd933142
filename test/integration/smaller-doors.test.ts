import { createHash } from "node:crypto";
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { backupDatabase } from "../../app/domain/backups/backup.server";
import { DatabaseInUse, restoreDatabase } from "../../app/domain/backups/restore.server";
import type { User } from "../../app/domain/identity/sessions.server";
import {
  DRAFT_SAVE_LIMITS,
  saveNewPetition,
  savePetitionEdit,
} from "../../app/domain/petitions/drafting.server";
import { transitionPetition } from "../../app/domain/petitions/lifecycle.server";
import { databaseIsLocked, tryLockDatabase } from "../../app/platform/database-lock.server";
import { MarkdownRefusal, renderMarkdown } from "../../app/platform/markdown.server";
import { RateLimited } from "../../app/platform/refusal";
import * as discussionRoute from "../../app/routes/discussions.$subjectType.$subjectId";
import * as petitionRoute from "../../app/routes/petitions.$slug._index";
import * as newPetitionRoute from "../../app/routes/petitions.new";
import { getDb, openDatabase } from "../../db/client";
import { petitions } from "../../db/schema";
import { callRoute } from "../support/fixtures";
import { draftPetition, makeCompany, openPetition } from "../support/petition-fixtures";

/**
 * Issue 22, finding 7 ("smaller doors"): each door performed against the domain or the route and
 * shown to be closed.
 */

const company = makeCompany(12);
const staff = company.member;
const petitionCount = () => getDb().select({ id: petitions.id }).from(petitions).all().length;
const fill = (unit: string, length = 10_000) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
const draft = (body: string, n = 0) => ({
  title: `A petition whose body is heavy on structure, ${n}`,
  summary: "Its body is made of the constructs the renderer finds costliest.",
  body,
});

afterEach(() => {
  vi.useRealTimers();
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

describe("saving petitions", () => {
  /** Half a minute into the current minute: the limits are counted at injected instants. */
  const NOW = Math.floor(Date.now() / 60_000) * 60_000 + 30_000;

  it("refuses a colleague's eleventh save within a minute with a 429 and saves nothing, edits included; a minute later they save again", async () => {
    const writer = staff(11);
    const first = await saveNewPetition(draft("A first draft.", 100), writer, NOW);
    for (let i = 1; i < DRAFT_SAVE_LIMITS.perMinute.limit; i++)
      await savePetitionEdit(first.id, draft(`Edit number ${i}.`, 100), writer, NOW + i);
    const before = petitionCount();
    const refused = await saveNewPetition(draft("One too many.", 101), writer, NOW + 20).catch((e) => e);
    expect(refused).toBeInstanceOf(RateLimited);
    expect((refused as RateLimited).status).toBe(429);
    await expect(
      savePetitionEdit(first.id, draft("One too many.", 100), writer, NOW + 21),
    ).rejects.toBeInstanceOf(RateLimited);
    expect(petitionCount()).toBe(before);
    // Another colleague is not held up by it.
    await saveNewPetition(draft("Someone else's draft.", 102), staff(10), NOW + 22);
    await saveNewPetition(draft("A minute later.", 103), writer, NOW + 61_000);
    expect(petitionCount()).toBe(before + 2);
  });

  it("answers the new-petition form with 429 once its writer is over the limit", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(NOW + 3_600_000);
    const writer = staff(9);
    for (let i = 0; i < DRAFT_SAVE_LIMITS.perMinute.limit; i++)
      await saveNewPetition(draft(`Draft ${i}.`, 200 + i), writer, Date.now());
    const again = draft("Once more, a draft that is otherwise perfectly fine to save.", 299);
    const response = await callRoute(newPetitionRoute, "action", writer, "/petitions/new", {}, again);
    expect(response.status).toBe(429);
    expect(response.headers.get("Retry-After")).toMatch(/^\d+$/);
    expect(JSON.stringify(await response.json())).toMatch(/saving petitions very often/);
  });
});

describe("a petition collecting co-sponsors", () => {
  it("is not found by number through its discussion, by viewing or by posting; its organizers and moderators find it, and an open petition's discussion is everyone's", async () => {
    const creator = staff(0);
    const petition = draftPetition(creator, "A petition shared with a few colleagues only, again");
    transitionPetition(petition.id, { action: "submit" }, creator);
    const discussion = `/discussions/petition/${petition.id}`;
    const params = { subjectType: "petition", subjectId: String(petition.id) };
    const view = (who: User | null) => callRoute(discussionRoute, "loader", who, discussion, params);
    const stranger = staff(7);
    const seen = await view(stranger);
    expect(seen.status).toBe(404);
    expect(await seen.text()).not.toContain(petition.title);
    expect((await view(null)).status).toBe(404);
    // Posting answered "the discussion opens when the petition opens": that told the number was a petition collecting.
    const post = await callRoute(discussionRoute, "action", stranger, discussion, params, {
      intent: "post",
      body: "Is there anything here?",
    });
    expect(post.status).toBe(404);
    expect(await post.text()).not.toMatch(/opens when/);
    // Those it is shared with by right see it either way; colleagues with its link see the petition.
    expect((await view(creator)).status).toBe(200);
    expect((await view(company.moderator)).status).toBe(200);
    const bySlug = await callRoute(petitionRoute, "loader", stranger, `/petitions/${petition.slug}`, {
      slug: petition.slug,
    });
    expect(bySlug.status).toBe(200);
    const open = openPetition(company, "An open petition with a discussion");
    expect(
      (
        await callRoute(discussionRoute, "loader", stranger, `/discussions/petition/${open.id}`, {
          subjectType: "petition",
          subjectId: String(open.id),
        })
      ).status,
    ).toBe(200);
  });
});

describe("the one-server-per-database lock", () => {
  it("is one lock for every name of a database: through a symlink to the file or to its folder, a second server and a restore are refused and the live file is untouched", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "undersigned-lock-"));
    try {
      const live = path.join(dir, "data", "app.db");
      mkdirSync(path.dirname(live));
      openDatabase(live).$client.close();
      const fileLink = path.join(dir, "alias.db");
      symlinkSync(live, fileLink);
      const folderLink = path.join(dir, "linked");
      symlinkSync(path.dirname(live), folderLink);
      const viaFolder = path.join(folderLink, "app.db");
      const backup = path.join(dir, "backup.db");
      backupDatabase(backup, { db: getDb() });
      const hash = () => createHash("sha256").update(readFileSync(live)).digest("hex");

      // A server holds the database under its own name; the other names find it held.
      const server = tryLockDatabase(live);
      expect(server).not.toBeNull();
      expect(tryLockDatabase(fileLink)).toBeNull();
      expect(tryLockDatabase(viaFolder)).toBeNull();
      expect(databaseIsLocked(fileLink)).toBe(true);
      const before = hash();
      expect(() => restoreDatabase(backup, fileLink)).toThrow(DatabaseInUse);
      expect(() => restoreDatabase(backup, viaFolder)).toThrow(DatabaseInUse);
      expect(hash()).toBe(before);
      server?.release();

      // Started through the link, it holds the database under its real name too.
      const throughLink = tryLockDatabase(fileLink);
      expect(throughLink).not.toBeNull();
      expect(tryLockDatabase(live)).toBeNull();
      throughLink?.release();

      // No server: a restore through the link replaces the file it names, and the link stays a link.
      const report = restoreDatabase(backup, fileLink, { now: () => Date.now() });
      expect(report.databasePath).toBe(realpathSync(live));
      expect(lstatSync(fileLink).isSymbolicLink()).toBe(true);
      expect(hash()).not.toBe(before);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
