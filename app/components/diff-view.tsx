import type { DiffPart } from "../domain/policies/registry.server";

/** A word-level diff: added text in <ins>, removed in <del>, both also said in words for screen readers. */
export function DiffView({ parts }: { parts: DiffPart[] }) {
  return (
    <div className="diff">
      {parts.map((part, i) =>
        part.added ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: a diff is rendered once, in order
          <ins key={i}>
            <span className="sr-only">[added: </span>
            {part.value}
            <span className="sr-only">]</span>
          </ins>
        ) : part.removed ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: a diff is rendered once, in order
          <del key={i}>
            <span className="sr-only">[removed: </span>
            {part.value}
            <span className="sr-only">]</span>
          </del>
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: a diff is rendered once, in order
          <span key={i}>{part.value}</span>
        ),
      )}
    </div>
  );
}
