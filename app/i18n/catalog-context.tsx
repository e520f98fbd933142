import type { MessageFormatElement } from "@formatjs/icu-messageformat-parser";
import { createContext, type ReactNode, useContext } from "react";
import type { IntlShape } from "react-intl";
import type { AnyLocale } from "./locales";

/**
 * The catalog the document was rendered with, handed to the root by the entry modules (the server's
 * from memory, the browser's loaded before hydration), so the root's IntlProvider has its words
 * without carrying them in any loader's data.
 */
export type LoadedCatalog = {
  locale: AnyLocale;
  /** Text in the browser; on the server plain-text messages come parsed (serverCatalogFor). */
  messages: Record<string, string | MessageFormatElement[]>;
  /** The server's words and formats for the reader's zone, kept across requests (intlFor). */
  intl?: IntlShape;
};
const CatalogContext = createContext<LoadedCatalog>({ locale: "en", messages: {} });

export function CatalogProvider({ value, children }: { value: LoadedCatalog; children: ReactNode }) {
  return <CatalogContext.Provider value={value}>{children}</CatalogContext.Provider>;
}

export const useLoadedCatalog = () => useContext(CatalogContext);
