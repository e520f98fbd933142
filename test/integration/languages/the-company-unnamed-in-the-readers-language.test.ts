import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import type { companyWords } from "../../../app/config.server";
import { requestLink } from "../../../app/domain/identity/identity-linking.server";
import { requestSignIn } from "../../../app/domain/identity/sign-in.server";
import { findPersonByEmail } from "../../../app/domain/people/directory.server";
import { Refusal } from "../../../app/platform/refusal";
import { wordsOf } from "../../../app/platform/said";
import { inEnglish } from "../../../app/platform/said-english";
import { CLI_ACTOR } from "../../../app/platform/security/audit.server";
import { DEFAULT_SETTINGS, updateSettings } from "../../../app/platform/site/settings.server";
import * as signInRoute from "../../../app/routes/sign-in";
import { intlOf, wordsOfReader } from "../../../app/web/reader.server";
import { getDb } from "../../../db/client";
import { outbox, people } from "../../../db/schema";
import { TEST_BASE_URL, thrown } from "../../support/fixtures";
import { makeCompany } from "../../support/petition-fixtures";

/**
 * Without COMPANY_NAME the product has no name for the company, and says so in each reader's own
 * words: "Sign in with your company account", "Mit Ihrem Firmenkonto anmelden" — not the English words
 * "your company" put where a name goes ("Confirm your your company sign-in", "Mit your company
 * anmelden"). With a name, the words are as they were (identity-linking.test.ts, oidc.test.ts).
 */
vi.hoisted(() => {
  delete process.env.COMPANY_NAME;
  process.env.OIDC_ISSUER = "https://login.corp.example";
  process.env.OIDC_CLIENT_ID = "undersigned-unnamed";
  process.env.OIDC_CLIENT_SECRET = "a-test-secret-of-enough-length";
});

const T0 = Date.UTC(2026, 11, 7, 9, 0); // fixed clock
const company = makeCompany(4);
const [english, german] = company.staff;
if (!english || !german) throw new Error("company too small");
getDb().update(people).set({ locale: "de" }).where(eq(people.id, german.id)).run();

/** English doubled or left where the name goes; in German, any English word at all. */
const ENGLISH_SLIPS = /your your|company company/i;
const ENGLISH_WORDS = /\b(your|company)\b/i;

async function signInPage(locale: string) {
  const response = await signInRoute.loader({
    request: new Request(`${TEST_BASE_URL}/sign-in`, { headers: { "Accept-Language": locale } }),
    params: {},
    context: { clientIp: "192.0.2.1", cspNonce: "" },
  });
  const { options } = (await response.json()) as { options: { company: ReturnType<typeof companyWords> } };
  const { t } = wordsOfReader({ locale: locale === "de" ? "de" : "en", timeZone: "UTC" });
  return [
    t("identity.signIn.withCompany", options.company),
    t("identity.signIn.companyAccount", options.company),
  ];
}

function linkEmail(to: string) {
  requestLink(
    getDb(),
    {
      email: to,
      person: findPersonByEmail(getDb(), to),
      account: { protocol: "oidc", issuer: "https://login.corp.example", subject: `sub-${to}` },
      replaces: "the account connected now",
    },
    T0,
  );
  const mail = getDb().select().from(outbox).where(eq(outbox.toAddress, to)).all().at(-1);
  if (!mail) throw new Error(`no email to ${to}`);
  return mail;
}

describe("with COMPANY_NAME unset", () => {
  it("the sign-in page offers the company account in the reader's words", async () => {
    expect(await signInPage("en")).toEqual([
      "Sign in with your company account",
      "Staff sign in with their company account.",
    ]);
    const inGerman = await signInPage("de");
    expect(inGerman).toEqual([
      "Mit Ihrem Firmenkonto anmelden",
      "Mitarbeitende melden sich mit ihrem Firmenkonto an.",
    ]);
    for (const text of inGerman) expect(text).not.toMatch(ENGLISH_WORDS);
  });

  it("the email confirming a company sign-in never says 'your your company', and a German reader reads no English", () => {
    const inEnglishMail = linkEmail(english.email);
    expect(inEnglishMail.subject).toBe("Confirm your company sign-in to Undersigned");
    expect(inEnglishMail.textBody).toContain(
      `Someone has just signed in with a company account that carries your address, ${english.email}, and asked to use it for Undersigned instead of the company account connected now.`,
    );
    expect(`${inEnglishMail.subject}\n${inEnglishMail.textBody}`).not.toMatch(ENGLISH_SLIPS);

    const inGermanMail = linkEmail(german.email);
    expect(inGermanMail.subject).toBe("Bestätigen Sie Ihre Anmeldung mit Ihrem Firmenkonto bei Undersigned");
    expect(inGermanMail.textBody).toContain("mit einem Firmenkonto angemeldet");
    expect(`${inGermanMail.subject}\n${inGermanMail.textBody}`).not.toMatch(ENGLISH_WORDS);
  });

  it("the refusal when email sign-in is off names the button as the page does, in each language", async () => {
    updateSettings({ ...DEFAULT_SETTINGS, emailSignIn: false }, [], CLI_ACTOR);
    const refusal = await thrown(requestSignIn({ email: english.email, ip: null }, T0));
    expect(refusal).toBeInstanceOf(Refusal);
    const said = (refusal as Refusal).said;
    if (!said) throw new Error("the refusal has no catalog words");
    expect(inEnglish(said)).toBe(
      'Sign-in by email is switched off here: use "Sign in with your company account".',
    );
    const german = wordsOf(said, intlOf({ locale: "de", timeZone: "UTC" }));
    expect(german).toBe(
      "Die Anmeldung per E-Mail ist hier ausgeschaltet: Verwenden Sie „Mit Ihrem Firmenkonto anmelden“.",
    );
    expect(german).not.toMatch(ENGLISH_WORDS);
  });
});
