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
