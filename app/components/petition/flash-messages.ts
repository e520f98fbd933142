import type { Transition } from "../../domain/petitions/forms";
import { ordinal } from "../format";

/** What the petition page says back after a step, a signature or a withdrawal (as its flash). */
export const TRANSITION_MESSAGES: Record<Transition["action"], (state: string) => string> = {
  submit: (state) =>
    state === "collecting"
      ? "Sent for co-sponsors: share this page's address with colleagues."
      : "Sent to the moderators.",
  "co-sponsor": (state) =>
    state === "awaiting_moderation"
      ? "Thank you: the petition has its co-sponsors and goes to the moderators."
      : "Thank you for co-sponsoring.",
  approve: () => "Approved: the petition is open for signatures.",
  reject: () => "Rejected; the organizers were told why.",
  close: () => "The petition is closed.",
  archive: () => "The petition is archived.",
  hide: () => "The petition is hidden from lists.",
  unhide: () => "The petition is visible again.",
  "declare-victory": () => "Victory declared: signers will get your note by email.",
  "request-close": () => "Asked: a moderator decides whether to close it early.",
};

export function signedMessage({
  receipt,
  reasonPosted,
}: {
  receipt: { seq: number };
  reasonPosted: boolean | null;
}) {
  return `Thank you for signing: yours is the ${ordinal(receipt.seq)} entry in this petition's public record.${
    reasonPosted === false
      ? " Your reason was not posted: the discussion is locked, or you have posted many comments recently. You can post it as a comment later."
      : ""
  }`;
}
