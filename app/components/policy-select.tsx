import type { FieldMetadata } from "@conform-to/react";
import { useT } from "../i18n/translate";
import { FieldErrors } from "./forms";

/** "Which policy does this petition ask to change?" — a choice from the registry, or none. */
export function PolicySelect({
  field,
  policies,
}: {
  field: FieldMetadata<unknown>;
  policies: Array<{ id: number; title: string }>;
}) {
  const t = useT();
  if (!policies.length) return null;
  return (
    <div className="field">
      <label htmlFor={field.id}>{t("petition.form.policy")}</label>
      <select id={field.id} name={field.name} defaultValue={String(field.initialValue ?? "")}>
        <option value="">{t("petition.form.noPolicy")}</option>
        {policies.map((p) => (
          <option key={p.id} value={p.id}>
            {p.title}
          </option>
        ))}
      </select>
      <FieldErrors id={field.errorId} errors={field.errors} />
    </div>
  );
}
