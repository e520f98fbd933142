/**
 * Every kind of email the platform sends, with what people are shown of it: a label (the organizer
 * dashboard, the admin outbox: `labelKey` is its catalog key; the English `label` stays until every
 * page reads the key) and whether its recipient is hidden from admins — the recipients of
 * emails to signers, commenters and feedback authors would tell who signed, wrote or was answered.
 */
export const MAIL_KINDS = {
  "sign-in": { label: "Sign-in links", labelKey: "admin.mailKind.signIn", hidesRecipient: false },
  "identity.link": {
    label: "Confirmations of company sign-ins",
    labelKey: "admin.mailKind.identityLink",
    hidesRecipient: false,
  },
  "account.email-changed": {
    label: "Email address changes, to the old address",
    labelKey: "admin.mailKind.accountEmailChanged",
    hidesRecipient: false,
  },
  "petition.awaiting_moderation": {
    label: "Petitions to review, to moderators",
    labelKey: "admin.mailKind.petitionAwaitingModeration",
    hidesRecipient: false,
  },
  "petition.co-sponsored": {
    label: "Co-sponsors complete, to organizers",
    labelKey: "admin.mailKind.petitionCoSponsored",
    hidesRecipient: false,
  },
  "petition.open": {
    label: "Approval, to organizers",
    labelKey: "admin.mailKind.petitionOpen",
    hidesRecipient: false,
  },
  "petition.rejected": {
    label: "Rejection, to organizers",
    labelKey: "admin.mailKind.petitionRejected",
    hidesRecipient: false,
  },
  "petition.closed": {
    label: "Closing, to organizers",
    labelKey: "admin.mailKind.petitionClosed",
    hidesRecipient: false,
  },
  "petition.response": {
    label: "Leadership's response, to organizers",
    labelKey: "admin.mailKind.petitionResponse",
    hidesRecipient: false,
  },
  "organizer.added": {
    label: "Welcome to new co-organizers",
    labelKey: "admin.mailKind.organizerAdded",
    hidesRecipient: false,
  },
  "organizer.invited": {
    label: "Invitations to co-organize",
    labelKey: "admin.mailKind.organizerInvited",
    hidesRecipient: false,
  },
  "petition.close_requested": {
    label: "Requests to close early, to moderators",
    labelKey: "admin.mailKind.petitionCloseRequested",
    hidesRecipient: false,
  },
  "milestone.organizer": {
    label: "Milestone news, to organizers",
    labelKey: "admin.mailKind.milestoneOrganizer",
    hidesRecipient: false,
  },
  "milestone.leadership": {
    label: "Response requests, to leadership",
    labelKey: "admin.mailKind.milestoneLeadership",
    hidesRecipient: false,
  },
  "obligation.due-soon": {
    label: "Response due soon, to leadership",
    labelKey: "admin.mailKind.obligationDueSoon",
    hidesRecipient: false,
  },
  "obligation.overdue": {
    label: "Response overdue, to leadership",
    labelKey: "admin.mailKind.obligationOverdue",
    hidesRecipient: false,
  },
  "signer.milestone": {
    label: "Milestone news, to signers",
    labelKey: "admin.mailKind.signerMilestone",
    hidesRecipient: true,
  },
  "signer.update": {
    label: "Organizers' updates, to signers",
    labelKey: "admin.mailKind.signerUpdate",
    hidesRecipient: true,
  },
  "signer.victory": {
    label: "Victory note, to signers",
    labelKey: "admin.mailKind.signerVictory",
    hidesRecipient: true,
  },
  "signer.response": {
    label: "Leadership's response, to signers",
    labelKey: "admin.mailKind.signerResponse",
    hidesRecipient: true,
  },
  "comment.reply": {
    label: "Replies, to commenters",
    labelKey: "admin.mailKind.commentReply",
    hidesRecipient: true,
  },
  "comment.hidden": {
    label: "Hidden comments, to their authors",
    labelKey: "admin.mailKind.commentHidden",
    hidesRecipient: true,
  },
  "feedback.reply": {
    label: "Owners' replies, to feedback authors",
    labelKey: "admin.mailKind.feedbackReply",
    hidesRecipient: true,
  },
  // Not an email: a post to a company chat channel (its "recipient" is the channel's name).
  "chat.post": {
    label: "Posts to company chat",
    labelKey: "chat.mailKind.post",
    hidesRecipient: false,
  },
  // What a person follows would tell what they signed: these recipients are hidden.
  "notification.event": {
    label: "News of a followed petition",
    labelKey: "notifications.mailKind.event",
    hidesRecipient: true,
  },
  "notification.digest": {
    label: "Daily and weekly digests",
    labelKey: "notifications.mailKind.digest",
    hidesRecipient: true,
  },
} as const satisfies Record<string, { label: string; labelKey: string; hidesRecipient: boolean }>;
export type MailKind = keyof typeof MAIL_KINDS;
export const MAIL_KIND_NAMES = Object.keys(MAIL_KINDS) as [MailKind, ...MailKind[]];
