import { DAY_MS } from "../../platform/time";
/** When will the next milestone be reached at the recent rate? Pure, so it can be tested exactly. */

/** The window the recent rate is measured over (or the petition's age, if younger — at least a day). */
export const RATE_WINDOW_MS = 7 * DAY_MS;

export type Projection =
  | { kind: "no-next-milestone" }
  | { kind: "not-open" }
  | { kind: "likely"; at: number; perDay: number }
  | { kind: "not-at-current-rate"; perDay: number; reason: "no-signatures" | "after-closing" };

export function projectNextMilestone(input: {
  count: number;
  nextThreshold: number | null;
  /** Standing signatures made in the rate window (ending now). */
  recentSignatures: number;
  openedAt: number | null;
  closesAt: number | null;
  open: boolean;
  now: number;
}): Projection {
  if (input.nextThreshold === null) return { kind: "no-next-milestone" };
  if (!input.open || input.openedAt === null) return { kind: "not-open" };
  const window = Math.max(DAY_MS, Math.min(RATE_WINDOW_MS, input.now - input.openedAt));
  const perDay = (input.recentSignatures / window) * DAY_MS;
  if (perDay <= 0) return { kind: "not-at-current-rate", perDay: 0, reason: "no-signatures" };
  const remaining = Math.max(0, input.nextThreshold - input.count);
  const at = input.now + (remaining / perDay) * DAY_MS;
  if (input.closesAt !== null && at > input.closesAt)
    return { kind: "not-at-current-rate", perDay, reason: "after-closing" };
  return { kind: "likely", at, perDay };
}
