import { eq } from "drizzle-orm";
import type { z } from "zod";
import { type Executor, getDb } from "../../../db/client";
import { milestones, petitions, policies } from "../../../db/schema";
import { actorOf, recordAudit } from "../../platform/audit.server";
import { getMilestoneDefaults, getSettings } from "../../platform/settings.server";
import { uniqueSlug } from "../../platform/slugs";
import type { User } from "../identity/sessions.server";
import type { petitionInputSchema } from "./forms";
import { requirePetition } from "./lifecycle.server";
import {
  editRefusal,
  isModeratorFix,
  milestoneRefusal,
  type Petition,
  PetitionError,
  standingOf,
} from "./rights.server";

/** Creating and editing a petition, and the milestones its creator adds before it opens. */

export type PetitionInput = z.infer<typeof petitionInputSchema>;

/** Path segments that routes use beside /petitions/<slug>. */
const RESERVED_SLUGS = new Set(["new", "similar"]);

const petitionSlug = (tx: Executor, title: string) =>
  uniqueSlug(title, "petition", RESERVED_SLUGS, (slug) =>
    Boolean(tx.select({ id: petitions.id }).from(petitions).where(eq(petitions.slug, slug)).get()),
  );

/** A petition may name a policy from the registry, and only one that exists. */
function requireKnownPolicy(tx: Executor, policyId: number | undefined): void {
  if (policyId === undefined) return;
  if (!tx.select({ id: policies.id }).from(policies).where(eq(policies.id, policyId)).get()) {
    throw new PetitionError("There is no such policy: choose one from the list.");
  }
}

export function createPetition(input: PetitionInput, creator: User, now = Date.now()): Petition {
  return getDb().transaction(
    (tx) => {
      requireKnownPolicy(tx, input.policyId);
      const settings = getSettings(tx);
      const petition = tx
        .insert(petitions)
        .values({
          slug: petitionSlug(tx, input.title),
          title: input.title,
          summary: input.summary,
          body: input.body,
          category: input.category || null,
          policyId: input.policyId ?? null,
          creatorId: creator.id,
          coSponsorsRequired: settings.coSponsorsRequired,
          openForDays: input.openForDays ?? settings.openForDays,
          createdAt: new Date(now),
          updatedAt: new Date(now),
        })
        .returning()
        .get();
      const defaults = getMilestoneDefaults(tx);
      if (defaults.length) {
        tx.insert(milestones)
          .values(defaults.map((d) => ({ petitionId: petition.id, ...d })))
          .run();
      }
      return petition;
    },
    { behavior: "immediate" },
  );
}

/** Creators edit while draft; afterwards only moderators may fix typos (audited). */
export function editPetition(petitionId: number, input: PetitionInput, user: User): Petition {
  return getDb().transaction(
    (tx) => {
      requireKnownPolicy(tx, input.policyId);
      const petition = requirePetition(tx, petitionId);
      const standing = standingOf(tx, petition, user);
      const refusal = editRefusal(petition, standing);
      if (refusal) throw refusal;
      const updated = tx
        .update(petitions)
        .set({
          ...input,
          category: input.category || null,
          policyId: input.policyId ?? null,
          openForDays: input.openForDays ?? petition.openForDays,
          updatedAt: new Date(),
        })
        .where(eq(petitions.id, petitionId))
        .returning()
        .get();
      if (isModeratorFix(petition, standing)) {
        recordAudit(
          tx,
          actorOf(user),
          "petition.edit",
          { type: "petition", id: petitionId },
          {
            before: {
              title: petition.title,
              summary: petition.summary,
              body: petition.body,
              category: petition.category,
            },
          },
        );
      }
      return updated;
    },
    { behavior: "immediate" },
  );
}

/** Organizers may add their own milestones before the petition opens. */
export function addMilestone(
  petitionId: number,
  input: { threshold: number; responseRequired: boolean; responseDays: number | null },
  user: User,
): void {
  getDb().transaction(
    (tx) => {
      const petition = requirePetition(tx, petitionId);
      const refusal = milestoneRefusal(petition, standingOf(tx, petition, user));
      if (refusal) throw refusal;
      const inserted = tx
        .insert(milestones)
        .values({ petitionId, ...input })
        .onConflictDoNothing()
        .run();
      if (!inserted.changes)
        throw new PetitionError(`There is already a milestone at ${input.threshold}.`, 409);
    },
    { behavior: "immediate" },
  );
}
