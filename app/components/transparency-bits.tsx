import { COMPARE_FINGERPRINT, comparableFingerprint } from "./format";

/**
 * The public log where people meet it: a petition's signing key as colleagues compare it, and the
 * sign panel's small print on what the device checks before it signs anonymously.
 */

export function KeyFingerprint({ fingerprint, label }: { fingerprint: string; label: string }) {
  return (
    <p className="hint">
      {label}: <code className="key-fingerprint">{comparableFingerprint(fingerprint)}</code>.{" "}
      {COMPARE_FINGERPRINT}
    </p>
  );
}

const names = (list: string[]) =>
  list.length <= 1 ? (list[0] ?? "") : `${list.slice(0, -1).join(", ")} and ${list.at(-1)}`;

export function LogSmallPrint({ witnesses }: { witnesses: string[] }) {
  return (
    <p className="hint">
      Before it asks for anything, your device checks that this petition's signing key is the one in{" "}
      <a href="/transparency">the public log</a>. A new device trusts the log it is first shown; from then on
      it notices a log that was forked or rewritten.{" "}
      {witnesses.length
        ? `The log is confirmed by ${witnesses.length === 1 ? "an independent witness" : "independent witnesses"}, ${names(witnesses)}: when ${witnesses.length === 1 ? "it has" : "one has"} not confirmed it lately, anonymous signing pauses for everyone.`
        : "There is no independent witness: nobody outside the company confirms the log, so a server showing your device a log of its own would not be caught."}
    </p>
  );
}
