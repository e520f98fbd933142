import { eq } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import type { CommentAction } from "../../../app/domain/discussion/comment-rights.server";
import {
  dismissReports,
  hideComment,
  restoreComment,
  setThreadLock,
} from "../../../app/domain/discussion/moderation.server";
import { deleteComment, editComment, postComment } from "../../../app/domain/discussion/posting.server";
import { reportComment, setVote } from "../../../app/domain/discussion/reactions.server";
import { CommentError } from "../../../app/domain/discussion/rules.server";
import { loadComment } from "../../../app/domain/discussion/thread.server";
import { grantRole } from "../../../app/domain/identity/permissions.server";
import type { User } from "../../../app/domain/identity/sessions.server";
import { transitionPetition } from "../../../app/domain/petitions/lifecycle.server";
import { CLI_ACTOR } from "../../../app/platform/security/audit.server";
import { resetRateLimits } from "../../../app/platform/security/rate-limits.server";
import { getDb } from "../../../db/client";
import { comments } from "../../../db/schema";
import { makeCompany, openPetition } from "../../support/petition-fixtures";

/**
 * What a thread offers on a comment is what the domain then accepts: for every state of a comment,
 * of its discussion and every kind of person, each `can` flag the page reads is true exactly when
 * the action it offers succeeds (tried one by one, each on its own fresh comment in that state).
 */

const company = makeCompany(12);
const [organizer, , , , author, colleague, reporter, voter] = company.staff;
if (!organizer || !author || !colleague || !reporter || !voter) throw new Error("company too small");
// The petition's creator moderates too: a moderator with a stake in the discussion.
grantRole(organizer.id, "moderator", CLI_ACTOR);
const moderatingOrganizer: User = { ...organizer, roles: ["moderator"] };

beforeEach(() => resetRateLimits());

type Discussion = "open" | "locked" | "archived";
const DISCUSSIONS: Discussion[] = ["open", "locked", "archived"];

type CommentState =
  | "visible"
  | "held"
  | "voted by the viewer"
  | "reported by the viewer"
  | "reported by others"
  | "hidden pending review"
  | "hidden by a moderator"
  | "deleted";
const COMMENT_STATES: CommentState[] = [
  "visible",
  "held",
  "voted by the viewer",
  "reported by the viewer",
  "reported by others",
  "hidden pending review",
  "hidden by a moderator",
  "deleted",
];

const PEOPLE: Array<[string, User]> = [
  ["its author", author],
  ["a colleague", colleague],
  ["a moderator", company.moderator],
  ["a moderator who organizes the petition", moderatingOrganizer],
];

/** Each tried on its own comment; `moderate` (the moderation controls) is checked against hide, restore and dismiss. */
const ACTIONS: Exclude<CommentAction, "moderate">[] = [
  "vote",
  "reply",
  "edit",
  "delete",
  "report",
  "hide",
  "restore",
  "dismiss",
];

/** Puts a fresh comment by `author` in `state`, as seen by `viewer` (who may be its author). */
async function commentIn(petitionId: number, state: CommentState, viewer: User): Promise<number> {
  resetRateLimits();
  const id = await postComment(
    { type: "petition", id: petitionId },
    { body: "Logging keystrokes for training was never agreed.", anonymous: state === "held" },
    author as User,
  );
  const db = getDb();
  if (state === "voted by the viewer" && viewer !== author) await setVote(id, true, viewer);
  if (state === "reported by the viewer" && viewer !== author) {
    await reportComment(id, { reason: "off_topic" }, viewer);
  }
  if (state === "reported by others") await reportComment(id, { reason: "spam" }, reporter as User);
  if (state === "hidden pending review") {
    for (const person of company.staff.slice(8, 11)) await reportComment(id, { reason: "spam" }, person);
    expect(db.select().from(comments).where(eq(comments.id, id)).get()?.hiddenAt).not.toBeNull();
  }
  if (state === "hidden by a moderator") hideComment(id, "Names a colleague", company.moderator);
  if (state === "deleted") deleteComment(id, author as User);
  return id;
}

const TRY: Record<(typeof ACTIONS)[number], (id: number, user: User, voted: boolean) => unknown> = {
  vote: (id, user, voted) => setVote(id, !voted, user),
  reply: (id, user) => postComment(null, { body: "I agree.", anonymous: false, parentId: id }, user),
  edit: (id, user) => editComment(id, "Logging keystrokes for training was never agreed to.", user),
  delete: (id, user) => deleteComment(id, user),
  report: (id, user) => reportComment(id, { reason: "offensive" }, user),
  hide: (id, user) => hideComment(id, "Off topic", user),
  restore: (id, user) => restoreComment(id, user),
  dismiss: (id, user) => dismissReports(id, user),
};

async function accepted(fn: () => unknown): Promise<boolean> {
  resetRateLimits();
  try {
    await fn();
    return true;
  } catch (error) {
    if (error instanceof CommentError) return false;
    throw error;
  }
}

describe("what a thread offers on a comment", () => {
  for (const discussion of DISCUSSIONS) {
    it(`is what the domain accepts, in a discussion ${discussion}`, async () => {
      const petition = openPetition(company);
      // Every case gets its own comment per action, made before the discussion closes.
      const cases: Array<{
        state: CommentState;
        who: string;
        viewer: User;
        ids: Record<(typeof ACTIONS)[number], number>;
      }> = [];
      for (const state of COMMENT_STATES) {
        for (const [who, viewer] of PEOPLE) {
          const ids = {} as Record<(typeof ACTIONS)[number], number>;
          for (const action of ACTIONS) ids[action] = await commentIn(petition.id, state, viewer);
          cases.push({ state, who, viewer, ids });
        }
      }
      if (discussion === "locked") {
        setThreadLock(
          { type: "petition", id: petition.id },
          { locked: true, reason: "Cooling off" },
          company.moderator,
        );
      }
      if (discussion === "archived") {
        transitionPetition(petition.id, { action: "close" }, company.moderator);
        transitionPetition(petition.id, { action: "archive" }, company.moderator);
      }
      const offeredSomewhere = new Set<string>();
      for (const { state, who, viewer, ids } of cases) {
        let moderateOffered = false;
        let someModerationAccepted = false;
        for (const action of ACTIONS) {
          const view = loadComment(ids[action], viewer)?.comment;
          const label = `${who}, ${state}: ${action}`;
          const succeeded = await accepted(() => TRY[action](ids[action], viewer, view?.voted ?? false));
          // A comment the viewer cannot read (someone else's held one) offers nothing, and takes nothing.
          expect(view?.can[action] ?? false, label).toBe(succeeded);
          if (view?.can[action]) offeredSomewhere.add(action);
          if (action === "hide") moderateOffered = view?.can.moderate ?? false;
          if (action === "hide" || action === "restore" || action === "dismiss")
            someModerationAccepted ||= succeeded;
        }
        // The moderation controls show exactly when one of them (hide, restore, dismiss) works.
        expect(moderateOffered, `${who}, ${state}: moderate`).toBe(someModerationAccepted);
      }
      // The test is not vacuous: in an open discussion each action is offered to someone.
      if (discussion === "open") expect([...offeredSomewhere].sort()).toEqual([...ACTIONS].sort());
    }, 120_000);
  }
});
