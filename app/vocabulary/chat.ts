/** Company chat: the platforms a channel may be on, and the public events it may be sent. */
export const CHAT_KINDS = ["slack", "teams"] as const;
export type ChatKind = (typeof CHAT_KINDS)[number];

/** Public events only: each is something every colleague can already read on the petition's page. */
export const CHAT_EVENTS = [
  "petition.opened",
  "milestone.reached",
  "memo.answered",
  "commitment.changed",
] as const;
export type ChatEvent = (typeof CHAT_EVENTS)[number];
