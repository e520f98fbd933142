import { expect, it } from "vitest";
import { REPEAT_STOP_MS, stopRequests } from "../../app/server/stop-requests";

function clocked() {
  let now = 5_000;
  const next = stopRequests(() => now);
  return { next, advance: (ms: number) => (now += ms) };
}

it("copies of one stop (the group's, npm's, a wrapper's relay) within a second are the same stop", () => {
  const { next, advance } = clocked();
  expect(next()).toBe("stop");
  expect(next()).toBe("same-stop");
  advance(30);
  expect(next()).toBe("same-stop");
  advance(REPEAT_STOP_MS - 30);
  expect(next()).toBe("same-stop");
});

it("a request more than a second after the first forces the stop, and so does any after it", () => {
  const { next, advance } = clocked();
  expect(next()).toBe("stop");
  advance(REPEAT_STOP_MS + 1);
  expect(next()).toBe("force");
  expect(next()).toBe("force");
});

it("the second is counted from the first request, not from the last copy", () => {
  const { next, advance } = clocked();
  expect(next()).toBe("stop");
  advance(600);
  expect(next()).toBe("same-stop");
  advance(600);
  expect(next()).toBe("force");
});
