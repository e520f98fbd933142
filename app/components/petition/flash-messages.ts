import type { Transition } from "../../domain/petitions/forms";
import type { Formatter } from "../../i18n/format";
import type { Translate } from "../../i18n/translate";

/** What the petition page says back after a step, in the reader's words (as its flash). */
export function transitionMessage(t: Translate, action: Transition["action"], state: string) {
  switch (action) {
    case "submit":
      return state === "collecting"
        ? t("petition.flash.submit.collecting")
        : t("petition.flash.submit.moderators");
    case "co-sponsor":
      return state === "awaiting_moderation"
        ? t("petition.flash.coSponsor.complete")
        : t("petition.flash.coSponsor.thanks");
    case "approve":
      return t("petition.flash.approve");
    case "reject":
      return t("petition.flash.reject");
    case "close":
      return t("petition.flash.close");
    case "archive":
      return t("petition.flash.archive");
    case "hide":
      return t("petition.flash.hide");
    case "unhide":
      return t("petition.flash.unhide");
    case "declare-victory":
      return t("petition.flash.declareVictory");
    case "request-close":
      return t("petition.flash.requestClose");
  }
}

/** After a signature: its place in the petition's public record, and whether its reason was posted. */
export function signedMessage(
  { t, format }: { t: Translate; format: Formatter },
  { receipt, reasonPosted }: { receipt: { seq: number }; reasonPosted: boolean | null },
) {
  const position = format.ordinal(receipt.seq);
  return reasonPosted === false
    ? t("petition.flash.signedReasonNotPosted", { position })
    : t("petition.flash.signed", { position });
}
