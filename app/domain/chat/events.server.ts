import type { Executor } from "../../../db/client";
import { petitionUrl } from "../../platform/site/addresses.server";
import type { CommitmentStatus, Stance } from "../../vocabulary/announcements";
import { postToChat } from "./posting.server";

/**
 * The public events company chat is told of, each from facts any colleague reads on the pages: a
 * title, a closing day, a milestone's threshold (never the live count, which could date one
 * signature), a memo's stance, a commitment's status. Nothing here knows or takes who signed.
 */

/** The id goes with the post: the sender drops it should the petition no longer be public by then. */
type PublicPetition = { id: number; title: string; slug: string };

export function chatPetitionOpened(
  tx: Executor,
  petition: PublicPetition & { closesAt: Date | null },
  now: number,
) {
  postToChat(
    tx,
    "petition.opened",
    ({ t, format }) => ({
      heading: t("chat.petitionOpened.heading", { title: petition.title }),
      text: t("chat.petitionOpened.text", { title: petition.title, closes: format.date(petition.closesAt) }),
      link: { label: t("chat.action.readPetition"), url: petitionUrl(petition.slug) },
    }),
    now,
    { petitionId: petition.id },
  );
}

/** Held to the next full hour: the crossing was made by a signature, whose time stays coarse. */
export function chatMilestoneReached(tx: Executor, petition: PublicPetition, threshold: number, now: number) {
  postToChat(
    tx,
    "milestone.reached",
    ({ t }) => ({
      heading: t("chat.milestoneReached.heading", { title: petition.title, count: threshold }),
      text: t("chat.milestoneReached.text", { title: petition.title, count: threshold }),
      link: { label: t("chat.action.readPetition"), url: petitionUrl(petition.slug) },
    }),
    now,
    { holdToNextHour: true, petitionId: petition.id },
  );
}

export function chatMemoAnswered(
  tx: Executor,
  memo: { title: string; url: string },
  petition: { title: string },
  stance: Stance,
  now: number,
) {
  postToChat(
    tx,
    "memo.answered",
    ({ t }) => ({
      heading: t("chat.memoAnswered.heading", { title: petition.title }),
      text: t("chat.memoAnswered.text", { memo: memo.title, title: petition.title, stance }),
      link: { label: t("chat.action.readMemo"), url: memo.url },
    }),
    now,
  );
}

export function chatCommitmentChanged(
  tx: Executor,
  memo: { title: string; url: string },
  commitment: { text: string },
  status: CommitmentStatus,
  now: number,
) {
  postToChat(
    tx,
    "commitment.changed",
    ({ t }) => ({
      heading: t("chat.commitmentChanged.heading", { memo: memo.title }),
      text: t("chat.commitmentChanged.text", { text: commitment.text, status }),
      link: { label: t("chat.action.readMemo"), url: memo.url },
    }),
    now,
  );
}
