import { RemixBrowser } from "@remix-run/react";
import { StrictMode, startTransition } from "react";
import { hydrateRoot } from "react-dom/client";
import { CatalogProvider } from "./i18n/catalog-context";
import { loadCatalog } from "./i18n/catalog-loader";
import { type AnyLocale, isLocale, isPseudoLocale, SOURCE_LOCALE } from "./i18n/locales";

// The page was rendered in <html lang>: load that language's words (one cached file), then hydrate,
// so the first render in the browser says exactly what the server's did.
const lang = document.documentElement.lang;
const locale: AnyLocale = isLocale(lang) || isPseudoLocale(lang) ? lang : SOURCE_LOCALE;

void loadCatalog(locale).then((messages) =>
  startTransition(() => {
    hydrateRoot(
      document,
      <StrictMode>
        <CatalogProvider value={{ locale, messages }}>
          <RemixBrowser />
        </CatalogProvider>
      </StrictMode>,
    );
  }),
);
