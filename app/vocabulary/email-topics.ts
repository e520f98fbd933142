/** Kinds of optional email a person can turn off; shared by the settings page and the mail code. */
export const EMAIL_TOPICS = [
  "comment-replies",
  "petition-updates",
  "petition-responses",
  "milestone-news",
] as const;
export type EmailTopic = (typeof EMAIL_TOPICS)[number];

export const EMAIL_TOPIC_LABELS: Record<EmailTopic, { label: string; unsubscribed: string }> = {
  "comment-replies": {
    label: "Replies to my comments and to my policy feedback",
    unsubscribed: "You will no longer get emails about replies to your comments and feedback.",
  },
  "petition-updates": {
    label: "Organizers' updates on petitions I signed",
    unsubscribed: "You will no longer get organizers' updates on petitions you signed by email.",
  },
  "milestone-news": {
    label: "Milestones reached by petitions I organize",
    unsubscribed: "You will no longer get emails when petitions you organize reach a milestone.",
  },
  "petition-responses": {
    label: "Leadership's responses to petitions I signed",
    unsubscribed: "You will no longer get leadership's responses to petitions you signed by email.",
  },
};
