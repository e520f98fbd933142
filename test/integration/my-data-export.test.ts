import { eq, is } from "drizzle-orm";
import { getTableConfig, SQLiteTable } from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
import { sendFeedbackAnonymously } from "../../app/demo/anonymous-signer.server";
import { grantRole } from "../../app/domain/identity/permissions.server";
import { createSession } from "../../app/domain/identity/sessions.server";
import { EXCLUDED, EXPORTED_COLUMNS, type MyData, myData } from "../../app/domain/people/my-data.server";
import { createPolicy } from "../../app/domain/policies/registry.server";
import { actorOf, CLI_ACTOR, recordAudit } from "../../app/platform/security/audit.server";
import * as myDataFile from "../../app/routes/my.data[.]json";
import { getDb } from "../../db/client";
import * as schema from "../../db/schema";
import { signAnonymously, signPublicly } from "../support/anonymous";
import { post } from "../support/comments";
import { callRoute } from "../support/fixtures";
import { draftPetition, makeCompany, openPetition } from "../support/petition-fixtures";

/**
 * Every column of db/schema.ts that references a person, read from the schema's foreign keys: a
 * table added later that references people fails this test until the export reads it (a planter
 * below) or lists it in EXCLUDED with why.
 */
function columnsReferencingPeople(): string[] {
  const found: string[] = [];
  for (const table of Object.values(schema)) {
    if (!is(table, SQLiteTable)) continue;
    const config = getTableConfig(table);
    for (const fk of config.foreignKeys) {
      const ref = fk.reference();
      if (getTableConfig(ref.foreignTable).name !== "people") continue;
      for (const column of ref.columns) found.push(`${config.name}.${column.name}`);
    }
  }
  return found.sort();
}

const db = getDb();
const company = makeCompany(8);
const person = company.member(4);
const other = company.member(5);
const third = company.member(6);
const T = Date.now();
const at = new Date(T);
const open = openPetition(company, "A petition others organize");
const second = openPetition(company, "A second petition others organize");
const theirs = await post(open.id, other, "Someone else's comment");
const policy = db
  .insert(schema.policies)
  .values({ slug: "a-planted-policy", title: "A planted policy", summary: "s" })
  .returning()
  .get();
const memo = db
  .insert(schema.announcements)
  .values({ slug: "a-planted-memo", title: "A planted memo", body: "b", bodyHtml: "b", authorId: other.id })
  .returning()
  .get();
const commitment = db
  .insert(schema.commitments)
  .values({ announcementId: memo.id, position: 1, text: "A planted commitment" })
  .returning()
  .get();

/** One row about `person` in each column, and how the export shows it. */
type Holds = (data: NonNullable<MyData>) => boolean;
const PLANTERS: Record<string, () => Holds | Promise<Holds>> = {
  "external_identities.person_id": () => {
    db.insert(schema.externalIdentities)
      .values({
        personId: person.id,
        protocol: "oidc",
        issuer: "https://idp.example",
        subject: "planted-subject",
      })
      .run();
    return (d) => d.companyAccounts.some((a) => a.subject === "planted-subject");
  },
  "pending_directory_imports.actor_id": () => {
    db.insert(schema.pendingDirectoryImports)
      .values({
        id: "planted",
        actorId: person.id,
        csv: "x",
        deactivateMissing: false,
        planDigest: "d",
        createdAt: at,
      })
      .run();
    return (d) => d.pendingDirectoryImports.length === 1;
  },
  "scim_held_changes.person_id": () => {
    db.insert(schema.scimHeldChanges)
      .values({ personId: person.id, email: "planted-held@corp.example", userName: "planted-held" })
      .run();
    return (d) => d.heldDirectoryChange.some((c) => c.email === "planted-held@corp.example");
  },
  "person_roles.person_id": () => {
    grantRole(person.id, "organizer", CLI_ACTOR);
    return (d) => d.roles.some((r) => r.role === "organizer");
  },
  "person_roles.granted_by_id": () => {
    db.insert(schema.personRoles)
      .values({ personId: other.id, role: "moderator", grantedById: person.id })
      .run();
    return (d) => d.rolesGranted.some((r) => r.role === "moderator");
  },
  "sessions.person_id": () => {
    createSession(db, person.id, T);
    return (d) => d.sessions.some((s) => s.startedOn === at.toISOString().slice(0, 10));
  },
  "audit_log.actor_id": () => {
    recordAudit(db, actorOf(person), "planted.action");
    return (d) => d.auditEntries.some((e) => e.action === "planted.action" && e.byThem);
  },
  "petitions.creator_id": () => {
    draftPetition(person, "A petition they drafted");
    return (d) => d.petitionsCreated.some((p) => p.title === "A petition they drafted");
  },
  "petition_co_sponsors.person_id": () => {
    db.insert(schema.petitionCoSponsors).values({ petitionId: second.id, personId: person.id }).run();
    return (d) => d.coSponsored.some((c) => c.petition.id === second.id);
  },
  "signatures.person_id": async () => {
    await signPublicly(open.id, person, T);
    return (d) => d.signatures.some((s) => s.petition.id === open.id && s.visibility === "public");
  },
  "milestones.response_approved_by_id": () => {
    db.insert(schema.milestones)
      .values({ petitionId: open.id, threshold: 777, responseApprovedById: person.id })
      .run();
    return (d) => d.milestoneResponsesApproved.some((m) => m.threshold === 777);
  },
  "comment_threads.locked_by_id": () => {
    db.insert(schema.commentThreads)
      .values({
        subjectType: "announcement",
        subjectId: memo.id,
        lockedById: person.id,
        lockedReason: "planted lock",
      })
      .run();
    return (d) => d.discussionsLocked.some((l) => l.lockedReason === "planted lock");
  },
  "comments.author_id": async () => {
    await post(open.id, person, "Their named comment");
    return (d) => d.comments.some((c) => c.body === "Their named comment");
  },
  "comments.hidden_by_id": () => {
    db.update(schema.comments)
      .set({ hiddenById: person.id, hiddenAt: at, hiddenReason: "planted hiding" })
      .where(eq(schema.comments.id, theirs))
      .run();
    return (d) => d.commentsHidden.some((c) => c.hiddenReason === "planted hiding");
  },
  "comment_votes.person_id": () => {
    db.insert(schema.commentVotes).values({ commentId: theirs, personId: person.id }).run();
    return (d) => d.commentVotes.some((v) => v.commentId === theirs);
  },
  "comment_reports.reporter_id": () => {
    db.insert(schema.commentReports)
      .values({ commentId: theirs, reporterId: person.id, reason: "spam", note: "planted report" })
      .run();
    return (d) => d.commentReports.some((r) => r.note === "planted report");
  },
  "email_opt_outs.person_id": () => {
    db.insert(schema.emailOptOuts).values({ personId: person.id, topic: "petition-updates" }).run();
    return (d) => d.emailSettings["petition-updates"] === false && d.emailSettingsChanged.length === 1;
  },
  "policies.created_by_id": () => {
    db.insert(schema.policies)
      .values({ slug: "their-policy", title: "Their policy", summary: "s", createdById: person.id })
      .run();
    return (d) => d.policiesCreated.some((p) => p.title === "Their policy");
  },
  "policy_owners.person_id": () => {
    db.insert(schema.policyOwners).values({ policyId: policy.id, personId: person.id }).run();
    return (d) => d.policiesOwned.some((p) => p.id === policy.id);
  },
  "policy_versions.published_by_id": () => {
    db.insert(schema.policyVersions)
      .values({
        policyId: policy.id,
        version: 1,
        body: "b",
        bodyHtml: "b",
        changeSummary: "c",
        effectiveAt: at,
        publishedById: person.id,
        publishedAt: at,
      })
      .run();
    return (d) => d.policyVersionsPublished.some((v) => v.policyId === policy.id);
  },
  "announcements.author_id": () => {
    db.insert(schema.announcements)
      .values({ slug: "their-memo", title: "Their memo", body: "b", bodyHtml: "b", authorId: person.id })
      .run();
    return (d) => d.memosWritten.some((m) => m.title === "Their memo");
  },
  "announcement_proxy_acts.by_id": () => {
    db.insert(schema.announcementProxyActs)
      .values({ announcementId: memo.id, byId: person.id, act: "edit", at })
      .run();
    return (d) => d.memoActsOnBehalf.some((a) => a.announcementId === memo.id);
  },
  "commitment_updates.by_id": () => {
    db.insert(schema.commitmentUpdates)
      .values({ commitmentId: commitment.id, status: "done", note: "planted note", byId: person.id, at })
      .run();
    return (d) => d.commitmentUpdates.some((u) => u.note === "planted note");
  },
  "petition_co_organizers.person_id": () => {
    db.insert(schema.petitionCoOrganizers).values({ petitionId: open.id, personId: person.id }).run();
    return (d) => d.coOrganized.some((c) => c.petition.id === open.id);
  },
  "petition_co_organizers.added_by_id": () => {
    db.insert(schema.petitionCoOrganizers)
      .values({ petitionId: second.id, personId: other.id, addedById: person.id })
      .run();
    return (d) => d.coOrganizersAdded.some((c) => c.petition.id === second.id);
  },
  "petition_organizer_invitations.person_id": () => {
    db.insert(schema.petitionOrganizerInvitations)
      .values({ petitionId: second.id, personId: person.id, invitedById: other.id })
      .run();
    return (d) => d.organizerInvitations.some((i) => i.petition.id === second.id);
  },
  "petition_organizer_invitations.invited_by_id": () => {
    db.insert(schema.petitionOrganizerInvitations)
      .values({ petitionId: open.id, personId: third.id, invitedById: person.id })
      .run();
    return (d) => d.organizerInvitationsSent.some((i) => i.petition.id === open.id);
  },
  "petition_updates.author_id": () => {
    db.insert(schema.petitionUpdates)
      .values({
        petitionId: open.id,
        authorId: person.id,
        kind: "update",
        body: "Their update",
        bodyHtml: "u",
      })
      .run();
    return (d) => d.petitionUpdates.some((u) => u.body === "Their update");
  },
  "policy_feedback.author_id": () => {
    db.insert(schema.policyFeedback)
      .values({ policyId: policy.id, authorId: person.id, body: "Their named feedback", bodyHtml: "f" })
      .run();
    return (d) => d.feedback.some((f) => f.body === "Their named feedback");
  },
  "policy_feedback_replies.author_id": () => {
    const feedback = db
      .insert(schema.policyFeedback)
      .values({ policyId: policy.id, authorId: other.id, body: "Someone's feedback", bodyHtml: "f" })
      .returning()
      .get();
    db.insert(schema.policyFeedbackReplies)
      .values({ feedbackId: feedback.id, authorId: person.id, body: "Their reply", bodyHtml: "r" })
      .run();
    return (d) => d.feedbackReplies.some((r) => r.body === "Their reply");
  },
  "token_issuance.person_id": () => {
    db.insert(schema.tokenIssuance)
      .values({ scope: "feedback:planted", personId: person.id, issuedOn: at, blindedHash: null })
      .run();
    return (d) => d.tokensIssued.some((i) => i.scope === "feedback:planted");
  },
  "wallets.person_id": () => {
    db.insert(schema.wallets)
      .values({ personId: person.id, check: "c", createdOn: at })
      .onConflictDoNothing()
      .run();
    return (d) => d.wallet.length === 1;
  },
  "wallet_passkeys.person_id": () => {
    db.insert(schema.walletPasskeys)
      .values({ personId: person.id, credentialId: "planted-credential", wrapped: "w", createdOn: at })
      .run();
    return (d) => d.walletPasskeys.some((p) => p.credentialId === "planted-credential");
  },
  "notification_settings.person_id": () => {
    db.insert(schema.notificationSettings)
      .values({ personId: person.id, cadence: "weekly", mailedThrough: at })
      .run();
    return (d) => d.notificationCadence === "weekly";
  },
  "petition_follows.person_id": () => {
    db.insert(schema.petitionFollows).values({ personId: person.id, petitionId: second.id }).run();
    return (d) => d.petitionsFollowed.some((p) => p.id === second.id);
  },
  "notification_reads.person_id": () => {
    db.insert(schema.notificationReads)
      .values({ personId: person.id, eventKey: `${open.id}-planted` })
      .run();
    return (d) => d.notificationsMarkedRead === 1;
  },
};

describe("a person's export", () => {
  it("accounts for every column that references a person: exported, or excluded with a reason", () => {
    const accounted = [...EXPORTED_COLUMNS, ...Object.keys(EXCLUDED)].sort();
    expect(accounted).toEqual(columnsReferencingPeople());
    for (const reason of Object.values(EXCLUDED)) expect(reason.length).toBeGreaterThan(20);
    expect(Object.keys(PLANTERS).sort()).toEqual([...EXPORTED_COLUMNS].sort());
  });

  it("holds the row planted about them in every table, and none of their anonymous acts", async () => {
    const checks: Array<[string, Holds]> = [];
    for (const [column, plant] of Object.entries(PLANTERS)) checks.push([column, await plant()]);
    // Anonymous acts made for them through the protocol, as their browser would.
    const anonymousPetition = openPetition(company, "A petition they sign anonymously");
    const token = await signAnonymously(anonymousPetition.id, person, {
      reason: "Their anonymous reason",
      at: T,
    });
    await post(open.id, person, "Their anonymous comment", true, T);
    const feedbackPolicy = createPolicy(
      {
        title: "A policy they send anonymous feedback on",
        summary: "s",
        ownerTeam: "Team",
        ownerEmails: other.email,
        body: "b",
        changeSummary: "First",
        effectiveAt: new Date(T - 86_400_000),
      },
      company.leader,
    );
    await sendFeedbackAnonymously(feedbackPolicy.id, person, { body: "Their anonymous feedback" }, T);

    // The file is what the route sends (a GET, changing nothing), read as the person.
    const response = await callRoute(myDataFile, "loader", person, "/my/data.json", {});
    expect(response.headers.get("Content-Disposition")).toMatch(/attachment/);
    const text = await response.text();
    const data = JSON.parse(text) as MyData;
    expect(data).toEqual(JSON.parse(JSON.stringify(myData(person.id))));
    const data2 = myData(person.id);
    if (!data2) throw new Error("no export");
    for (const [column, holds] of checks) expect(holds(data2), column).toBe(true);

    const anonymousRow = db
      .select()
      .from(schema.anonymousSignatures)
      .where(eq(schema.anonymousSignatures.tokenId, token.tokenId))
      .get();
    expect(anonymousRow).toBeDefined();
    for (const secret of [token.tokenId, anonymousRow?.ledgerHash ?? "", "Their anonymous"]) {
      expect(text).not.toContain(secret);
    }
    expect(data2.signatures.some((s) => s.petition.id === anonymousPetition.id)).toBe(false);
  });
});
