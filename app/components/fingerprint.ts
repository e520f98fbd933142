/** A signing key's fingerprint as people compare it aloud: its first 16 hex characters, in groups of four. */
export const comparableFingerprint = (fingerprint: string) =>
  (fingerprint.slice(0, 16).match(/.{1,4}/g) ?? []).join(" ");
