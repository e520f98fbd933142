import { useFormat } from "../i18n/format";
import { useT } from "../i18n/translate";
import { comparableFingerprint } from "./fingerprint";

/**
 * The public log where people meet it: a petition's signing key as colleagues compare it, and the
 * sign panel's small print on what the device checks before it signs anonymously.
 */

export function KeyFingerprint({ fingerprint, label }: { fingerprint: string; label: string }) {
  const t = useT();
  return (
    <p className="hint">
      {t.rich("signing.fingerprint.line", {
        label,
        fingerprint: <code className="key-fingerprint">{comparableFingerprint(fingerprint)}</code>,
      })}{" "}
      {t("signing.fingerprint.compare")}
    </p>
  );
}

export function LogSmallPrint({ witnesses }: { witnesses: string[] }) {
  const t = useT();
  // The witnesses' names as the reader's language lists them ("A, B and C").
  const format = useFormat();
  return (
    <p className="hint">
      {t.rich("signing.logPrint.check", { log: (chunks) => <a href="/transparency">{chunks}</a> })}{" "}
      {witnesses.length
        ? t("signing.logPrint.witnesses", { count: witnesses.length, names: format.list(witnesses) })
        : t("signing.logPrint.noWitness")}
    </p>
  );
}
