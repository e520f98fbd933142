import { beforeEach, describe, expect, it, vi } from "vitest";
import { transitionPetition } from "../../app/domain/petitions/lifecycle.server";
import { petitionKeyView } from "../../app/domain/petitions/petition-keys.server";
import * as blindSignatures from "../../app/platform/anonymity/blind-signatures.server";
import * as petitionRoute from "../../app/routes/petitions.$slug._index";
import { callRoute } from "../support/fixtures";
import { draftPetition, makeCompany } from "../support/petition-fixtures";

// Counts the key pairs made: each is 100–300 ms of CPU that blocks the worker.
vi.mock("../../app/platform/anonymity/blind-signatures.server", async (original) => {
  const real = await original<typeof import("../../app/platform/anonymity/blind-signatures.server")>();
  return { ...real, generateBlindKeyPair: vi.fn(real.generateBlindKeyPair) };
});
const keysMade = () => vi.mocked(blindSignatures.generateBlindKeyPair).mock.calls.length;

const company = makeCompany(10);
const staff = company.member;
const [creator, a, colleague] = [staff(0), staff(1), staff(4)];

function awaitingModeration() {
  const petition = draftPetition(creator);
  transitionPetition(petition.id, { action: "submit" }, creator);
  let current = petition;
  for (const sponsor of [a, staff(2), staff(3)])
    current = transitionPetition(petition.id, { action: "co-sponsor" }, sponsor);
  expect(current.state).toBe("awaiting_moderation");
  return current;
}

beforeEach(() => vi.mocked(blindSignatures.generateBlindKeyPair).mockClear());

describe("approving a petition", () => {
  it("makes its key pair only for someone who may approve it: a refused request costs no key", async () => {
    const petition = awaitingModeration();
    const path = `/petitions/${petition.slug}?index`;
    const approve = (as: { id: number }) =>
      callRoute(
        petitionRoute,
        "action",
        as,
        path,
        { slug: petition.slug },
        { intent: "transition", step: "approve" },
      );
    // The creator or a co-sponsor posting "approve" over and over: refused, no key made (another
    // colleague cannot even see a petition awaiting moderation).
    for (let i = 0; i < 3; i++) expect((await approve(creator)).status).toBe(403);
    expect((await approve(a)).status).toBe(403);
    expect((await approve(colleague)).status).toBe(404);
    expect(keysMade()).toBe(0);
    expect(petitionKeyView(petition.id)).toBeNull();
    // The moderator's approval makes exactly one, and the petition opens with it.
    expect((await approve(company.moderator)).status).toBe(302);
    expect(keysMade()).toBe(1);
    expect(petitionKeyView(petition.id)?.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    // Open, anyone can see it: a colleague, or the moderator again, posting "approve" is refused
    // (already open) and makes no key. Each used to cost one: a loop of these held the worker.
    for (const person of [colleague, colleague, company.moderator]) {
      expect((await approve(person)).status).toBe(409);
    }
    expect(keysMade()).toBe(1);
  });
});
