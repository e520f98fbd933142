import type { AnyLocale } from "./locales";

/**
 * The browser's catalog, fetched before the page hydrates (app/entry.client.tsx): one hashed,
 * cacheable file per language, so a page carries only its reader's words and no page request grows.
 */
const loaders: Record<AnyLocale, () => Promise<Record<string, string>>> = {
  en: () => import("./catalogs/en").then((m) => m.en),
  de: () => import("./catalogs/de").then((m) => m.de),
  fr: () => import("./catalogs/fr").then((m) => m.fr),
  ja: () => import("./catalogs/ja").then((m) => m.ja),
  "en-XA": () =>
    Promise.all([import("./catalogs/en"), import("./pseudo")]).then(([m, p]) =>
      p.pseudoLocalize(m.en, "en-XA"),
    ),
  "en-XB": () =>
    Promise.all([import("./catalogs/en"), import("./pseudo")]).then(([m, p]) =>
      p.pseudoLocalize(m.en, "en-XB"),
    ),
};

export const loadCatalog = (locale: AnyLocale) => loaders[locale]();
