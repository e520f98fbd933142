import { describe, expect, it } from "vitest";
import { COUNT_STANDING_BY_VISIBILITY } from "../../app/domain/petitions/counts.server";
import { COUNT_ANONYMOUS_BETWEEN, COUNT_STANDING_BETWEEN } from "../../app/domain/petitions/dashboard.server";
import { getDb } from "../../db/client";
import { migratedBefore } from "../support/migrations";

describe("counting a petition's standing signatures by visibility", () => {
  it("reads the partial index of standing signatures (migration 0012), not every signature row", () => {
    const plan = getDb()
      .$client.prepare<[number], { detail: string }>(`explain query plan ${COUNT_STANDING_BY_VISIBILITY}`)
      .all(1)
      .map((row) => row.detail);
    expect(plan[0]).toMatch(/^SEARCH signatures USING (COVERING )?INDEX signatures_standing_visibility_idx /);
    // Nor a temporary B-tree for the GROUP BY: the index is ordered by visibility within a petition.
    expect(plan).toHaveLength(1);
  });

  it("counts a dashboard bucket from the standing-signatures-by-time index alone (migration 0013)", () => {
    const plan = getDb()
      .$client.prepare<{ petition: number; from: number; to: number }, { detail: string }>(
        `explain query plan ${COUNT_STANDING_BETWEEN}`,
      )
      .all({ petition: 1, from: 0, to: 1 })
      .map((row) => row.detail);
    // A partial index's plan says INDEX even when the table row is never read (no column of it is needed).
    expect(plan).toHaveLength(1);
    expect(plan[0]).toMatch(
      /^SEARCH signatures USING (COVERING )?INDEX signatures_standing_created_idx \(petition_id=\? AND created_at>\? AND created_at<\?\)$/,
    );
  });

  it("counts a bucket's anonymous signatures from their index alone (migration 0014)", () => {
    const plan = getDb()
      .$client.prepare<{ petition: number; from: number; to: number }, { detail: string }>(
        `explain query plan ${COUNT_ANONYMOUS_BETWEEN}`,
      )
      .all({ petition: 1, from: 0, to: 1 })
      .map((row) => row.detail);
    expect(plan).toEqual([
      "SEARCH anonymous_signatures USING COVERING INDEX anonymous_signatures_petition_idx (petition_id=? AND standing=? AND counted_at>? AND counted_at<?)",
    ]);
  });

  it("migration 0012 also widens the outbox index of a database migrated before 0011 was edited", () => {
    // Migrations 0000–0011 only, then 0011's first, narrow outbox index as such a database has it.
    const db = migratedBefore("_standing_visibility_index");
    const { client } = db;
    client.exec(
      "DROP INDEX outbox_petition_idx; CREATE INDEX outbox_petition_idx ON outbox (petition_id) WHERE petition_id is not null",
    );
    const columns = () =>
      client
        .prepare<[], { name: string }>("select name from pragma_index_info('outbox_petition_idx')")
        .all()
        .map((row) => row.name);
    expect(columns()).toEqual(["petition_id"]);

    db.upgrade();
    expect(columns()).toEqual(["petition_id", "kind", "status"]);
    db.done();
  });
});
