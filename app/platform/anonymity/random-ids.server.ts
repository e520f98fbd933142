import { sql } from "drizzle-orm";
import type { Executor } from "../../../db/client";
import { randomRowId } from "../../../db/schema";

/**
 * Ids that carry no order (ADR 31): an anonymous comment's or feedback item's id must not sit
 * between the ids of exactly dated named ones. Every insert into these tables takes its id here,
 * inside its (immediate) transaction, so the check and the insert see the same rows; a collision
 * (about n / 2^53 for n rows) draws again.
 */
export type RandomIdTable = "comments" | "policy_feedback";

export function unusedRowId(exec: Executor, table: RandomIdTable): number {
  for (;;) {
    const id = randomRowId();
    const taken = exec.get<{ one: number } | undefined>(
      sql`select 1 as one from ${sql.identifier(table)} where id = ${id}`,
    );
    if (!taken) return id;
  }
}
