import { describe, expect, it } from "vitest";
import { grantRole } from "../../app/domain/identity/permissions.server";
import type { User } from "../../app/domain/identity/sessions.server";
import {
  addMilestone,
  approveResponseObligation,
  editPetition,
} from "../../app/domain/petitions/drafting.server";
import type { Transition } from "../../app/domain/petitions/forms";
import { dropCoSponsor, transitionPetition } from "../../app/domain/petitions/lifecycle.server";
import { findPetition, listMilestones } from "../../app/domain/petitions/reads.server";
import {
  type Petition,
  PetitionError,
  TRANSITION_ACTIONS,
  type TransitionAction,
} from "../../app/domain/petitions/rights.server";
import { viewerRights } from "../../app/domain/petitions/standing.server";
import { CLI_ACTOR } from "../../app/platform/security/audit.server";
import { coOrganize, draftPetition, makeCompany } from "../support/petition-fixtures";

/**
 * What the petition page offers a viewer is what the domain then accepts from them: for every state
 * and every kind of person, the steps, the edit link and the milestone form the page shows are
 * exactly those that succeed (tried one by one, each on a fresh petition in that state).
 */
const company = makeCompany(12);
const [creator, a, b, c, stranger, sponsoringModerator] = company.staff;
if (!creator || !a || !b || !c || !stranger || !sponsoringModerator) throw new Error("company too small");
grantRole(sponsoringModerator.id, "moderator", CLI_ACTOR);
const moderatorWhoSponsored: User = { ...sponsoringModerator, roles: ["moderator"] };

type State =
  | "draft"
  | "collecting"
  | "awaiting_moderation"
  | "open"
  | "hidden"
  | "closed"
  | "rejected"
  | "archived";
const STATES: State[] = [
  "draft",
  "collecting",
  "awaiting_moderation",
  "open",
  "hidden",
  "closed",
  "rejected",
  "archived",
];

/**
 * A fresh petition in `state`; the moderator who co-sponsored it is its first co-sponsor, `c` its
 * co-organizer (invited and accepted while a draft), and it has a milestone whose response its
 * creator asks for.
 */
function petitionIn(state: State): Petition {
  const petition = draftPetition(creator as User);
  coOrganize(petition, creator as User, c as User);
  addMilestone(petition.id, { threshold: 900, responseRequired: true, responseDays: 14 }, creator as User);
  const step = (t: Transition, by: User) => transitionPetition(petition.id, t, by);
  if (state === "draft") return refreshed(petition);
  step({ action: "submit" }, creator as User);
  step({ action: "co-sponsor" }, moderatorWhoSponsored);
  if (state === "collecting") return refreshed(petition);
  step({ action: "co-sponsor" }, a as User);
  step({ action: "co-sponsor" }, b as User);
  if (state === "awaiting_moderation") return refreshed(petition);
  if (state === "rejected" || state === "archived") {
    step({ action: "reject", reason: "duplicate" }, company.moderator);
    if (state === "archived") step({ action: "archive" }, company.moderator);
    return refreshed(petition);
  }
  step({ action: "approve" }, company.moderator);
  if (state === "hidden") step({ action: "hide", reason: "Names a colleague" }, company.moderator);
  if (state === "closed") step({ action: "close" }, company.moderator);
  return refreshed(petition);
}

/**
 * A petition in `state`, after letting the event loop run: opening one makes its RSA key pair
 * synchronously, and a test making dozens in one synchronous stretch held its worker for over the
 * 60 s vitest allows a worker's progress call (the run failed with every test green).
 */
async function fresh(state: State): Promise<Petition> {
  await new Promise((resolve) => setImmediate(resolve));
  return petitionIn(state);
}

function refreshed(petition: Petition): Petition {
  const found = findPetition(String(petition.id));
  if (!found) throw new Error("petition vanished");
  return found;
}

const INPUT: Record<TransitionAction, Transition> = {
  submit: { action: "submit" },
  "co-sponsor": { action: "co-sponsor" },
  approve: { action: "approve" },
  reject: { action: "reject", reason: "off_topic" },
  close: { action: "close" },
  archive: { action: "archive" },
  hide: { action: "hide", reason: "Names a colleague" },
  unhide: { action: "unhide" },
  "declare-victory": { action: "declare-victory", note: "Leadership agreed to every point we asked for." },
  "request-close": { action: "request-close", reason: "The policy was withdrawn last week." },
};

const accepted = (fn: () => unknown): boolean => {
  try {
    fn();
    return true;
  } catch (error) {
    if (error instanceof PetitionError) return false;
    throw error;
  }
};

const PEOPLE: Array<[string, () => User]> = [
  ["the creator", () => creator as User],
  ["a co-sponsor", () => a as User],
  ["a co-organizer", () => c as User],
  ["a colleague", () => stranger as User],
  ["a moderator", () => company.moderator],
  ["a moderator who co-sponsored it", () => moderatorWhoSponsored],
];

describe("what the petition page offers", () => {
  for (const state of STATES) {
    for (const [who, person] of PEOPLE) {
      it(`is what the domain accepts: ${who}, ${state}`, async () => {
        const user = person();
        const rights = viewerRights(await fresh(state), user);
        const succeeded: TransitionAction[] = [];
        for (const action of TRANSITION_ACTIONS) {
          const petition = await fresh(state);
          if (accepted(() => transitionPetition(petition.id, INPUT[action], user))) succeeded.push(action);
        }
        expect(rights.transitions).toEqual(succeeded);
        const edit = await fresh(state);
        expect(rights.canEdit).toBe(
          accepted(() =>
            editPetition(edit.id, { title: edit.title, summary: edit.summary, body: edit.body }, user),
          ),
        );
        const milestone = await fresh(state);
        expect(rights.canAddMilestone).toBe(
          accepted(() =>
            addMilestone(milestone.id, { threshold: 777, responseRequired: false, responseDays: null }, user),
          ),
        );
        const drop = await fresh(state);
        expect(rights.canDropCoSponsors, "drop a co-sponsor").toBe(
          accepted(() => dropCoSponsor(drop.id, moderatorWhoSponsored.id, user)),
        );
        const approve = await fresh(state);
        const requested = listMilestones(approve.id).find((m) => m.responseRequested);
        expect(rights.canApproveResponses, "approve a response").toBe(
          accepted(() => approveResponseObligation(approve.id, requested?.id ?? 0, user)),
        );
      });
    }
  }

  it("offers some step to someone in every state but archived (the test is not vacuous)", async () => {
    for (const state of STATES.filter((s) => s !== "archived")) {
      const offered: string[] = [];
      for (const [, person] of PEOPLE)
        offered.push(...viewerRights(await fresh(state), person()).transitions);
      expect(offered.length, state).toBeGreaterThan(0);
    }
  });
});
