import { and, count, eq, gte, inArray, lte, type SQL } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "../../../db/client";
import { people, petitions, signatureInvalidations, signatures } from "../../../db/schema";
import { normalizeEmail } from "../../platform/mail/email-address";
import { Refusal } from "../../platform/refusal";
import { say } from "../../platform/said";
import { type Actor, recordAudit } from "../../platform/security/audit.server";
import type { InvalidationReason } from "../../vocabulary/petitions";
import { standing } from "./counts.server";
import { nextLedgerEntry, writeLedgerEntry } from "./ledger.server";
import { stakeIds } from "./organizers.server";
import { OWN_PETITION, PetitionError } from "./rights.server";
import { hashIp } from "./signing.server";

/**
 * Bulk invalidation of fraudulent signatures by moderators: by people (a list of at least five), a
 * time window or an address, previewed as a number, audited, and never so narrow that the public
 * count would show whether someone signed. Only public signatures are ever matched: they are the ones
 * a moderator can already see on the signers list. Anonymous ones (blind-token ones have no person;
 * legacy rows on petitions opened before them still do) are never counted, so a list padded with a
 * suspect answers the same whether the suspect signed anonymously or not at all.
 */

export const invalidationSchema = z
  .object({
    emails: z.string().trim().max(100_000).optional(),
    from: z.coerce.date().optional(),
    to: z.coerce.date().optional(),
    ip: z.string().trim().max(64).optional(),
    reason: z.string().trim().max(500).optional(),
  })
  .refine((v) => v.emails || v.from || v.to || v.ip, {
    message: "Give at least one criterion: people, a time window or an IP address",
    path: ["emails"],
  });
export type InvalidationCriteria = z.infer<typeof invalidationSchema>;

function invalidationWhere(petitionId: number, criteria: InvalidationCriteria): SQL | undefined {
  const conditions: (SQL | undefined)[] = [standing(petitionId), eq(signatures.visibility, "public")];
  if (criteria.emails) {
    const emails = emailList(criteria);
    conditions.push(
      inArray(
        signatures.personId,
        getDb().select({ id: people.id }).from(people).where(inArray(people.email, emails)),
      ),
    );
  }
  if (criteria.from) conditions.push(gte(signatures.createdAt, criteria.from));
  if (criteria.to) conditions.push(lte(signatures.createdAt, criteria.to));
  if (criteria.ip) conditions.push(eq(signatures.ipHash, hashIp(criteria.ip)));
  return and(...conditions);
}

/**
 * A list of people shorter than this cannot be previewed or invalidated: otherwise "1 signature
 * matches" for one address would tell a moderator that an anonymous signer signed.
 */
export const MIN_PEOPLE_PER_INVALIDATION = 5;

export class InvalidationError extends Refusal {}

function emailList(criteria: InvalidationCriteria): string[] {
  return [
    ...new Set(
      (criteria.emails ?? "")
        .split(/[\s,;]+/)
        .map(normalizeEmail)
        .filter(Boolean),
    ),
  ];
}

function checkNotOwnPetition(petitionId: number, actor: Actor): void {
  if (actor.id !== null && stakeIds(getDb(), petitionId).has(actor.id)) {
    throw new InvalidationError(OWN_PETITION, 403);
  }
}

function checkPeopleList(criteria: InvalidationCriteria): string[] {
  const emails = emailList(criteria);
  // Only real people count toward the minimum: made-up addresses would not hide anyone.
  const known = emails.length
    ? getDb().select({ id: people.id }).from(people).where(inArray(people.email, emails)).all().length
    : 0;
  if (emails.length > 0 && known < MIN_PEOPLE_PER_INVALIDATION) {
    throw new InvalidationError(
      `List at least ${MIN_PEOPLE_PER_INVALIDATION} people from the directory: a shorter list would reveal whether someone signed anonymously.`,
    );
  }
  return emails;
}

/**
 * How many standing public signatures the criteria match, shown before the moderator confirms. Every
 * preview is audited, so probing leaves a trace — but with how many people were listed, never who:
 * a list beside its count would make the audit log a list of signers. (A hash of the list would
 * not do: the directory is small enough to hash every "five known signers plus one" list.)
 */
export function previewInvalidation(
  petitionId: number,
  criteria: InvalidationCriteria,
  actor: Actor,
): MatchSize {
  checkNotOwnPetition(petitionId, actor);
  const emails = checkPeopleList(criteria);
  return getDb().transaction(
    (tx) => {
      const matched = describeMatch(
        tx.select({ n: count() }).from(signatures).where(invalidationWhere(petitionId, criteria)).get()?.n ??
          0,
      );
      recordAudit(
        tx,
        actor,
        "signatures.invalidate.preview",
        { type: "petition", id: petitionId },
        {
          matched,
          people: emails.length,
          from: criteria.from?.toISOString(),
          to: criteria.to?.toISOString(),
          ip: criteria.ip ? "given" : undefined,
        },
      );
      return matched;
    },
    { behavior: "immediate" },
  );
}

/**
 * What a preview may say: an exact number from MIN_PEOPLE_PER_INVALIDATION up, "few" for anything
 * below it, zero included ("none" against "few" for one IP, one domain or a list padded with
 * non-signers would tell whether someone signed).
 */
export type MatchSize = number | "few";
export function describeMatch(matched: number): MatchSize {
  return matched < MIN_PEOPLE_PER_INVALIDATION ? "few" : matched;
}

/**
 * Invalidates the matching signatures with a reason: count, ledger, the petition's public timeline
 * (how many, and why as a `category`; "other" when none is given) and audit log (the moderator's own
 * words) in one transaction.
 */
export function invalidateSignatures(
  petitionId: number,
  criteria: InvalidationCriteria & { reason: string; category?: InvalidationReason; expected: MatchSize },
  actor: Actor,
  now = Date.now(),
): number {
  checkNotOwnPetition(petitionId, actor);
  checkPeopleList(criteria);
  return getDb().transaction(
    (tx) => {
      const petition = tx.select().from(petitions).where(eq(petitions.id, petitionId)).get();
      if (!petition) throw new PetitionError(say("server.petition.noSuchPetition"), 404);
      const matched = tx
        .select({ id: signatures.id, signer: signatures.ledgerSigner })
        .from(signatures)
        .where(invalidationWhere(petitionId, criteria))
        .all();
      // Checked inside the transaction: what is invalidated is exactly what the moderator confirmed.
      if (describeMatch(matched.length) !== criteria.expected) {
        throw new InvalidationError(
          "The matching signatures changed since the preview: check the new number.",
          409,
        );
      }
      // The public count and ledger would show the exact number dropping — 0 or 1 for narrow criteria,
      // i.e. whether someone signed. Fewer than five signatures change no outcome: refused.
      if (matched.length < MIN_PEOPLE_PER_INVALIDATION) {
        throw new InvalidationError(
          `Fewer than ${MIN_PEOPLE_PER_INVALIDATION} signatures match: so narrow an invalidation would show in the public count whether someone signed. Widen the criteria, or ask an admin to deactivate a fraudulent account.`,
          409,
        );
      }
      const at = new Date(now);
      for (const signature of matched) {
        tx.update(signatures)
          .set({ invalidatedAt: at, invalidationReason: criteria.reason })
          .where(eq(signatures.id, signature.id))
          .run();
        writeLedgerEntry(nextLedgerEntry(petition, "invalidated", signature.signer, at), -1, petition);
      }
      const category = criteria.category ?? "other";
      tx.insert(signatureInvalidations)
        .values({ petitionId, count: matched.length, reason: category, invalidatedAt: at })
        .run();
      recordAudit(
        tx,
        actor,
        "signatures.invalidate",
        { type: "petition", id: petitionId },
        {
          count: matched.length,
          reason: criteria.reason,
          category,
          criteria: {
            people: emailList(criteria).length,
            from: criteria.from?.toISOString(),
            to: criteria.to?.toISOString(),
            ip: criteria.ip ? "given" : undefined,
          },
        },
      );
      return matched.length;
    },
    { behavior: "immediate" },
  );
}
