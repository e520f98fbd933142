/**
 * The audit log's actions in words: a plain name for the filter, and what the actor did as the middle
 * of a sentence ("{who} {did} {target}"). The codes stay what is stored; pages show these.
 */
export const AUDIT_ACTIONS: Record<string, { name: string; did: string }> = {
  "announcement.draft": { name: "Memo drafted", did: "drafted the memo" },
  "announcement.edit-draft": { name: "Memo draft edited", did: "edited the draft memo" },
  "announcement.update": { name: "Published memo edited", did: "edited the published memo" },
  "announcement.schedule": { name: "Memo scheduled", did: "scheduled the memo" },
  "announcement.publish": { name: "Memo published", did: "published the memo" },
  "announcement.on-behalf": { name: "Memo changed for its author", did: "acted on behalf of the author of" },
  "commitment.update": { name: "Commitment updated", did: "updated the commitment" },
  "comment.auto-hide": { name: "Comment hidden by reports", did: "hid, after reports," },
  "comment.hide": { name: "Comment hidden", did: "hid" },
  "comment.restore": { name: "Comment restored", did: "restored" },
  "comment.dismiss-reports": { name: "Reports dismissed", did: "dismissed the reports on" },
  "comment-thread.lock": { name: "Discussion locked", did: "locked" },
  "comment-thread.unlock": { name: "Discussion unlocked", did: "unlocked" },
  "database.restore": { name: "Database restored", did: "restored the database from a backup" },
  "database.backup": { name: "Backup taken", did: "took a backup of the database" },
  "directory.import": { name: "Directory imported", did: "imported the staff directory" },
  "directory.provision": { name: "Person added by directory sync", did: "added" },
  "directory.update": { name: "Person changed by directory sync", did: "changed" },
  "directory.delete": { name: "Person removed by directory sync", did: "removed" },
  "directory.hold": { name: "Directory change held", did: "held a directory change to" },
  "directory.hold.confirm": { name: "Held change confirmed", did: "confirmed the held change to" },
  "directory.hold.refuse": { name: "Held change refused", did: "refused the held change to" },
  "feedback.reply": { name: "Feedback replied to", did: "replied to" },
  "feedback.status": { name: "Feedback status set", did: "set the status of" },
  "feedback.tag": { name: "Feedback tagged", did: "tagged" },
  "feedback.untag": { name: "Feedback tag removed", did: "removed a tag from" },
  "identity.link": { name: "Company sign-in linked", did: "linked a company sign-in to" },
  "identity.link-request": { name: "Sign-in link asked", did: "asked to link a company sign-in to" },
  "identity.link-refuse": { name: "Sign-in link refused", did: "refused to link a company sign-in to" },
  "mail.retry": { name: "Email retried", did: "retried" },
  "mail.retry-hidden": { name: "Emails retried", did: "retried failed emails" },
  "person.activate": { name: "Person reactivated", did: "reactivated" },
  "person.deactivate": { name: "Person deactivated", did: "deactivated" },
  "person.email-change": { name: "Email address changed", did: "changed the email address of" },
  "petition.submit": { name: "Petition submitted", did: "submitted" },
  "petition.co-sponsor": { name: "Petition co-sponsored", did: "co-sponsored" },
  "petition.co-sponsor.drop": { name: "Co-sponsor dropped", did: "dropped a co-sponsor of" },
  "petition.approve": { name: "Petition approved", did: "approved" },
  "petition.reject": { name: "Petition rejected", did: "rejected" },
  "petition.close": { name: "Petition closed", did: "closed" },
  "petition.archive": { name: "Petition archived", did: "archived" },
  "petition.hide": { name: "Petition hidden", did: "hid" },
  "petition.unhide": { name: "Petition shown again", did: "showed again" },
  "petition.declare-victory": { name: "Victory declared", did: "declared victory on" },
  "petition.request-close": { name: "Closing asked", did: "asked to close" },
  "petition.edit": { name: "Petition edited", did: "edited" },
  "petition.milestone.add": { name: "Milestone added", did: "added a milestone to" },
  "petition.milestone.approve-response": {
    name: "Milestone response approved",
    did: "made leadership answer a milestone of",
  },
  "petition.organizer.invite": { name: "Organizer invited", did: "invited an organizer to" },
  "petition.organizer.accept": { name: "Organizer invitation accepted", did: "became an organizer of" },
  "petition.organizer.decline": { name: "Organizer invitation declined", did: "declined to organize" },
  "petition.organizer.uninvite": { name: "Organizer invitation withdrawn", did: "withdrew an invitation to" },
  "petition.organizer.remove": { name: "Organizer removed", did: "removed an organizer from" },
  "petition.organizer.leave": { name: "Organizer left", did: "stopped organizing" },
  "petition.signers.export": { name: "Signers exported", did: "exported the public signers of" },
  "petition.update.post": { name: "Update posted", did: "posted an update on" },
  "policy.create": { name: "Policy created", did: "created the policy" },
  "policy.publish-version": { name: "Policy version published", did: "published a new version of" },
  "role.grant": { name: "Role granted", did: "granted a role to" },
  "role.revoke": { name: "Role revoked", did: "revoked a role of" },
  "scim-token.create": { name: "Directory sync token created", did: "created a directory sync token" },
  "scim-token.revoke": { name: "Directory sync token revoked", did: "revoked a directory sync token" },
  "seed.demo": { name: "Demo company loaded", did: "loaded the demo company" },
  "settings.update": { name: "Settings changed", did: "changed the settings" },
  "signatures.invalidate": { name: "Signatures invalidated", did: "invalidated signatures on" },
  "signatures.invalidate.preview": {
    name: "Invalidation previewed",
    did: "looked at which signatures an invalidation would remove on",
  },
};

/** An action not in the list above (a newer code): its code in words, never a blank. */
export function auditAction(code: string): { name: string; did: string } {
  return (
    AUDIT_ACTIONS[code] ?? {
      name: code.replace(/[.-]/g, " ").replace(/^./, (c) => c.toUpperCase()),
      did: `did "${code.replace(/[.-]/g, " ")}" to`,
    }
  );
}

/** Who acted when it was not a person, in words; and the words the filter accepts for each. */
export const AUDIT_ACTOR_LABELS: Record<string, string> = {
  cli: "The command line",
  system: "The server, on its own",
  "identity-provider": "The company's sign-in",
  scim: "Directory sync",
};
