import { describe, expect, it } from "vitest";
import { COUNT_STANDING_BY_VISIBILITY } from "../../app/models/signatures.server";
import { getDb } from "../../db/client";

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
});
