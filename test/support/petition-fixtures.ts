import { grantRole, rolesOf } from "../../app/domain/identity/permissions.server";
import type { User } from "../../app/domain/identity/sessions.server";
import { findPersonByEmail } from "../../app/domain/people/directory.server";
import { importDirectory } from "../../app/domain/people/directory-import.server";
import { addMilestone, createPetition } from "../../app/domain/petitions/drafting.server";
import { transitionPetition } from "../../app/domain/petitions/lifecycle.server";
import { answerInvitation, inviteOrganizer } from "../../app/domain/petitions/organizers.server";
import type { Petition } from "../../app/domain/petitions/rights.server";
import { CLI_ACTOR } from "../../app/platform/security/audit.server";
import { getDb } from "../../db/client";

/** Someone already in the directory, as a signed-in session would hold them (with their roles). */
export function userByEmail(email: string): User {
  const person = findPersonByEmail(getDb(), email);
  if (!person) throw new Error(`${email} missing`);
  return { ...person, roles: rolesOf(person.id) };
}

/** A small company: `n` staff (staff1…staffN), a moderator, a leader; `member(i)` is `staff[i]`, which must exist. */
export function makeCompany(n = 20): {
  staff: User[];
  moderator: User;
  leader: User;
  member: (i: number) => User;
} {
  const rows = ["email,name,department,location"];
  for (let i = 1; i <= n; i++) rows.push(`staff${i}@corp.example,Staff Member ${i},Engineering,London`);
  rows.push(
    "mod@corp.example,Morgan Moderator,People,Berlin",
    "lead@corp.example,Lee Leader,Operations,London",
  );
  importDirectory(`${rows.join("\n")}\n`, CLI_ACTOR);
  const user = userByEmail;
  const moderator = user("mod@corp.example");
  grantRole(moderator.id, "moderator", CLI_ACTOR);
  const leader = user("lead@corp.example");
  grantRole(leader.id, "leadership", CLI_ACTOR);
  const staff = Array.from({ length: n }, (_, i) => user(`staff${i + 1}@corp.example`));
  return {
    staff,
    moderator: { ...moderator, roles: ["moderator"] },
    leader: { ...leader, roles: ["leadership"] },
    member: (i) => {
      const member = staff[i];
      if (!member) throw new Error(`no staff ${i}`);
      return member;
    },
  };
}

let counter = 0;
export function draftPetition(creator: User, title?: string, at?: number): Petition {
  counter++;
  return createPetition(
    {
      title: title ?? `Let staff opt out of logging, number ${counter}`,
      summary: "Give every member of staff a way to opt out of keystroke and click logging.",
      body: "Keystroke and click logging for AI training was introduced without consultation. ".repeat(3),
    },
    creator,
    at,
  );
}

export type OpenPetitionOptions = {
  /** The creator's own milestones, added while it is a draft. */
  milestones?: number[];
  /** When every step happens (drafted, submitted, co-sponsored, approved): now unless given. */
  at?: number;
};

/**
 * Draft → co-sponsored → approved: an open petition. The company's first staff member creates it,
 * the next three co-sponsor it and its moderator approves it (pass `{ staff: [creator, ...sponsors],
 * moderator }` to choose them).
 */
export function openPetition(
  company: { staff: User[]; moderator: User },
  title?: string,
  { milestones = [], at }: OpenPetitionOptions = {},
): Petition {
  const [creator, a, b, c] = company.staff;
  if (!creator || !a || !b || !c) throw new Error("need four staff");
  const petition = draftPetition(creator, title, at);
  for (const threshold of milestones)
    addMilestone(petition.id, { threshold, responseRequired: false, responseDays: null }, creator);
  transitionPetition(petition.id, { action: "submit" }, creator, at);
  for (const sponsor of [a, b, c]) transitionPetition(petition.id, { action: "co-sponsor" }, sponsor, at);
  return transitionPetition(petition.id, { action: "approve" }, company.moderator, at);
}

/** The creator invites `person` to co-organize and they accept: the only way to become an organizer. */
export function coOrganize(petition: { id: number }, creator: User, person: User): void {
  inviteOrganizer(petition.id, person.email, creator);
  answerInvitation(petition.id, true, person);
}
