import { and, eq, isNull } from "drizzle-orm";
import type { z } from "zod";
import { type Executor, getDb } from "../../../db/client";
import { milestones, petitions, policies } from "../../../db/schema";
import { renderMarkdown, renderStoredMarkdown } from "../../platform/content/markdown.server";
import { say } from "../../platform/said";
import { actorOf, recordAudit } from "../../platform/security/audit.server";
import { enforceRateLimits, type RateLimitRule } from "../../platform/security/rate-limits.server";
import { getMilestoneDefaults, getSettings } from "../../platform/site/settings.server";
import { HOUR_MS, MINUTE_MS } from "../../platform/time";
import { newAddress } from "../addresses/addresses.server";
import type { User } from "../identity/sessions.server";
import { policyChoices } from "../policies/registry.server";
import { OWN_MILESTONES, type petitionInputSchema } from "./forms";
import { requirePetition } from "./lifecycle.server";
import {
  editRefusal,
  isModeratorFix,
  milestoneRefusal,
  type Petition,
  PetitionError,
  responseApprovalRefusal,
} from "./rights.server";
import { standingOf } from "./standing.server";

/** Creating and editing a petition, and the milestones its creator adds before it opens. */

export type PetitionInput = z.infer<typeof petitionInputSchema>;

/** A petition may name a policy from the registry, and only one that exists. */
function requireKnownPolicy(tx: Executor, policyId: number | undefined): void {
  if (policyId === undefined) return;
  if (!tx.select({ id: policies.id }).from(policies).where(eq(policies.id, policyId)).get()) {
    throw new PetitionError(say("server.petition.noSuchPolicy"));
  }
}

/**
 * A petition's category is one the admins list in the settings (or none). An edit may keep the one
 * the petition has, though it has left the list since.
 */
function requireListedCategory(category: string | undefined, kept: string | null = null): void {
  if (!category || category === kept || getSettings().categories.includes(category)) return;
  const message = "Choose a category from the list.";
  throw new PetitionError(message, 400, { category: [message] });
}

/**
 * What the petition form (new and edit) offers and states: the policies a petition may name, the
 * categories admins list, and the days a petition stays open when its creator leaves that empty.
 */
export function petitionFormChoices() {
  const { categories, openForDays } = getSettings();
  return { policies: policyChoices(), categories, defaultOpenForDays: openForDays };
}

/**
 * Saves per person: each renders up to 10,000 characters of markdown (tens of milliseconds at the
 * bounds, ADR 0029), so one colleague cannot keep a core busy by saving over and over.
 */
export const DRAFT_SAVE_LIMITS = {
  perMinute: { limit: 10, windowMs: MINUTE_MS },
  perHour: { limit: 100, windowMs: HOUR_MS },
} satisfies Record<string, RateLimitRule>;

function limitSaves(user: User, now: number): Promise<void> {
  return enforceRateLimits(
    [
      [`petition-save:${user.id}:minute`, DRAFT_SAVE_LIMITS.perMinute],
      [`petition-save:${user.id}:hour`, DRAFT_SAVE_LIMITS.perHour],
    ],
    "server.petition.savingTooOften",
    now,
  );
}

/** A colleague saves a new draft (the form): rate-limited (DRAFT_SAVE_LIMITS), then createPetition. */
export async function saveNewPetition(
  input: PetitionInput,
  creator: User,
  now = Date.now(),
): Promise<Petition> {
  await limitSaves(creator, now);
  return createPetition(input, creator, now);
}

/** A colleague saves an edit (the form): rate-limited with new drafts, then editPetition. */
export async function savePetitionEdit(
  petitionId: number,
  input: PetitionInput,
  user: User,
  now = Date.now(),
): Promise<Petition> {
  await limitSaves(user, now);
  return editPetition(petitionId, input, user, now);
}

/** Creates a draft without a rate limit: the form goes through saveNewPetition; the seed and tests call this. */
export function createPetition(input: PetitionInput, creator: User, now = Date.now()): Petition {
  // Rendered when saved (and before the write lock): a body the renderer refuses fails this save.
  const bodyHtml = renderMarkdown(input.body);
  return getDb().transaction(
    (tx) => {
      requireKnownPolicy(tx, input.policyId);
      requireListedCategory(input.category);
      const settings = getSettings();
      const petition = tx
        .insert(petitions)
        .values({
          slug: newAddress(tx, "petition", input.title),
          title: input.title,
          summary: input.summary,
          body: input.body,
          bodyHtml,
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
export function editPetition(
  petitionId: number,
  input: PetitionInput,
  user: User,
  now = Date.now(),
): Petition {
  const bodyHtml = renderMarkdown(input.body);
  return getDb().transaction(
    (tx) => {
      requireKnownPolicy(tx, input.policyId);
      const petition = requirePetition(tx, petitionId);
      const standing = standingOf(tx, petition, user);
      const refusal = editRefusal(petition, standing);
      if (refusal) throw refusal;
      requireListedCategory(input.category, petition.category);
      const updated = tx
        .update(petitions)
        .set({
          ...input,
          bodyHtml,
          category: input.category || null,
          policyId: input.policyId ?? null,
          // Emptied, as when it was created: the site's default (the form says which).
          openForDays: input.openForDays ?? getSettings().openForDays,
          updatedAt: new Date(now),
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

/**
 * The creator adds a milestone of their own before the petition opens: at most OWN_MILESTONES.max,
 * each at least OWN_MILESTONES.minGap signatures from every other. Asking for a response makes it a
 * request; it binds leadership only once a moderator approves it (approveResponseObligation).
 */
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
      const existing = tx.select().from(milestones).where(eq(milestones.petitionId, petitionId)).all();
      if (existing.filter((m) => m.origin === "organizer").length >= OWN_MILESTONES.max)
        throw new PetitionError(say("server.petition.tooManyMilestones", { max: OWN_MILESTONES.max }), 409);
      const near = existing.find((m) => Math.abs(m.threshold - input.threshold) < OWN_MILESTONES.minGap);
      if (near)
        throw new PetitionError(
          near.threshold === input.threshold
            ? say("server.petition.milestoneExists", { threshold: input.threshold })
            : say("server.petition.milestonesApart", { gap: OWN_MILESTONES.minGap, near: near.threshold }),
          409,
        );
      const requested = input.responseRequired && input.responseDays !== null;
      tx.insert(milestones)
        .values({
          petitionId,
          threshold: input.threshold,
          origin: "organizer",
          responseRequired: false,
          responseRequested: requested,
          responseDays: requested ? input.responseDays : null,
        })
        .run();
      recordAudit(
        tx,
        actorOf(user),
        "petition.milestone.add",
        { type: "petition", id: petitionId },
        { threshold: input.threshold, responseRequested: requested, responseDays: input.responseDays },
      );
    },
    { behavior: "immediate" },
  );
}

/**
 * A moderator approves the response its creator asked for at one of its milestones: from then on
 * reaching it obliges leadership to respond. Audited.
 */
export function approveResponseObligation(petitionId: number, milestoneId: number, user: User): void {
  getDb().transaction(
    (tx) => {
      const petition = requirePetition(tx, petitionId);
      const refusal = responseApprovalRefusal(petition, standingOf(tx, petition, user));
      if (refusal) throw refusal;
      const approved = tx
        .update(milestones)
        .set({ responseRequired: true, responseApprovedById: user.id })
        .where(
          and(
            eq(milestones.id, milestoneId),
            eq(milestones.petitionId, petitionId),
            eq(milestones.responseRequested, true),
            eq(milestones.responseRequired, false),
            isNull(milestones.reachedAt),
          ),
        )
        .returning()
        .get();
      if (!approved) throw new PetitionError(say("server.petition.noResponseRequest"), 409);
      recordAudit(
        tx,
        actorOf(user),
        "petition.milestone.approve-response",
        { type: "petition", id: petitionId },
        { threshold: approved.threshold, responseDays: approved.responseDays },
      );
    },
    { behavior: "immediate" },
  );
}

/**
 * Bodies saved before they were stored rendered (migration 0014): rendered once at start, with the
 * safe rendering (a body the renderer refuses shows as plain text). Returns how many.
 */
export function renderMissingPetitionBodies(): number {
  const db = getDb();
  const missing = db
    .select({ id: petitions.id, body: petitions.body })
    .from(petitions)
    .where(eq(petitions.bodyHtml, ""))
    .all();
  for (const { id, body } of missing) {
    db.update(petitions)
      .set({ bodyHtml: renderStoredMarkdown(body) })
      .where(eq(petitions.id, id))
      .run();
  }
  return missing.length;
}
