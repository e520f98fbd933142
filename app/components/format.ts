/** One date format everywhere; UTC so server and browser render the same text (no hydration mismatch). */
const dateTime = new Intl.DateTimeFormat("en-GB", {
  dateStyle: "medium",
  timeStyle: "short",
  timeZone: "UTC",
});

export const formatDateTime = (value: string | number | Date | null | undefined) =>
  value === null || value === undefined ? "—" : `${dateTime.format(new Date(value))} UTC`;

const dateOnly = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeZone: "UTC" });
export const formatDate = (value: string | number | Date | null | undefined) =>
  value === null || value === undefined ? "—" : dateOnly.format(new Date(value));

/** A signing key's fingerprint as people compare it aloud: its first 16 hex characters, in groups of four. */
export const comparableFingerprint = (fingerprint: string) =>
  (fingerprint.slice(0, 16).match(/.{1,4}/g) ?? []).join(" ");

/** The sentence that goes with it wherever it is shown. */
export const COMPARE_FINGERPRINT =
  "Compare it with a colleague's: if yours differs, someone may be trying to tell signers apart.";

/** How long something has waited, in the largest whole unit: "under an hour", "5 hours", "3 days". */
export function formatWaiting(ms: number): string {
  const hours = Math.floor(ms / 3_600_000);
  if (hours < 1) return "under an hour";
  if (hours < 48) return hours === 1 ? "1 hour" : `${hours} hours`;
  return `${Math.floor(hours / 24)} days`;
}

const ordinalRules = new Intl.PluralRules("en", { type: "ordinal" });
const ORDINAL_SUFFIX: Partial<Record<Intl.LDMLPluralRule, string>> = { one: "st", two: "nd", few: "rd" };
/** A position as a colleague says it: "1st", "2nd", "23rd", "111th". */
export const ordinal = (n: number) =>
  `${n.toLocaleString("en")}${ORDINAL_SUFFIX[ordinalRules.select(n)] ?? "th"}`;
