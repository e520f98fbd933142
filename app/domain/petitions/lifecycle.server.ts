import { and, count, eq, isNull, lte, sql } from "drizzle-orm";
import { type Executor, getDb, preparedStatements, type Tx } from "../../../db/client";
import { people, personRoles, petitionCoSponsors, petitions } from "../../../db/schema";
import type { Translate } from "../../i18n/translate";
import { newScopeKeyPair } from "../../platform/anonymity/token-issuance.server";
import { renderMarkdown } from "../../platform/content/markdown.server";
import { renderEmail } from "../../platform/mail/email-layout.server";
import { enqueueMail } from "../../platform/mail/outbox.server";
import { type Recipient, wordsForRecipient } from "../../platform/mail/recipient-words.server";
import { say } from "../../platform/said";
import { actorOf, recordAudit, SYSTEM_ACTOR } from "../../platform/security/audit.server";
import { petitionUrl } from "../../platform/site/addresses.server";
import { DAY_MS } from "../../platform/time";
import type { MailKind } from "../../vocabulary/mail-kinds";
import type { PetitionState } from "../../vocabulary/petitions";
import { chatPetitionOpened } from "../chat/events.server";
import type { User } from "../identity/sessions.server";
import type { Transition } from "./forms";
import { countingCoSponsors, organizerRecipients, stakeIds } from "./organizers.server";
import { closePetitionKey, openPetitionKey } from "./petition-keys.server";
import { coSponsorDropRefusal, type Petition, PetitionError, transitionRefusal } from "./rights.server";
import { standingOf } from "./standing.server";
import { recordPetitionUpdate } from "./updates.server";

/**
 * A petition's one state machine: submit, co-sponsor, approve, reject, close, archive, hide, unhide,
 * declare victory, request an early close. Every change of state goes through transitionPetition (or,
 * for a co-sponsor dropped while awaiting moderation, dropCoSponsor), with its audit entry and emails
 * in the same transaction. Who may take each step: rights.server.ts.
 */

/**
 * The one way a petition changes state. Checks the state and who may act, records the audit entry
 * and queues the emails, all in one transaction. `user` is null only for the scheduler's closing.
 */
export function transitionPetition(
  petitionId: number,
  transition: Transition,
  user: User | null,
  now = Date.now(),
): Petition {
  // Rendered, and the opening petition's key pair made, before the write lock is taken. The key only
  // for someone the rules let approve it now: a key pair is 100–300 ms of CPU, and a refused request
  // must not be able to spend it (a colleague posting "approve" in a loop would hold the worker).
  const noteHtml = transition.action === "declare-victory" ? renderMarkdown(transition.note) : "";
  const keys =
    transition.action === "approve" && transitionRefusalNow(petitionId, "approve", user) === null
      ? newScopeKeyPair()
      : null;
  return getDb().transaction(
    (tx) => {
      const petition = requirePetition(tx, petitionId);
      const refusal = transitionRefusal(petition, transition.action, standingOf(tx, petition, user), !user);
      if (refusal) throw refusal;
      // Refused a moment ago, allowed now (a role granted in between): no key was made for it.
      if (transition.action === "approve" && !keys)
        throw new PetitionError(say("server.petition.changedMeanwhile"), 409);
      const actor = user ? actorOf(user) : SYSTEM_ACTOR;
      const at = new Date(now);
      let next: Partial<Petition> = {};

      switch (transition.action) {
        case "submit": {
          next =
            petition.coSponsorsRequired > 0
              ? { state: "collecting", submittedAt: at }
              : { state: "awaiting_moderation", submittedAt: at };
          break;
        }
        case "co-sponsor": {
          if (!user) break;
          const added = tx
            .insert(petitionCoSponsors)
            .values({ petitionId, personId: user.id, createdAt: at })
            .onConflictDoNothing()
            .run();
          if (!added.changes) throw new PetitionError(say("server.petition.alreadyCoSponsor"), 409);
          const sponsors = coSponsorCount(tx, petitionId);
          if (sponsors >= petition.coSponsorsRequired) next = { state: "awaiting_moderation" };
          break;
        }
        case "approve": {
          next = { state: "open", openedAt: at, closesAt: new Date(now + petition.openForDays * DAY_MS) };
          break;
        }
        case "reject": {
          next = {
            state: "rejected",
            rejectionReason: transition.reason,
            rejectionNote: transition.note || null,
          };
          break;
        }
        case "close": {
          next = { state: "closed", closedAt: at };
          break;
        }
        case "archive": {
          next = { state: "archived", archivedAt: at };
          break;
        }
        case "hide": {
          next = { hiddenAt: at, hiddenReason: transition.reason };
          break;
        }
        case "unhide": {
          next = { hiddenAt: null, hiddenReason: null };
          break;
        }
        case "request-close": {
          if (!user) break;
          next = { closeRequestedAt: at, closeRequestReason: transition.reason };
          notifyModerators(
            tx,
            petition,
            "petition.close_requested",
            (t) => ({
              subject: t("server.email.petition.closeRequestedSubject", { title: petition.title }),
              paragraphs: [
                t("server.email.petition.closeRequested", { title: petition.title }),
                t("server.email.petition.theirReason", { reason: transition.reason }),
              ],
            }),
            now,
          );
          break;
        }
        case "declare-victory": {
          if (!user) break;
          // A won petition stops collecting signatures: the ask is met.
          next = petition.state === "open" ? { wonAt: at, state: "closed", closedAt: at } : { wonAt: at };
          recordPetitionUpdate(tx, {
            petitionId,
            authorId: user.id,
            kind: "victory",
            body: transition.note,
            bodyHtml: noteHtml,
            at,
          });
          break;
        }
      }

      let updated = tx
        .update(petitions)
        .set({ ...next, updatedAt: at })
        .where(eq(petitions.id, petitionId))
        .returning()
        .get();
      // Anonymous signing: a key while it takes signatures, retired (and legacy links forgotten) after.
      if (updated.state === "open" && petition.state !== "open" && keys)
        openPetitionKey(tx, updated, keys, at);
      if (updated.state !== "open" && petition.state === "open") closePetitionKey(tx, updated, at);
      updated = requirePetition(tx, petitionId);
      recordAudit(
        tx,
        actor,
        `petition.${transition.action}`,
        { type: "petition", id: petitionId },
        {
          from: petition.state,
          to: updated.state,
          ...("reason" in transition ? { reason: transition.reason } : {}),
          ...("note" in transition && transition.note ? { note: transition.note } : {}),
        },
      );
      notifyTransition(tx, updated, petition.state, now);
      if (updated.state === "open" && petition.state !== "open") chatPetitionOpened(tx, updated, now);
      return updated;
    },
    { behavior: "immediate" },
  );
}

/** Emails the people concerned by a change of state, through the outbox, in the same transaction. */
function notifyTransition(tx: Tx, petition: Petition, from: PetitionState, now: number): void {
  if (petition.state === from) return;
  const organizers = organizerRecipients(tx, petition.id);
  const title = { title: petition.title };
  // Each organizer's email in their own language (wordsForRecipient).
  const send = (kind: MailKind, words: PetitionMail) => {
    for (const organizer of organizers) mailPetition(tx, petition, kind, organizer, words, now);
  };
  if (petition.state === "awaiting_moderation") {
    notifyModerators(
      tx,
      petition,
      "petition.awaiting_moderation",
      (t) => ({
        subject: t("server.email.petition.toReviewSubject", title),
        paragraphs: [t("server.email.petition.toReview", title)],
      }),
      now,
    );
    // The last co-sponsor's doing (a petition needing none is sent here at submit, its creator watching).
    if (from === "collecting") {
      send("petition.co-sponsored", (t) => ({
        subject: t("server.email.petition.coSponsoredSubject", title),
        paragraphs: [t("server.email.petition.coSponsored", title), t("server.email.petition.youWillHear")],
      }));
    }
  } else if (petition.state === "open") {
    send("petition.open", (t) => ({
      subject: t("server.email.petition.approvedSubject", title),
      paragraphs: [t("server.email.petition.approved", title)],
    }));
  } else if (petition.state === "rejected" && petition.rejectionReason) {
    const reason = petition.rejectionReason;
    send("petition.rejected", (t) => ({
      subject: t("server.email.petition.rejectedSubject", title),
      paragraphs: [
        t("server.email.petition.rejected", title),
        t("server.email.petition.rejectedReason", {
          reason,
          note: petition.rejectionNote ? ` ${petition.rejectionNote}` : "",
        }),
      ],
    }));
  } else if (petition.state === "closed") {
    send("petition.closed", (t) => ({
      subject: t("server.email.petition.closedSubject", title),
      paragraphs: [t("server.email.petition.closed", { ...title, count: petition.signatureCount })],
    }));
  }
}

/** An email about a petition, worded for its recipient: its subject and paragraphs. */
type PetitionMail = (t: Translate) => { subject: string; paragraphs: string[] };

function mailPetition(
  tx: Tx,
  petition: Petition,
  kind: MailKind,
  to: Recipient & { email: string },
  words: PetitionMail,
  now: number,
): void {
  const { t } = wordsForRecipient(to);
  const { subject, paragraphs } = words(t);
  enqueueMail(
    tx,
    {
      kind,
      to: to.email,
      subject,
      petitionId: petition.id,
      ...renderEmail({
        paragraphs,
        action: { label: t("server.email.petition.open"), url: petitionUrl(petition.slug) },
        t,
      }),
    },
    now,
  );
}

/** Emails the active moderators who could act on it (those with a stake in it stand aside). */
function notifyModerators(
  tx: Tx,
  petition: Petition,
  kind: MailKind,
  words: PetitionMail,
  now: number,
): void {
  const stake = stakeIds(tx, petition.id);
  const moderators = tx
    .select({ id: people.id, email: people.email, locale: people.locale, timeZone: people.timeZone })
    .from(personRoles)
    .innerJoin(people, eq(people.id, personRoles.personId))
    .where(and(eq(personRoles.role, "moderator"), eq(people.active, true)))
    .all();
  for (const moderator of moderators) {
    if (stake.has(moderator.id)) continue;
    mailPetition(tx, petition, kind, moderator, words, now);
  }
}

function coSponsorCount(exec: Executor, petitionId: number): number {
  return (
    exec
      .select({ n: count() })
      .from(petitionCoSponsors)
      .where(and(eq(petitionCoSponsors.petitionId, petitionId), countingCoSponsors))
      .get()?.n ?? 0
  );
}

/**
 * The creator drops a co-sponsor before the petition opens: it no longer counts (nor may that person
 * co-sponsor again). A petition awaiting moderation that falls short goes back to collecting.
 */
export function dropCoSponsor(petitionId: number, personId: number, user: User, now = Date.now()): Petition {
  return getDb().transaction(
    (tx) => {
      const petition = requirePetition(tx, petitionId);
      const refusal = coSponsorDropRefusal(petition, standingOf(tx, petition, user));
      if (refusal) throw refusal;
      const at = new Date(now);
      const dropped = tx
        .update(petitionCoSponsors)
        .set({ droppedAt: at })
        .where(
          and(
            eq(petitionCoSponsors.petitionId, petitionId),
            eq(petitionCoSponsors.personId, personId),
            isNull(petitionCoSponsors.droppedAt),
          ),
        )
        .run();
      if (!dropped.changes) throw new PetitionError(say("server.petition.notACoSponsor"), 409);
      const short =
        petition.state === "awaiting_moderation" &&
        coSponsorCount(tx, petitionId) < petition.coSponsorsRequired;
      const updated = tx
        .update(petitions)
        .set({ ...(short ? { state: "collecting" as const } : {}), updatedAt: at })
        .where(eq(petitions.id, petitionId))
        .returning()
        .get();
      const person = tx.select({ email: people.email }).from(people).where(eq(people.id, personId)).get();
      recordAudit(
        tx,
        actorOf(user),
        "petition.co-sponsor.drop",
        { type: "petition", id: petitionId },
        { email: person?.email ?? null, from: petition.state, to: updated.state },
      );
      return updated;
    },
    { behavior: "immediate" },
  );
}

/** Whether the rules refuse this step now (outside any transaction; the transaction asks again). */
function transitionRefusalNow(petitionId: number, action: Transition["action"], user: User | null) {
  const db = getDb();
  const petition = requirePetition(db, petitionId);
  return transitionRefusal(petition, action, standingOf(db, petition, user), !user);
}

export function requirePetition(exec: Executor, petitionId: number): Petition {
  const petition = exec.select().from(petitions).where(eq(petitions.id, petitionId)).get();
  if (!petition) throw new PetitionError(say("server.petition.noSuchPetition"), 404);
  return petition;
}

const statements = preparedStatements((db) => ({
  due: db
    .select({ id: petitions.id, closesAt: petitions.closesAt })
    .from(petitions)
    .where(and(eq(petitions.state, "open"), lte(petitions.closesAt, sql.placeholder("now"))))
    .prepare(),
}));

/**
 * Closes open petitions whose closing date has passed: the minute scheduler's job (signing checks the
 * date itself, so a petition past its date takes no signature before the next tick).
 */
export function closeExpiredPetitions(now = Date.now()): number {
  const due = statements().due.all({ now });
  for (const { id, closesAt } of due) {
    try {
      // Closed as of its closing date, whenever the check happens to run.
      transitionPetition(id, { action: "close" }, null, closesAt?.getTime() ?? now);
    } catch (error) {
      // Closed meanwhile by a moderator: nothing to do.
      if (!(error instanceof PetitionError)) throw error;
    }
  }
  return due.length;
}
