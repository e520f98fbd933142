import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requestSignIn } from "../../app/domain/identity/sign-in.server";
import { patchScimUser } from "../../app/domain/people/provisioning.server";
import { CLI_ACTOR } from "../../app/platform/security/audit.server";
import { resetRateLimits } from "../../app/platform/security/rate-limits.server";
import { DEFAULT_SETTINGS, updateSettings } from "../../app/platform/site/settings.server";
import { createSmtpTransport, deliverDueMail } from "../../app/server/mail-sender.server";
import { getDb } from "../../db/client";
import { people } from "../../db/schema";
import { signPublicly } from "../support/anonymous";
import { makeCompany, openPetition } from "../support/petition-fixtures";
import { patchOf } from "../support/scim-client";
import { startSmtpServer } from "../support/smtp";

/**
 * An email is written in the language and time zone its recipient has set (ADR 0041), else the
 * company's defaults: a German-set organizer in Berlin reads a milestone's email in German, the due
 * moment in Berlin time; a leader who set nothing reads it in English, in the company's zone (UTC).
 */
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
beforeAll(async () => {
  smtp = await startSmtpServer();
});
afterAll(async () => {
  await smtp.close();
});

updateSettings(DEFAULT_SETTINGS, [{ threshold: 5, responseRequired: true, responseDays: 14 }], CLI_ACTOR);
const company = makeCompany(12);
const [creator] = company.staff;
if (!creator) throw new Error("company too small");
// 7 Dec 2026, 22:10 UTC: the due moment, 14 days on, is 21 Dec 23:10 in Berlin — still the 21st. // fixed clock
const T0 = Date.UTC(2026, 11, 7, 22, 10); // fixed clock

describe("emails", () => {
  it("are written in the recipient's language and time zone, else the company's", async () => {
    getDb()
      .update(people)
      .set({ locale: "de", timeZone: "Europe/Berlin" })
      .where(eq(people.id, creator.id))
      .run();
    resetRateLimits();
    const petition = openPetition(company, "Mehr Fahrradstellplätze", { at: T0 - 60_000 });
    for (const signer of company.staff.slice(4, 9)) await signPublicly(petition.id, signer, T0);

    const transport = createSmtpTransport(smtp.url);
    while ((await deliverDueMail(transport, { limit: 50, now: () => T0 + 1000 })).sent > 0) {
      /* drain */
    }
    transport.close();
    // The milestone's email (the creator also had the co-sponsors' news).
    const to = (email: string) =>
      smtp.received.find((m) => m.to.includes(email) && /^5 /.test(m.parsed.subject ?? ""))?.parsed;

    const german = to(creator.email);
    expect(german?.subject).toBe("5 Unterschriften: „Mehr Fahrradstellplätze“");
    expect(german?.text).toContain(
      "Ihre Petition „Mehr Fahrradstellplätze“ hat 5 Unterschriften erreicht. Die Geschäftsleitung muss bis 21. Dez. 2026, 23:10 MEZ antworten.",
    );
    expect(german?.text).toContain("Zur Petition:");
    expect(german?.text).toContain("Diese E-Mails abbestellen: ");
    expect(german?.html).toContain("Oder fügen Sie diesen Link in Ihren Browser ein:");

    const english = to(company.leader.email);
    expect(english?.subject).toBe("5 signatures: “Mehr Fahrradstellplätze”");
    expect(english?.text).toContain(
      "The petition “Mehr Fahrradstellplätze” has reached 5 signatures, which requires a response from leadership. Leadership must respond by 21 Dec 2026, 22:10 UTC.", // fixed clock
    );
    expect(english?.text).toContain("See the petition:");
    expect(english?.text).toContain("Undersigned — the staff petition platform.");
  });

  it("include the sign-in link's, in the language of the person the address belongs to", async () => {
    resetRateLimits();
    await requestSignIn({ email: creator.email, ip: "192.0.2.7" }, T0);
    await requestSignIn({ email: "nobody@corp.example", ip: "192.0.2.7" }, T0);
    const transport = createSmtpTransport(smtp.url);
    while ((await deliverDueMail(transport, { limit: 50, now: () => T0 + 1000 })).sent > 0) {
      /* drain */
    }
    transport.close();
    const german = smtp.received.find(
      (m) => m.to.includes(creator.email) && /Anmeldelink/.test(m.parsed.subject ?? ""),
    );
    expect(german?.parsed.subject).toBe("Ihr Anmeldelink für Undersigned");
    expect(german?.parsed.text).toContain("Er funktioniert einmal und läuft in 15 Minuten ab.");
  });

  it("include the notice to a changed address's old one, in the language that person set", async () => {
    const [german, english] = company.staff.slice(10, 12);
    if (!german || !english) throw new Error("company too small");
    getDb().update(people).set({ locale: "de" }).where(eq(people.id, german.id)).run();
    // The staff directory (SCIM) moves both to new addresses: each old address is told.
    const move = (person: { id: number }, to: string) =>
      patchScimUser(
        String(person.id),
        patchOf({ op: "Replace", path: 'emails[type eq "work"].value', value: to }),
      );
    move(german, "neu@corp.example");
    move(english, "new@corp.example");
    const transport = createSmtpTransport(smtp.url);
    // Queued by SCIM, which takes no clock: delivered a second after now.
    while ((await deliverDueMail(transport, { limit: 50, now: () => Date.now() + 1000 })).sent > 0) {
      /* drain */
    }
    transport.close();
    const told = (email: string) =>
      smtp.received.find((m) => m.to.includes(email) && /Undersigned/.test(m.parsed.subject ?? ""))?.parsed;

    const inGerman = told(german.email);
    expect(inGerman?.subject).toBe("Ihre E-Mail-Adresse bei Undersigned wurde geändert");
    expect(inGerman?.text).toContain(`Hallo ${german.name},`);
    expect(inGerman?.text).toContain(
      `Die E-Mail-Adresse Ihres Undersigned-Kontos wurde von ${german.email} in neu@corp.example geändert, und zwar durch das Mitarbeiterverzeichnis Ihres Unternehmens (seinen Bereitstellungsdienst). Sie wurden überall abgemeldet; ab jetzt melden Sie sich mit der neuen Adresse an.`,
    );
    expect(inGerman?.text).toContain("Wer die neue Adresse liest, kann sich als Sie anmelden.");

    // The English words are what they were before the catalogs.
    const inEnglish = told(english.email);
    expect(inEnglish?.subject).toBe("Your email address on Undersigned was changed");
    expect(inEnglish?.text).toContain(
      `The email address of your Undersigned account was changed from ${english.email} to new@corp.example by your company's staff directory (its provisioning service). You have been signed out everywhere; from now on you sign in with the new address.`,
    );
    expect(inEnglish?.text).toContain(
      "If you did not expect this, tell an Undersigned administrator at once: whoever reads the new address can sign in as you.",
    );
  });
});
