import { describe, expect, it } from "vitest";
import { catalogFor } from "../../../app/i18n/catalogs.server";
import { LOCALES } from "../../../app/i18n/locales";

/**
 * The sign form's promise and its limit say exactly the same in every language (issue 27): no softer,
 * promising no more. Each translation below was read against the English clause by clause (never
 * public; the database, its backups and the logs; never say it was you — and the one limit: whoever
 * watches the network or this server while the browser sends or withdraws the signature could tell).
 * Pinned here, so that a change to any language's wording fails until someone reads it again.
 */
const PROMISE: Record<(typeof LOCALES)[number], { promise: string; limit: string }> = {
  en: {
    promise: "Never made public: the database, its backups and the logs never say it was you.",
    limit:
      "Its limit: whoever watches the network or this server as your browser sends or withdraws it could tell it was you.",
  },
  de: {
    promise:
      "Wird nie veröffentlicht: Die Datenbank, ihre Sicherungen und die Logdateien verraten nie, dass Sie es waren.",
    limit:
      "Die Grenze: Wer das Netzwerk oder diesen Server beobachtet, während Ihr Browser die Unterschrift sendet oder zurückzieht, könnte erkennen, dass Sie es waren.",
  },
  fr: {
    promise:
      "Jamais rendue publique : ni la base de données, ni ses sauvegardes, ni les fichiers journaux ne disent que c'était vous.",
    limit:
      "Sa limite : quiconque observe le réseau ou ce serveur pendant que votre navigateur envoie ou retire la signature pourrait savoir que c'était vous.",
  },
  ja: {
    promise:
      "公開されることはありません。データベースにも、そのバックアップにも、ログにも、それがあなただと示されることはありません。",
    limit:
      "限界：お使いのブラウザーが署名を送信または取り消すときに、ネットワークやこのサーバーを監視している人には、あなただとわかる可能性があります。",
  },
};

describe("the anonymity promise on the signing form", () => {
  it.each([...LOCALES])("%s says the reviewed promise and limit, word for word", (locale) => {
    const catalog = catalogFor(locale);
    expect(catalog["signing.anonymity.promise"]).toBe(PROMISE[locale].promise);
    expect(catalog["signing.anonymity.limit"]).toBe(PROMISE[locale].limit);
    // The short form beside "Get this device ready" opens with the same first words.
    const opening = PROMISE[locale].promise.split(/[:：。]/)[0] ?? "";
    expect(catalog["signing.anonymity.getReady"]?.startsWith(opening.trim())).toBe(true);
  });
});
