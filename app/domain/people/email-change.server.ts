import type { Executor } from "../../../db/client";
import { renderEmail } from "../../platform/mail/email-layout.server";
import { enqueueMail } from "../../platform/mail/outbox.server";
import { type Recipient, wordsForRecipient } from "../../platform/mail/recipient-words.server";
import { type Actor, recordAudit } from "../../platform/security/audit.server";
import { endSessionsAndLinkRequests } from "../identity/sessions.server";
import { discardSignInLinks } from "../identity/sign-in.server";

/**
 * Who made a change, as the email says it: the staff directory (SCIM), the company's sign-in service
 * (a provider's new address at sign-in), or an admin confirming what the staff directory asked.
 */
export type EmailChangeMaker = "directory" | "signIn" | "adminForDirectory";

/**
 * What follows a change of a person's email address, inside the transaction that makes it: whoever
 * held the old address (or a link for the new one) is signed in nowhere, the old address is told, and
 * the audit log says from what to what. An address is how someone signs in by link, so a change
 * nobody notices is a takeover (a SCIM token could move an admin's address to its own).
 */
export function followEmailChange(
  tx: Executor,
  person: { id: number; name: string | null } & Recipient,
  change: { from: string; to: string },
  actor: Actor,
  madeBy: EmailChangeMaker,
  details: Record<string, unknown> = {},
  now = Date.now(),
): void {
  endSessionsAndLinkRequests(tx, person.id, [change.from, change.to]);
  // A link asked for either address before the change would sign someone in as this person after it.
  discardSignInLinks(change.from, tx);
  discardSignInLinks(change.to, tx);
  // In the language and zone the person set, else the company's (ADR 0041).
  const { t } = wordsForRecipient(person);
  enqueueMail(
    tx,
    {
      kind: "account.email-changed",
      to: change.from,
      subject: t("admin.email.emailChanged.subject"),
      ...renderEmail({
        paragraphs: [
          person.name
            ? t("admin.email.emailChanged.helloName", { name: person.name })
            : t("admin.email.emailChanged.hello"),
          t("admin.email.emailChanged.changed", { from: change.from, to: change.to, by: madeBy }),
          t("admin.email.emailChanged.notYou"),
        ],
        t,
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
