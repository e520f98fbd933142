import { beforeEach, describe, expect, it } from "vitest";
import { loadComment, loadThread, THREAD_SQL } from "../../../app/domain/discussion/thread.server";
import type { User } from "../../../app/domain/identity/sessions.server";
import { resetRateLimits } from "../../../app/platform/security/rate-limits.server";
import { getDb } from "../../../db/client";
import { generateThread } from "../../support/big-thread";
import { flatten, subjectOf } from "../../support/comments";
import { makeCompany, openPetition } from "../../support/petition-fixtures";

const company = makeCompany(30);
const staff = company.member;

beforeEach(() => resetRateLimits());

describe("big threads", () => {
  /** Counts every statement better-sqlite3 runs while `fn` runs. */
  function countStatements(fn: () => void): number {
    const prototype = Object.getPrototypeOf(getDb().$client.prepare("select 1")) as Record<
      "all" | "get" | "run" | "iterate",
      (...args: unknown[]) => unknown
    >;
    const originals = { ...prototype };
    let n = 0;
    for (const method of ["all", "get", "run", "iterate"] as const) {
      const original = prototype[method];
      prototype[method] = function (this: unknown, ...args: unknown[]) {
        n++;
        return original.apply(this, args);
      };
    }
    try {
      fn();
    } finally {
      Object.assign(prototype, originals);
    }
    return n;
  }

  it("reads a page with the same number of statements for 30 comments as for 10,000", async () => {
    const small = openPetition(company);
    const big = openPetition(company);
    const authors: [User, ...User[]] = [staff(5), ...company.staff.slice(6, 25)];
    await generateThread(small.id, 30, authors);
    await generateThread(big.id, 10_000, authors);
    const viewer = staff(26);
    for (const sort of ["top", "newest", "oldest"] as const) {
      const counts = [small, big].map((petition) =>
        countStatements(() => {
          const view = loadThread(subjectOf(petition.id), viewer, { sort, page: 1 });
          expect(view?.comments).toHaveLength(Math.min(20, view?.thread.topLevelCount ?? 0));
        }),
      );
      expect(counts[0]).toBe(counts[1]);
      expect(counts[1]).toBeLessThanOrEqual(10);
    }
    // Each comment shows its first three replies; the rest load on demand.
    const bigView = loadThread(subjectOf(big.id), viewer, { sort: "oldest", page: 1 });
    const busy = bigView?.comments.find((c) => c.replyCount === 5);
    expect(busy?.replies).toHaveLength(3);
    expect(flatten(bigView?.comments ?? []).length).toBeGreaterThan(60);
    const more = loadComment(busy?.id ?? 0, viewer);
    expect(more?.comment.replies).toHaveLength(5);
    // The first three in time order (ids are random: ADR 31), as the comment's own page lists them.
    expect(busy?.replies.map((r) => r.id)).toEqual(more?.comment.replies.slice(0, 3).map((r) => r.id));
    expect(more?.comment.replies.at(-1)?.replyCount).toBe(4);
    expect(more?.comment.replies.at(-1)?.replies).toHaveLength(3);
  });

  it("reads a thread through an index per sort: no table scan, and no sorting but the previews' (as before)", () => {
    const plan = (text: string, ...args: unknown[]) =>
      getDb()
        .$client.prepare(`explain query plan ${text}`)
        .all(...args)
        .map((row) => (row as { detail: string }).detail);
    for (const sort of ["top", "newest", "oldest"] as const) {
      // The thread and the page (the viewer's own held comments are read apart: ownHeld).
      const steps = plan(THREAD_SQL[sort], 1, 20, 0);
      expect(steps[0]).toMatch(
        sort === "top"
          ? /^SEARCH c USING INDEX comments_top_level_score_idx \(thread_id=\?\)$/
          : /^SEARCH c USING INDEX comments_top_level_time_idx \(thread_id=\?\)$/,
      );
      expect(steps.join("\n")).not.toMatch(/SCAN|TEMP B-TREE/);
    }
    const ownHeld = plan(THREAD_SQL.ownHeld, 1, 2);
    expect(ownHeld[0]).toMatch(/^SEARCH c USING INDEX comments_held_idx \(thread_id=\?\)$/);
    expect(ownHeld.join("\n")).not.toMatch(/SCAN/);
    const replies = plan(THREAD_SQL.replies, 1, 2, 50, 0);
    expect(replies[0]).toMatch(/^SEARCH c USING INDEX comments_parent_time_idx \(parent_id=\?\)$/);
    expect(replies.join("\n")).not.toMatch(/SCAN|TEMP B-TREE/);
    // The previews read each parent's first replies through the same index; the one sort (a few
    // dozen rows) is the one the id-ordered statement had too.
    const preview = plan(THREAD_SQL.repliesPreview, "[1,2]", 2, 3);
    expect(preview).toContain("SEARCH s USING COVERING INDEX comments_parent_time_idx (parent_id=?)");
    expect(preview.filter((s) => /SCAN/.test(s))).toEqual(["SCAN p VIRTUAL TABLE INDEX 1:"]);
    expect(preview.filter((s) => /TEMP B-TREE/.test(s))).toEqual(["USE TEMP B-TREE FOR ORDER BY"]);
  });
});
