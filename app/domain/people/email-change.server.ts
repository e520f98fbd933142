import type { Executor } from "../../../db/client";
import { renderEmail } from "../../platform/mail/email-layout.server";
import { enqueueMail } from "../../platform/mail/outbox.server";
import { type Actor, recordAudit } from "../../platform/security/audit.server";
import { endSessionsAndLinkRequests } from "../identity/sessions.server";
import { discardSignInLinks } from "../identity/sign-in.server";

/**
 * What follows a change of a person's email address, inside the transaction that makes it: whoever
 * held the old address (or a link for the new one) is signed in nowhere, the old address is told, and
 * the audit log says from what to what. An address is how someone signs in by link, so a change
 * nobody notices is a takeover (a SCIM token could move an admin's address to its own).
 */
export function followEmailChange(
  tx: Executor,
  person: { id: number; name: string | null },
  change: { from: string; to: string },
  actor: Actor,
  /** Who made it, in a colleague's words ("your company's staff directory"). */
  madeBy: string,
  details: Record<string, unknown> = {},
  now = Date.now(),
): void {
  endSessionsAndLinkRequests(tx, person.id, [change.from, change.to]);
  // A link asked for either address before the change would sign someone in as this person after it.
  discardSignInLinks(change.from, tx);
  discardSignInLinks(change.to, tx);
  enqueueMail(
    tx,
    {
      kind: "account.email-changed",
      to: change.from,
      subject: "Your email address on Undersigned was changed",
      ...renderEmail({
        paragraphs: [
          person.name ? `Hello ${person.name},` : "Hello,",
          `The email address of your Undersigned account was changed from ${change.from} to ${change.to} by ${madeBy}. You have been signed out everywhere; from now on you sign in with the new address.`,
          "If you did not expect this, tell an Undersigned administrator at once: whoever reads the new address can sign in as you.",
        ],
      }),
    },
    now,
  );
  recordAudit(
    tx,
    actor,
    "person.email-change",
    { type: "person", id: person.id },
    {
      from: change.from,
      to: change.to,
      ...details,
    },
  );
}
