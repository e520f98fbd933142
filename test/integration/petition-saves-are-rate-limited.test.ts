import { afterEach, describe, expect, it, vi } from "vitest";
import {
  DRAFT_SAVE_LIMITS,
  saveNewPetition,
  savePetitionEdit,
} from "../../app/domain/petitions/drafting.server";
import { RateLimited } from "../../app/platform/refusal";
import * as newPetitionRoute from "../../app/routes/petitions.new";
import { getDb } from "../../db/client";
import { petitions } from "../../db/schema";
import { callRoute } from "../support/fixtures";
import { makeCompany } from "../support/petition-fixtures";

/** Saving petitions is rate limited per colleague (each save renders its body), edits included. */

const company = makeCompany(12);
const staff = company.member;
const petitionCount = () => getDb().select({ id: petitions.id }).from(petitions).all().length;
const draft = (body: string, n = 0) => ({
  title: `A petition whose body is heavy on structure, ${n}`,
  summary: "Its body is made of the constructs the renderer finds costliest.",
  body,
});

afterEach(() => {
  vi.useRealTimers();
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
