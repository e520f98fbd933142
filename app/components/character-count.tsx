import { useRef } from "react";
import { type Translate, useT } from "../i18n/translate";
import { useHydrated } from "./use-hydrated";

type Limits = { min?: number; max: number };

/**
 * What a counter says of a text against its limits: how far it is from the minimum while short,
 * then how much room is left. The minimum counts what the schema counts (trimmed, by code point);
 * the room left counts what the input's maxLength counts.
 */
export function describeCount(t: Translate, text: string, { min, max }: Limits) {
  const counted = [...text.trim()].length;
  const left = Math.max(0, max - text.length);
  if (min !== undefined && counted < min)
    return { shown: t("petition.count.short", { counted, min }), phase: "short" as const };
  if (left === 0) return { shown: t("petition.count.full", { max }), phase: "full" as const };
  return { shown: t("petition.count.left", { left }), phase: "fits" as const };
}

/**
 * A live counter under a text field, once JavaScript runs (without it the hint states the limits).
 * It shows on every keystroke but speaks only when the text reaches a limit — the minimum, or the
 * most it may hold — through a polite status, so a screen reader is not read a number per letter.
 */
export function CharacterCount({ text, limits }: { text: string; limits: Limits }) {
  const hydrated = useHydrated();
  const t = useT();
  // "Long enough" is said only on the way up from short: not of an edited draft that already was.
  const wasShort = useRef(false);
  if (!hydrated) return null;
  const { shown, phase } = describeCount(t, text, limits);
  if (phase === "short") wasShort.current = true;
  const spoken =
    phase === "full"
      ? t("petition.count.limitReached", { max: limits.max })
      : phase === "fits" && wasShort.current && limits.min !== undefined
        ? t("petition.count.longEnough", { min: limits.min })
        : "";
  return (
    <>
      <p className="hint character-count">{shown}</p>
      <span className="sr-only" role="status">
        {spoken}
      </span>
    </>
  );
}
