/**
 * Text that is shown on one line (titles, names, summaries, email subjects): shared by the server and
 * the forms, so what a page validates is what the server stores.
 */

/**
 * Bidirectional controls: embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), the
 * directional marks (U+200E, U+200F) and the Arabic letter mark (U+061C). A right-to-left override
 * shows "gnp.exe" as "exe.png", so one in a title or a name makes it read as something else in pages
 * and email subjects. Zero-width joiners stay: emoji need them.
 */
export const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

/** Other control characters (C0, DEL, C1), line and paragraph separators: a single line holds none. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const LINE_BREAKERS = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]+/g;

/** The text with bidi controls removed and control characters and line breaks turned into spaces. */
export function singleLine(text: string): string {
  return text.replace(BIDI_CONTROLS, "").replace(LINE_BREAKERS, " ").trim();
}

/** Bidi controls out of multi-line text's lines that are shown alone (a reason, a note). */
export const withoutBidiControls = (text: string): string => text.replace(BIDI_CONTROLS, "");

/** Text made safe inside HTML, in content and in quoted attribute values. */
export const escapeHtml = (value: string): string =>
  value.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c,
  );
