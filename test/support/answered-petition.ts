import { eq } from "drizzle-orm";
import { updateCommitment } from "../../app/domain/announcements/commitments.server";
import { announcementInputSchema } from "../../app/domain/announcements/forms";
import { publishAnnouncement, saveAnnouncement } from "../../app/domain/announcements/lifecycle.server";
import { transitionPetition } from "../../app/domain/petitions/lifecycle.server";
import { postPetitionUpdate } from "../../app/domain/petitions/updates.server";
import { policyInputSchema } from "../../app/domain/policies/forms";
import { createPolicy } from "../../app/domain/policies/registry.server";
import { DAY_MS } from "../../app/platform/time";
import { getDb } from "../../db/client";
import { commitments } from "../../db/schema";
import { signAs } from "./anonymous";
import { type makeCompany, openPetition } from "./petition-fixtures";

/** The words of an answered petition's story: its title, the policy's, the memo's, its commitments'. */
export type StoryWords = { petition?: string; policy: string; memo: string; commitments: [string, string] };

/**
 * A petition's whole story, each step at a time from `t0`: opened, `signers` signing (half of them
 * anonymously, a minute apart), a policy, leadership's memo answering the petition with a new policy
 * version and two commitments, the second commitment changed twice on one day, an organizers'
 * update, closed. Set a milestone of at most `signers` in the settings first to have one reached.
 */
export async function answeredPetition(
  company: ReturnType<typeof makeCompany>,
  words: StoryWords,
  t0: number,
  signers = 10,
) {
  const { leader, moderator, member: staff } = company;
  const petition = openPetition(company, words.petition);
  for (let i = 0; i < signers; i++)
    await signAs(
      i % 2 ? "anonymous" : "public",
      { petitionId: petition.id, user: staff(4 + i), ip: null },
      t0 + i * 60_000,
    );
  const policy = createPolicy(
    policyInputSchema.parse({
      title: words.policy,
      summary: "What is collected to train models, and how to limit it.",
      body: "Keystrokes and clicks are collected on all company devices.",
      effectiveAt: new Date(t0 - 30 * DAY_MS).toISOString(),
      ownerEmails: leader.email,
    }),
    leader,
    t0 - 30 * DAY_MS,
  );
  const memoInput = (title: string) =>
    announcementInputSchema.parse({
      title,
      body: "We have listened. Staff may now pause collection for up to 30 minutes at a time.",
      responses: [{ petitionId: String(petition.id), stance: "partially_accepted" }],
      policyId: String(policy.id),
      policyBody: "Keystrokes and clicks are collected. Staff may pause collection for up to 30 minutes.",
      policyChangeSummary: "Pause for up to 30 minutes",
      policyEffectiveAt: new Date(t0 + 20 * DAY_MS).toISOString(),
      commitments: [
        { text: words.commitments[0], status: "in_progress" },
        { text: words.commitments[1], status: "planned" },
      ],
    });
  const memo = saveAnnouncement(null, memoInput(words.memo), leader, t0 + 10 * DAY_MS);
  publishAnnouncement(memo.id, leader, t0 + 12 * DAY_MS);
  const [, second] = getDb().select().from(commitments).where(eq(commitments.announcementId, memo.id)).all();
  if (!second) throw new Error("no commitment");
  updateCommitment(second.id, { status: "done", note: "Shipped" }, leader, t0 + 13 * DAY_MS);
  updateCommitment(second.id, { status: "in_progress" }, leader, t0 + 13 * DAY_MS + 3_600_000);
  postPetitionUpdate(petition.id, "Thank you — **ten** of you already.", staff(0), t0 + 15 * DAY_MS);
  transitionPetition(petition.id, { action: "close" }, moderator, t0 + 20 * DAY_MS);
  return {
    petition,
    memo,
    /** The published memo retitled (only its title and text can change once published). */
    retitleMemo: (title: string, at: number) => saveAnnouncement(memo.id, memoInput(title), leader, at),
  };
}
