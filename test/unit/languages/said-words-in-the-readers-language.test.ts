import { parseWithZod } from "@conform-to/zod/v4";
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { IntlProvider } from "react-intl";
import { describe, expect, it } from "vitest";
import { FieldErrors, FormErrors } from "../../../app/components/forms";
import { hideStepSchema, petitionInputSchema } from "../../../app/domain/petitions/forms";
import { PetitionError } from "../../../app/domain/petitions/rights.server";
import { catalogFor } from "../../../app/i18n/catalogs.server";
import type { Locale } from "../../../app/i18n/locales";
import { describeRetryAfter, RateLimited, retryAfterValues } from "../../../app/platform/refusal";
import { readSaid, saidText, say } from "../../../app/platform/said";
import { textInEnglish } from "../../../app/platform/said-english";

/**
 * Words the server and the schemas say (ADR 0041, "Refusals, emails and feeds"): kept as a key and
 * values until shown, then written in the reader's language — by the form's own components, as
 * conform shows them in the browser — while `.message` and the API stay English.
 */
const shown = (locale: Locale, element: ReturnType<typeof createElement>) =>
  renderToStaticMarkup(
    createElement(IntlProvider, { locale, messages: catalogFor(locale), timeZone: "UTC" }, element),
  );

function errorsOf(schema: Parameters<typeof parseWithZod>[1]["schema"], fields: Record<string, string>) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  const submission = parseWithZod(form, { schema });
  return submission.status === "error" ? (submission.error ?? {}) : {};
}

describe("said words", () => {
  it("travel as text and back, values included; other text is not taken for them", () => {
    const said = say("server.petition.alreadyInvited", { name: "Ada" });
    expect(readSaid(saidText(said), (key) => key in catalogFor("en"))).toEqual(said);
    expect(readSaid("There is no such petition.", () => true)).toBeNull();
    expect(readSaid("server.no.such.key", (key) => key in catalogFor("en"))).toBeNull();
  });

  it("are a schema's messages, written by the form in the reader's language, as in the browser", () => {
    const errors = errorsOf(hideStepSchema, { reason: "" });
    const german = shown("de", createElement(FieldErrors, { id: "e", errors: errors.reason ?? [] }));
    expect(german).toContain("<li>Sagen Sie, warum</li>");
    const english = shown("en", createElement(FieldErrors, { id: "e", errors: errors.reason ?? [] }));
    expect(english).toContain("<li>Say why</li>");
    const title = errorsOf(petitionInputSchema, { title: "Short", summary: "", body: "" }).title ?? [];
    expect(shown("ja", createElement(FieldErrors, { id: "e", errors: title }))).toContain(
      "タイトルは10文字以上にしてください",
    );
    expect(title.map(textInEnglish)).toEqual(["Make the title at least 10 characters"]);
  });

  it("make a refusal whose message is English, and that a form shows in the reader's language", () => {
    const refusal = new PetitionError(say("server.petition.notOpen"), 409);
    expect(refusal.message).toBe("This petition is not open for signatures.");
    const shownIn = (locale: Locale) =>
      shown(
        locale,
        createElement(FormErrors, { errors: [saidText(refusal.said ?? say("server.notFound"))] }),
      );
    expect(shownIn("fr")).toContain("Cette pétition n’est pas ouverte aux signatures.");
    expect(shownIn("en")).toContain("This petition is not open for signatures.");
  });

  it("say a rate limit's wait with each language's plural, the English unchanged", () => {
    expect(describeRetryAfter(1_000)).toBe("1 second");
    expect(describeRetryAfter(45_000)).toBe("45 seconds");
    expect(describeRetryAfter(120_000)).toBe("2 minutes");
    const limited = new RateLimited(say("server.comment.tooOften", retryAfterValues(1_000)), 1_000);
    expect(limited.message).toBe("You are doing that too often. Please wait 1 second.");
    const german = shown(
      "de",
      createElement(FormErrors, { errors: [saidText(limited.said ?? say("server.wait"))] }),
    );
    expect(german).toContain("Bitte warten Sie 1 Sekunde.");
  });
});
