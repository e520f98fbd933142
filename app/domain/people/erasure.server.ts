import { and, asc, eq, isNotNull, isNull, or } from "drizzle-orm";
import { getDb } from "../../../db/client";
import {
  comments,
  emailOptOuts,
  erasedTokenIssuance,
  externalIdentities,
  identityLinkRequests,
  notificationReads,
  notificationSettings,
  outbox,
  pendingDirectoryImports,
  people,
  personRoles,
  petitionFollows,
  petitions,
  scimHeldChanges,
  signatures,
  signInTokens,
  tokenIssuance,
  walletPasskeys,
  wallets,
} from "../../../db/schema";
import { erasedHolderOf } from "../../platform/anonymity/token-issuance.server";
import { Refusal } from "../../platform/refusal";
import { say } from "../../platform/said";
import { recordAudit } from "../../platform/security/audit.server";
import { forgetAnonymousAuthorOf } from "../discussion/forgetting.server";
import { revokeAllSessions, type User } from "../identity/sessions.server";
import { acceptsSignatures } from "../petitions/rights.server";
import { withdrawSignature } from "../petitions/signing.server";

/**
 * Erasure (GDPR Art. 17): a person asks, an admin carries it out. What is deleted, what is kept and
 * why is docs/privacy.md; in short, the person's row stays, emptied (what is kept refers to it and
 * shows "a former colleague"), and:
 * - a public signature on a petition that still takes signatures is withdrawn (the ledger records the
 *   withdrawal, as when a signer withdraws); one on a petition that no longer does is kept, so the
 *   count leadership saw and answered stays true and the ledger, closed, is never rewritten;
 * - named comments and feedback are kept; an anonymous comment's author is forgotten at once;
 * - the issuance rows of scopes still issuing move to erased_token_issuance, keyed by scope and
 *   address, so an account made again for the same address is not issued a second token.
 */

export class ErasureRefusal extends Refusal {}

/** The address an erased row is given, and what the erasure path writes to the audit log for them. */
const placeholderOf = (personId: number) => `erased-${personId}@erased.invalid`;

/** The person asks to be erased; an admin reviews it. Audited. */
export function requestErasure(user: Pick<User, "id" | "email">, now = Date.now()): void {
  getDb().transaction(
    (tx) => {
      const asked = tx
        .update(people)
        .set({ erasureRequestedAt: new Date(now), updatedAt: new Date(now) })
        .where(and(eq(people.id, user.id), isNull(people.erasureRequestedAt), isNull(people.erasedAt)))
        .run().changes;
      if (asked !== 1) throw new ErasureRefusal(say("my-data.refusal.alreadyAsked"), 409);
      // Not their address: the log is append-only, and an entry pairing it with their id would name
      // everything kept "as a former colleague" once the erasure is done.
      recordAudit(tx, { id: user.id, email: placeholderOf(user.id) }, "person.erasure-requested", {
        type: "person",
        id: user.id,
      });
    },
    { behavior: "immediate" },
  );
}

/** The requests an admin has yet to carry out, oldest first. */
export function erasureRequests() {
  return getDb()
    .select({
      id: people.id,
      name: people.name,
      email: people.email,
      requestedAt: people.erasureRequestedAt,
    })
    .from(people)
    .where(and(isNotNull(people.erasureRequestedAt), isNull(people.erasedAt)))
    .orderBy(asc(people.erasureRequestedAt), asc(people.id))
    .all();
}

export type ErasureResult = { withdrawn: number; kept: number };

/** Carries out a person's request (one immediate transaction). Audited. */
export function carryOutErasure(
  actor: { id: number; email: string },
  personId: number,
  now = Date.now(),
): ErasureResult {
  const db = getDb();
  return db.$client
    .transaction((): ErasureResult => {
      const person = db.select().from(people).where(eq(people.id, personId)).get();
      if (!person || person.erasedAt) throw new ErasureRefusal(say("my-data.refusal.noRequest"), 404);
      if (!person.erasureRequestedAt) throw new ErasureRefusal(say("my-data.refusal.noRequest"), 404);
      // Another admin carries out an admin's own request: nobody erases the account they act from.
      if (actor.id === personId) throw new ErasureRefusal(say("my-data.refusal.ownRequest"), 409);

      const standing = db
        .select({
          petitionId: petitions.id,
          state: petitions.state,
          hiddenAt: petitions.hiddenAt,
          closesAt: petitions.closesAt,
        })
        .from(signatures)
        .innerJoin(petitions, eq(petitions.id, signatures.petitionId))
        .where(
          and(
            eq(signatures.personId, personId),
            eq(signatures.visibility, "public"),
            isNull(signatures.withdrawnAt),
            isNull(signatures.invalidatedAt),
          ),
        )
        .all();
      const open = standing.filter((s) => acceptsSignatures(s, now));
      const signer: User = {
        id: personId,
        email: person.email,
        name: null,
        department: null,
        location: null,
        roles: [],
      };
      // The withdrawal's own transaction nests (a savepoint): its ledger entry and count are this one's.
      for (const s of open) withdrawSignature(s.petitionId, signer, now);

      const issued = db.select().from(tokenIssuance).where(eq(tokenIssuance.personId, personId)).all();
      for (const row of issued) {
        db.insert(erasedTokenIssuance)
          .values({
            scope: row.scope,
            holder: erasedHolderOf(row.scope, person.email),
            issuedOn: row.issuedOn,
            blindedHash: row.blindedHash,
          })
          .onConflictDoNothing()
          .run();
      }
      db.delete(tokenIssuance).where(eq(tokenIssuance.personId, personId)).run();

      revokeAllSessions(db, personId);
      db.delete(externalIdentities).where(eq(externalIdentities.personId, personId)).run();
      db.delete(walletPasskeys).where(eq(walletPasskeys.personId, personId)).run();
      db.delete(wallets).where(eq(wallets.personId, personId)).run();
      db.delete(emailOptOuts).where(eq(emailOptOuts.personId, personId)).run();
      db.delete(scimHeldChanges).where(eq(scimHeldChanges.personId, personId)).run();
      db.delete(pendingDirectoryImports).where(eq(pendingDirectoryImports.actorId, personId)).run();
      db.delete(personRoles).where(eq(personRoles.personId, personId)).run();
      db.delete(notificationSettings).where(eq(notificationSettings.personId, personId)).run();
      db.delete(petitionFollows).where(eq(petitionFollows.personId, personId)).run();
      db.delete(notificationReads).where(eq(notificationReads.personId, personId)).run();
      db.delete(signInTokens).where(eq(signInTokens.email, person.email)).run();
      db.delete(identityLinkRequests).where(eq(identityLinkRequests.email, person.email)).run();
      // Anonymous comments' authors are forgotten now, exactly as when editing ends; nothing mails
      // replies to a named comment's erased author either.
      forgetAnonymousAuthorOf(db, personId);
      db.update(comments).set({ emailsAuthor: false }).where(eq(comments.authorId, personId)).run();
      // Mail not yet sent to them is dropped; sent mail keeps no address.
      const placeholder = placeholderOf(personId);
      db.delete(outbox)
        .where(
          and(
            or(eq(outbox.toAddress, person.email), eq(outbox.recipientId, personId)),
            eq(outbox.status, "queued"),
          ),
        )
        .run();
      db.update(outbox).set({ toAddress: placeholder }).where(eq(outbox.toAddress, person.email)).run();
      db.update(people)
        .set({
          email: placeholder,
          name: null,
          department: null,
          location: null,
          active: false,
          scimUserName: null,
          externalId: null,
          scimDeleted: true,
          locale: null,
          timeZone: null,
          firstSignedInAt: null,
          erasedAt: new Date(now),
          updatedAt: new Date(now),
        })
        .where(eq(people.id, personId))
        .run();
      const result = { withdrawn: open.length, kept: standing.length - open.length };
      // No address in the details: the audit log is never rewritten.
      recordAudit(db, actor, "person.erased", { type: "person", id: personId }, result);
      return result;
    })
    .immediate();
}
