/**
 * Every kind of email the platform sends, with what people are shown of it: a label (the organizer
 * dashboard, the admin outbox) and whether its recipient is hidden from admins — the recipients of
 * emails to signers, commenters and feedback authors would tell who signed, wrote or was answered.
 */
export const MAIL_KINDS = {
  "sign-in": { label: "Sign-in links", hidesRecipient: false },
  "identity.link": { label: "Confirmations of company sign-ins", hidesRecipient: false },
  "account.email-changed": { label: "Email address changes, to the old address", hidesRecipient: false },
  "petition.awaiting_moderation": { label: "Petitions to review, to moderators", hidesRecipient: false },
  "petition.co-sponsored": { label: "Co-sponsors complete, to organizers", hidesRecipient: false },
  "petition.open": { label: "Approval, to organizers", hidesRecipient: false },
  "petition.rejected": { label: "Rejection, to organizers", hidesRecipient: false },
  "petition.closed": { label: "Closing, to organizers", hidesRecipient: false },
  "petition.response": { label: "Leadership's response, to organizers", hidesRecipient: false },
  "organizer.added": { label: "Welcome to new co-organizers", hidesRecipient: false },
  "organizer.invited": { label: "Invitations to co-organize", hidesRecipient: false },
  "petition.close_requested": { label: "Requests to close early, to moderators", hidesRecipient: false },
  "milestone.organizer": { label: "Milestone news, to organizers", hidesRecipient: false },
  "milestone.leadership": { label: "Response requests, to leadership", hidesRecipient: false },
  "obligation.due-soon": { label: "Response due soon, to leadership", hidesRecipient: false },
  "obligation.overdue": { label: "Response overdue, to leadership", hidesRecipient: false },
  "signer.milestone": { label: "Milestone news, to signers", hidesRecipient: true },
  "signer.update": { label: "Organizers' updates, to signers", hidesRecipient: true },
  "signer.victory": { label: "Victory note, to signers", hidesRecipient: true },
  "signer.response": { label: "Leadership's response, to signers", hidesRecipient: true },
  "comment.reply": { label: "Replies, to commenters", hidesRecipient: true },
  "comment.hidden": { label: "Hidden comments, to their authors", hidesRecipient: true },
  "feedback.reply": { label: "Owners' replies, to feedback authors", hidesRecipient: true },
} as const satisfies Record<string, { label: string; hidesRecipient: boolean }>;
export type MailKind = keyof typeof MAIL_KINDS;
export const MAIL_KIND_NAMES = Object.keys(MAIL_KINDS) as [MailKind, ...MailKind[]];
