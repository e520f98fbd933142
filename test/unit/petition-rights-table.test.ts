import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { User } from "../../app/domain/identity/sessions.server";
import {
  canView,
  canViewByNumber,
  coSponsorDropRefusal,
  dashboardRefusal,
  editRefusal,
  invalidationRefusal,
  isModeratorFix,
  milestoneRefusal,
  NO_STANDING,
  organizerChangeRefusal,
  type Petition,
  type PetitionError,
  responseApprovalRefusal,
  type Standing,
  type TransitionAction,
  transitionRefusal,
  updateRefusal,
} from "../../app/domain/petitions/rights.server";
import type { PetitionState } from "../../app/vocabulary/petitions";

/**
 * docs/features.md's "Who may do what to a petition" is read as data and every cell is asked of the
 * pure rules in rights.server.ts: a row or a column the rules do not check, or a cell they answer
 * otherwise, fails here, so the table and the code cannot disagree.
 */

function rightsTable() {
  const doc = readFileSync("docs/features.md", "utf8");
  const section = doc.split(/^## Who may do what to a petition$/m)[1]?.split(/^## /m)[0];
  if (!section) throw new Error("docs/features.md has no 'Who may do what to a petition' section");
  const cells = (line: string) =>
    line
      .trim()
      .replace(/^\||\|$/g, "")
      .split("|")
      .map((cell) => cell.trim());
  const [header, separator, ...rows] = section.split("\n").filter((line) => line.startsWith("|"));
  if (!header || !separator) throw new Error("the section holds no table");
  return {
    columns: cells(header).slice(1),
    rows: rows.map((line) => {
      const [what = "", ...answers] = cells(line);
      // "yes (asked or not)" is a yes with a note; "–" is a no.
      return { what, answers: answers.map((a) => a.startsWith("yes")) };
    }),
  };
}

const person = (id: number, roles: User["roles"] = []): User => ({
  id,
  email: `p${id}@example.com`,
  name: null,
  department: null,
  location: null,
  roles,
});

const nobody = NO_STANDING;

/** One standing per column of the table, as standing.server.ts would read it. */
const STANDINGS: Record<string, Standing> = {
  creator: { ...nobody, user: person(1), isCreator: true, isOrganizer: true },
  "co-organizer (accepted the invitation)": {
    ...nobody,
    user: person(2),
    isCoOrganizer: true,
    isOrganizer: true,
  },
  "co-sponsor": { ...nobody, user: person(3), hasCoSponsored: true },
  "other staff": { ...nobody, user: person(4) },
  "moderator without a stake": { ...nobody, user: person(5, ["moderator"]), isModerator: true },
  admin: { ...nobody, user: person(6, ["admin"]), isAdmin: true },
};

const petitionIn = (state: PetitionState, extra: Partial<Petition> = {}): Petition => ({
  id: 1,
  slug: "a-petition",
  title: "A petition",
  summary: "",
  body: "",
  bodyHtml: "",
  category: null,
  policyId: null,
  state,
  creatorId: 1,
  coSponsorsRequired: 2,
  openForDays: 30,
  rejectionReason: null,
  rejectionNote: null,
  hiddenAt: null,
  hiddenReason: null,
  signatureCount: 0,
  ledgerLength: 0,
  ledgerHead: null,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  submittedAt: null,
  openedAt: null,
  closesAt: null,
  closedAt: null,
  archivedAt: null,
  wonAt: null,
  closeRequestedAt: null,
  closeRequestReason: null,
  ...extra,
});

type Check = (s: Standing) => boolean;
const allowed = (refusal: PetitionError | null) => refusal === null;
const step =
  (action: TransitionAction, petition: Petition): Check =>
  (s) =>
    allowed(transitionRefusal(petition, action, s));

const open = petitionIn("open");
const hidden = petitionIn("open", { hiddenAt: new Date(0) });
const asked = petitionIn("open", { closeRequestedAt: new Date(0) });

/**
 * Each row of the table, as the rules state it: a "yes" must pass every check of its row (in each
 * state the row names), a "–" must fail every one.
 */
const ROWS: Record<string, Check[]> = {
  "edit the draft, submit it, add milestones (≤ 3, 100 apart, before opening)": [
    (s) => allowed(editRefusal(petitionIn("draft"), s)),
    step("submit", petitionIn("draft")),
    ...(["draft", "collecting", "awaiting_moderation"] as const).map(
      (state): Check =>
        (s) =>
          allowed(milestoneRefusal(petitionIn(state), s)),
    ),
  ],
  "co-sponsor (counts toward opening)": [step("co-sponsor", petitionIn("collecting"))],
  "see it while it awaits moderation": [
    (s) => canView(petitionIn("awaiting_moderation"), s),
    (s) => canViewByNumber(petitionIn("awaiting_moderation"), s),
  ],
  "drop a co-sponsor (before opening)": (["collecting", "awaiting_moderation"] as const).map(
    (state): Check =>
      (s) =>
        allowed(coSponsorDropRefusal(petitionIn(state), s)),
  ),
  "approve, reject, hide, show, archive; fix typos; invalidate signatures": [
    step("approve", petitionIn("awaiting_moderation")),
    step("reject", petitionIn("awaiting_moderation")),
    step("hide", open),
    step("unhide", hidden),
    step("archive", petitionIn("closed")),
    step("archive", petitionIn("rejected")),
    (s) => allowed(editRefusal(open, s)) && isModeratorFix(open, s),
    (s) => allowed(invalidationRefusal(s)),
  ],
  "approve a response obligation the creator asked for": [
    (s) => allowed(responseApprovalRefusal(petitionIn("collecting"), s)),
    (s) => allowed(responseApprovalRefusal(open, s)),
  ],
  "ask moderators to close it early": [step("request-close", open)],
  "close it early": [step("close", open), step("close", asked)],
  "see the organizer dashboard, export public signers": [(s) => allowed(dashboardRefusal(s))],
  "post updates to signers (one a day)": [
    (s) => allowed(updateRefusal(open, s)),
    (s) => allowed(updateRefusal(petitionIn("closed"), s)),
  ],
  "declare victory": [step("declare-victory", open), step("declare-victory", petitionIn("closed"))],
  "invite and remove co-organizers, withdraw an invitation": [
    (s) => allowed(organizerChangeRefusal(open, s, "invite")),
    (s) => allowed(organizerChangeRefusal(open, s, "remove")),
  ],
  "stop co-organizing": [(s) => allowed(organizerChangeRefusal(open, s, "leave"))],
  // The badge and the emails go to whoever the petition_organizers view names: the standing's isOrganizer.
  "Official badge on own-name comments, organizer emails": [(s) => s.isOrganizer],
};

describe("the rights table in docs/features.md", () => {
  const table = rightsTable();

  it("has a column for each kind of person the rules tell apart, and a row for each rule checked", () => {
    expect(table.columns).toEqual(Object.keys(STANDINGS));
    expect(table.rows.map((row) => row.what)).toEqual(Object.keys(ROWS));
  });

  for (const { what, answers } of table.rows) {
    it(`says what the rules say: ${what}`, () => {
      const checks = ROWS[what] ?? [];
      const found = table.columns.map((column) => {
        const standing = STANDINGS[column];
        if (!standing) throw new Error(`no standing for column ${column}`);
        const results = checks.map((check) => check(standing));
        // Every check of a row agrees for each person: the row is one right, in every state it names.
        return results.every(Boolean) ? true : results.some(Boolean) ? `partly (${results})` : false;
      });
      expect(found).toEqual(answers);
    });
  }

  it("a moderator with a stake stands aside from every moderation step the table gives moderators", () => {
    const moderation = ROWS["approve, reject, hide, show, archive; fix typos; invalidate signatures"] ?? [];
    const moderator = STANDINGS["moderator without a stake"] as Standing;
    for (const stake of [{ isCreator: true }, { hasCoSponsored: true }, { isCoOrganizer: true }]) {
      const s = { ...moderator, ...stake };
      expect(moderation.map((check) => check(s))).toEqual(moderation.map(() => false));
    }
  });
});
