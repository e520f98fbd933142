import type { MessageFormatElement } from "@formatjs/icu-messageformat-parser";
import { createContext, type ReactNode, useContext } from "react";
import type { AnyLocale } from "./locales";

/**
 * The catalog the document was rendered with, handed to the root by the entry modules (the server's
 * from memory, the browser's loaded before hydration), so the root's IntlProvider has its words
 * without carrying them in any loader's data.
 */
export type LoadedCatalog = {
  locale: AnyLocale;
  /** The server's are parsed once (catalogs.server.ts); the browser parses the ones it shows. */
  messages: Record<string, string> | Record<string, MessageFormatElement[]>;
};
const CatalogContext = createContext<LoadedCatalog>({ locale: "en", messages: {} });

export function CatalogProvider({ value, children }: { value: LoadedCatalog; children: ReactNode }) {
  return <CatalogContext.Provider value={value}>{children}</CatalogContext.Provider>;
}

export const useLoadedCatalog = () => useContext(CatalogContext);
