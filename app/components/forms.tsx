import type { FieldMetadata } from "@conform-to/react";
import { getInputProps, getTextareaProps } from "@conform-to/react";
import type { ReactNode } from "react";

/** Field errors from zod (server or client), announced and tied to their input by id. */
export function FieldErrors({ id, errors }: { id: string; errors?: string[] }) {
  return (
    <div id={id} className="field-errors" aria-live="polite">
      {errors?.length ? (
        <ul>
          {errors.map((error) => (
            <li key={error}>{error}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

type InputType = "text" | "email" | "search" | "file" | "date" | "number";

export function InputField({
  label,
  field,
  type = "text",
  hint,
  ...rest
}: {
  label: ReactNode;
  field: FieldMetadata<string | File | number | undefined>;
  type?: InputType;
  hint?: ReactNode;
  autoComplete?: string;
  accept?: string;
  autoFocus?: boolean;
  placeholder?: string;
}) {
  const hintId = `${field.id}-hint`;
  const props = getInputProps(field, { type });
  const describedBy =
    [hint ? hintId : null, props["aria-describedby"]].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <label htmlFor={field.id}>{label}</label>
      {hint ? (
        <p id={hintId} className="hint">
          {hint}
        </p>
      ) : null}
      <input {...props} {...rest} aria-describedby={describedBy} />
      <FieldErrors id={field.errorId} errors={field.errors} />
    </div>
  );
}

export function TextareaField({
  label,
  field,
  hint,
  rows = 6,
}: {
  label: ReactNode;
  field: FieldMetadata<string | undefined>;
  hint?: ReactNode;
  rows?: number;
}) {
  const hintId = `${field.id}-hint`;
  const props = getTextareaProps(field);
  const describedBy =
    [hint ? hintId : null, props["aria-describedby"]].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <label htmlFor={field.id}>{label}</label>
      {hint ? (
        <p id={hintId} className="hint">
          {hint}
        </p>
      ) : null}
      <textarea {...props} rows={rows} aria-describedby={describedBy} />
      <FieldErrors id={field.errorId} errors={field.errors} />
    </div>
  );
}

/** Form-level errors (not tied to one field). */
export function FormErrors({ id, errors }: { id: string; errors?: string[] }) {
  if (!errors?.length) return <div id={id} />;
  return (
    <div id={id} className="form-errors" role="alert">
      {errors.map((error) => (
        <p key={error}>{error}</p>
      ))}
    </div>
  );
}
