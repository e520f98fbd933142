/** Kinds of optional email a person can turn off; shared by the settings page and the mail code. */
export const EMAIL_TOPICS = [
  "comment-replies",
  "petition-updates",
  "petition-responses",
  "milestone-news",
] as const;
export type EmailTopic = (typeof EMAIL_TOPICS)[number];

/**
 * What the settings and unsubscribe pages call each kind: catalog keys (vocabulary imports nothing,
 * so they are literal strings here; `t` checks each is a key where it is used).
 */
export const EMAIL_TOPIC_LABELS = {
  "comment-replies": {
    label: "identity.emailTopic.commentReplies",
    unsubscribed: "identity.emailTopic.commentReplies.unsubscribed",
  },
  "petition-updates": {
    label: "identity.emailTopic.petitionUpdates",
    unsubscribed: "identity.emailTopic.petitionUpdates.unsubscribed",
  },
  "milestone-news": {
    label: "identity.emailTopic.milestoneNews",
    unsubscribed: "identity.emailTopic.milestoneNews.unsubscribed",
  },
  "petition-responses": {
    label: "identity.emailTopic.petitionResponses",
    unsubscribed: "identity.emailTopic.petitionResponses.unsubscribed",
  },
} as const satisfies Record<EmailTopic, { label: string; unsubscribed: string }>;
