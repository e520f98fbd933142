import { and, asc, count, eq, or, type SQL } from "drizzle-orm";
import { type DB, getDb } from "../../../db/client";
import {
  announcementProxyActs,
  announcements,
  auditLog,
  commentReports,
  comments,
  commentThreads,
  commentVotes,
  commitmentUpdates,
  emailOptOuts,
  externalIdentities,
  milestones,
  notificationReads,
  notificationSettings,
  pendingDirectoryImports,
  people,
  personRoles,
  petitionCoOrganizers,
  petitionCoSponsors,
  petitionFollows,
  petitionOrganizerInvitations,
  petitions,
  petitionUpdates,
  policies,
  policyFeedback,
  policyFeedbackReplies,
  policyOwners,
  policyVersions,
  scimHeldChanges,
  sessions,
  signatures,
  tokenIssuance,
  walletPasskeys,
  wallets,
} from "../../../db/schema";
import { emailPreferences } from "../../platform/mail/email-preferences.server";
import { startOfDay } from "../../platform/time";

/**
 * Everything the platform holds about a person that it can link to them (GDPR Art. 15 and 20): the
 * JSON file they download and the /my/data page read this one function. Each column that references
 * a person (db/schema.ts) is either read here or listed in EXCLUDED with why; a test plants a row in
 * each and fails on a new one that is neither. Anonymous acts are not here: the platform cannot link
 * an anonymous signature to anyone, and an anonymous comment's author never leaves the discussion
 * module (it is forgotten once they can no longer edit it), so a file someone downloads — and may
 * pass on — never ties them to one.
 */

/** Columns referencing a person that the export leaves out on purpose, and why (docs/privacy.md). */
export const EXCLUDED: Readonly<Record<string, string>> = {};

/** Where the export reads each column that references a person: `table.column`. */
export const EXPORTED_COLUMNS = [
  "external_identities.person_id",
  "pending_directory_imports.actor_id",
  "scim_held_changes.person_id",
  "person_roles.person_id",
  "person_roles.granted_by_id",
  "sessions.person_id",
  "audit_log.actor_id",
  "petitions.creator_id",
  "petition_co_sponsors.person_id",
  "signatures.person_id",
  "milestones.response_approved_by_id",
  "comment_threads.locked_by_id",
  "comments.author_id",
  "comments.hidden_by_id",
  "comment_votes.person_id",
  "comment_reports.reporter_id",
  "email_opt_outs.person_id",
  "policies.created_by_id",
  "policy_owners.person_id",
  "policy_versions.published_by_id",
  "announcements.author_id",
  "announcement_proxy_acts.by_id",
  "commitment_updates.by_id",
  "petition_co_organizers.person_id",
  "petition_co_organizers.added_by_id",
  "petition_organizer_invitations.person_id",
  "petition_organizer_invitations.invited_by_id",
  "petition_updates.author_id",
  "policy_feedback.author_id",
  "policy_feedback_replies.author_id",
  "token_issuance.person_id",
  "wallets.person_id",
  "wallet_passkeys.person_id",
  "notification_settings.person_id",
  "petition_follows.person_id",
  "notification_reads.person_id",
] as const;

const day = (value: Date | null): string | null =>
  value === null ? null : new Date(startOfDay(value.getTime())).toISOString().slice(0, 10);

const petitionRef = { id: petitions.id, slug: petitions.slug, title: petitions.title };

export type MyData = ReturnType<typeof myData>;

/** The person's data, in one read transaction (one snapshot). */
export function myData(personId: number, db: DB = getDb()) {
  return db.transaction((tx) => {
    const profile = tx.select().from(people).where(eq(people.id, personId)).get();
    if (!profile) return null;
    const mine = (column: Parameters<typeof eq>[0]): SQL => eq(column, personId);
    return {
      profile: {
        email: profile.email,
        name: profile.name,
        department: profile.department,
        location: profile.location,
        active: profile.active,
        inDirectory: profile.inDirectory,
        scimUserName: profile.scimUserName,
        externalId: profile.externalId,
        locale: profile.locale,
        timeZone: profile.timeZone,
        firstSignedInAt: profile.firstSignedInAt,
        createdAt: profile.createdAt,
        erasureRequestedAt: profile.erasureRequestedAt,
      },
      roles: tx
        .select({ role: personRoles.role, grantedAt: personRoles.grantedAt })
        .from(personRoles)
        .where(mine(personRoles.personId))
        .all(),
      rolesGranted: tx
        .select({ role: personRoles.role, grantedAt: personRoles.grantedAt })
        .from(personRoles)
        .where(mine(personRoles.grantedById))
        .all(),
      companyAccounts: tx
        .select({
          protocol: externalIdentities.protocol,
          issuer: externalIdentities.issuer,
          subject: externalIdentities.subject,
        })
        .from(externalIdentities)
        .where(mine(externalIdentities.personId))
        .all(),
      heldDirectoryChange: tx
        .select({
          email: scimHeldChanges.email,
          userName: scimHeldChanges.userName,
          externalId: scimHeldChanges.externalId,
          createdAt: scimHeldChanges.createdAt,
        })
        .from(scimHeldChanges)
        .where(mine(scimHeldChanges.personId))
        .all(),
      // The file itself holds the whole directory (others' data); its existence is theirs.
      pendingDirectoryImports: tx
        .select({ createdAt: pendingDirectoryImports.createdAt })
        .from(pendingDirectoryImports)
        .where(mine(pendingDirectoryImports.actorId))
        .all(),
      // Sessions are stored to the hour; shown by day.
      sessions: tx
        .select({
          createdAt: sessions.createdAt,
          renewedAt: sessions.renewedAt,
          expiresAt: sessions.expiresAt,
          method: sessions.method,
        })
        .from(sessions)
        .where(mine(sessions.personId))
        .orderBy(asc(sessions.createdAt))
        .all()
        .map((s) => ({
          startedOn: day(s.createdAt),
          lastUsedOn: day(s.renewedAt),
          endsOn: day(s.expiresAt),
          method: s.method,
        })),
      emailSettings: emailPreferences(personId),
      emailSettingsChanged: tx
        .select({ topic: emailOptOuts.topic, createdAt: emailOptOuts.createdAt })
        .from(emailOptOuts)
        .where(mine(emailOptOuts.personId))
        .all(),
      // Their digest choice; no row means each event by email, as it comes.
      notificationCadence:
        tx
          .select({ cadence: notificationSettings.cadence })
          .from(notificationSettings)
          .where(mine(notificationSettings.personId))
          .get()?.cadence ?? null,
      // Petitions they chose to follow by name (anonymous follows stay in their browser).
      petitionsFollowed: tx
        .select(petitionRef)
        .from(petitionFollows)
        .innerJoin(petitions, eq(petitions.id, petitionFollows.petitionId))
        .where(mine(petitionFollows.personId))
        .all(),
      // Only how many: each mark is a notification's key, which says nothing the list above does not.
      notificationsMarkedRead:
        tx.select({ n: count() }).from(notificationReads).where(mine(notificationReads.personId)).get()?.n ??
        0,
      petitionsCreated: tx
        .select({ ...petitionRef, state: petitions.state, createdAt: petitions.createdAt })
        .from(petitions)
        .where(mine(petitions.creatorId))
        .all(),
      coSponsored: tx
        .select({
          petition: petitionRef,
          createdAt: petitionCoSponsors.createdAt,
          droppedAt: petitionCoSponsors.droppedAt,
        })
        .from(petitionCoSponsors)
        .innerJoin(petitions, eq(petitions.id, petitionCoSponsors.petitionId))
        .where(mine(petitionCoSponsors.personId))
        .all(),
      coOrganized: tx
        .select({ petition: petitionRef, createdAt: petitionCoOrganizers.createdAt })
        .from(petitionCoOrganizers)
        .innerJoin(petitions, eq(petitions.id, petitionCoOrganizers.petitionId))
        .where(mine(petitionCoOrganizers.personId))
        .all(),
      coOrganizersAdded: tx
        .select({ petition: petitionRef, createdAt: petitionCoOrganizers.createdAt })
        .from(petitionCoOrganizers)
        .innerJoin(petitions, eq(petitions.id, petitionCoOrganizers.petitionId))
        .where(mine(petitionCoOrganizers.addedById))
        .all(),
      organizerInvitations: tx
        .select({ petition: petitionRef, createdAt: petitionOrganizerInvitations.createdAt })
        .from(petitionOrganizerInvitations)
        .innerJoin(petitions, eq(petitions.id, petitionOrganizerInvitations.petitionId))
        .where(mine(petitionOrganizerInvitations.personId))
        .all(),
      organizerInvitationsSent: tx
        .select({ petition: petitionRef, createdAt: petitionOrganizerInvitations.createdAt })
        .from(petitionOrganizerInvitations)
        .innerJoin(petitions, eq(petitions.id, petitionOrganizerInvitations.petitionId))
        .where(mine(petitionOrganizerInvitations.invitedById))
        .all(),
      signatures: tx
        .select({
          petition: petitionRef,
          visibility: signatures.visibility,
          reason: signatures.reason,
          wantsUpdates: signatures.wantsUpdates,
          department: signatures.department,
          location: signatures.location,
          receiptSeq: signatures.ledgerSeq,
          receiptHash: signatures.ledgerHash,
          createdAt: signatures.createdAt,
          withdrawnAt: signatures.withdrawnAt,
          invalidatedAt: signatures.invalidatedAt,
        })
        .from(signatures)
        .innerJoin(petitions, eq(petitions.id, signatures.petitionId))
        .where(mine(signatures.personId))
        .orderBy(asc(signatures.id))
        .all(),
      petitionUpdates: tx
        .select({
          petition: petitionRef,
          kind: petitionUpdates.kind,
          body: petitionUpdates.body,
          createdAt: petitionUpdates.createdAt,
        })
        .from(petitionUpdates)
        .innerJoin(petitions, eq(petitions.id, petitionUpdates.petitionId))
        .where(mine(petitionUpdates.authorId))
        .all(),
      milestoneResponsesApproved: tx
        .select({ petition: petitionRef, threshold: milestones.threshold })
        .from(milestones)
        .innerJoin(petitions, eq(petitions.id, milestones.petitionId))
        .where(mine(milestones.responseApprovedById))
        .all(),
      // Named comments only (see the module's comment).
      comments: tx
        .select({
          id: comments.id,
          subjectType: commentThreads.subjectType,
          subjectId: commentThreads.subjectId,
          body: comments.body,
          official: comments.official,
          createdAt: comments.createdAt,
          editedAt: comments.editedAt,
          deletedAt: comments.deletedAt,
          hiddenAt: comments.hiddenAt,
        })
        .from(comments)
        .innerJoin(commentThreads, eq(commentThreads.id, comments.threadId))
        .where(and(mine(comments.authorId), eq(comments.anonymous, false)))
        .all(),
      commentsHidden: tx
        .select({ id: comments.id, hiddenAt: comments.hiddenAt, hiddenReason: comments.hiddenReason })
        .from(comments)
        .where(mine(comments.hiddenById))
        .all(),
      discussionsLocked: tx
        .select({
          subjectType: commentThreads.subjectType,
          subjectId: commentThreads.subjectId,
          lockedAt: commentThreads.lockedAt,
          lockedReason: commentThreads.lockedReason,
        })
        .from(commentThreads)
        .where(mine(commentThreads.lockedById))
        .all(),
      commentVotes: tx
        .select({ commentId: commentVotes.commentId, createdAt: commentVotes.createdAt })
        .from(commentVotes)
        .where(mine(commentVotes.personId))
        .all(),
      // Kept only while open; a resolved report names nobody.
      commentReports: tx
        .select({
          commentId: commentReports.commentId,
          reason: commentReports.reason,
          note: commentReports.note,
          createdAt: commentReports.createdAt,
        })
        .from(commentReports)
        .where(mine(commentReports.reporterId))
        .all(),
      // Named feedback only: anonymous feedback is stored with no author.
      feedback: tx
        .select({
          id: policyFeedback.id,
          policy: { id: policies.id, slug: policies.slug, title: policies.title },
          body: policyFeedback.body,
          rating: policyFeedback.rating,
          status: policyFeedback.status,
          createdAt: policyFeedback.createdAt,
        })
        .from(policyFeedback)
        .innerJoin(policies, eq(policies.id, policyFeedback.policyId))
        .where(and(mine(policyFeedback.authorId), eq(policyFeedback.anonymous, false)))
        .all(),
      feedbackReplies: tx
        .select({
          feedbackId: policyFeedbackReplies.feedbackId,
          body: policyFeedbackReplies.body,
          createdAt: policyFeedbackReplies.createdAt,
        })
        .from(policyFeedbackReplies)
        .where(mine(policyFeedbackReplies.authorId))
        .all(),
      policiesCreated: tx
        .select({
          id: policies.id,
          slug: policies.slug,
          title: policies.title,
          createdAt: policies.createdAt,
        })
        .from(policies)
        .where(mine(policies.createdById))
        .all(),
      policiesOwned: tx
        .select({ id: policies.id, slug: policies.slug, title: policies.title })
        .from(policyOwners)
        .innerJoin(policies, eq(policies.id, policyOwners.policyId))
        .where(mine(policyOwners.personId))
        .all(),
      policyVersionsPublished: tx
        .select({
          policyId: policyVersions.policyId,
          version: policyVersions.version,
          publishedAt: policyVersions.publishedAt,
        })
        .from(policyVersions)
        .where(mine(policyVersions.publishedById))
        .all(),
      memosWritten: tx
        .select({
          id: announcements.id,
          slug: announcements.slug,
          title: announcements.title,
          state: announcements.state,
          createdAt: announcements.createdAt,
        })
        .from(announcements)
        .where(mine(announcements.authorId))
        .all(),
      memoActsOnBehalf: tx
        .select({
          announcementId: announcementProxyActs.announcementId,
          act: announcementProxyActs.act,
          at: announcementProxyActs.at,
        })
        .from(announcementProxyActs)
        .where(mine(announcementProxyActs.byId))
        .all(),
      commitmentUpdates: tx
        .select({
          commitmentId: commitmentUpdates.commitmentId,
          status: commitmentUpdates.status,
          note: commitmentUpdates.note,
          at: commitmentUpdates.at,
        })
        .from(commitmentUpdates)
        .where(mine(commitmentUpdates.byId))
        .all(),
      // Which scopes' tokens their devices were issued, by day: every device fetches every open
      // scope's, so this says they used the platform then, not what they signed.
      tokensIssued: tx
        .select({
          scope: tokenIssuance.scope,
          issuedOn: tokenIssuance.issuedOn,
          blindedHash: tokenIssuance.blindedHash,
        })
        .from(tokenIssuance)
        .where(mine(tokenIssuance.personId))
        .all()
        .map((row) => ({
          scope: row.scope,
          issuedOn: day(row.issuedOn),
          withoutToken: row.blindedHash === null,
        })),
      wallet: tx
        .select({ createdOn: wallets.createdOn })
        .from(wallets)
        .where(mine(wallets.personId))
        .all()
        .map((row) => ({ createdOn: day(row.createdOn) })),
      walletPasskeys: tx
        .select({ credentialId: walletPasskeys.credentialId, createdOn: walletPasskeys.createdOn })
        .from(walletPasskeys)
        .where(mine(walletPasskeys.personId))
        .all()
        .map((row) => ({ credentialId: row.credentialId, createdOn: day(row.createdOn) })),
      // Entries by them, and about them (their person page's changes: roles, deactivation, erasure).
      auditEntries: tx
        .select({
          id: auditLog.id,
          byThem: auditLog.actorId,
          action: auditLog.action,
          targetType: auditLog.targetType,
          targetId: auditLog.targetId,
          details: auditLog.details,
          createdAt: auditLog.createdAt,
        })
        .from(auditLog)
        .where(
          or(
            mine(auditLog.actorId),
            and(eq(auditLog.targetType, "person"), eq(auditLog.targetId, String(personId))),
          ),
        )
        .orderBy(asc(auditLog.id))
        .all()
        .map((entry) => ({ ...entry, byThem: entry.byThem === personId })),
    };
  });
}
