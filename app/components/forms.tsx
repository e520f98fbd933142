import type { FieldMetadata, SubmissionResult } from "@conform-to/react";
import { getInputProps, getTextareaProps } from "@conform-to/react";
import { useActionData } from "@remix-run/react";
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

// Coerced fields (z.coerce) have an input type of unknown.
type AnyField = FieldMetadata<unknown>;

/** Label, optional hint, the control, and its errors; the control is described by hint and errors. */
function FieldShell({
  label,
  field,
  hint,
  control,
}: {
  label: ReactNode;
  field: AnyField;
  hint?: ReactNode;
  control: (describedBy: string | undefined) => ReactNode;
}) {
  const hintId = `${field.id}-hint`;
  const describedBy = [hint ? hintId : null, field.errors?.length ? field.errorId : null]
    .filter(Boolean)
    .join(" ");
  return (
    <div className="field">
      <label htmlFor={field.id}>{label}</label>
      {hint ? (
        <p id={hintId} className="hint">
          {hint}
        </p>
      ) : null}
      {control(describedBy || undefined)}
      <FieldErrors id={field.errorId} errors={field.errors} />
    </div>
  );
}

type InputType = "text" | "email" | "search" | "file" | "date" | "datetime-local" | "number";

export function InputField({
  label,
  field,
  type = "text",
  hint,
  ...rest
}: {
  label: ReactNode;
  field: AnyField;
  type?: InputType;
  hint?: ReactNode;
  autoComplete?: string;
  accept?: string;
  autoFocus?: boolean;
  placeholder?: string;
}) {
  return (
    <FieldShell
      label={label}
      field={field}
      hint={hint}
      control={(describedBy) => (
        <input {...getInputProps(field, { type })} {...rest} aria-describedby={describedBy} />
      )}
    />
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
  return (
    <FieldShell
      label={label}
      field={field}
      hint={hint}
      control={(describedBy) => (
        <textarea {...getTextareaProps(field)} rows={rows} aria-describedby={describedBy} />
      )}
    />
  );
}

/** Form-level errors (not tied to one field), e.g. a rate limit or a refused change. */
export function FormErrors({ id, errors }: { id?: string; errors?: string[] }) {
  if (!errors?.length) return null;
  return (
    <div id={id} className="form-errors" role="alert">
      {errors.map((error) => (
        <p key={error}>{error}</p>
      ))}
    </div>
  );
}

/** A labelled <select> for plain (unvalidated) choices: a status, a version, a sort. */
export function SelectField({
  id,
  label,
  name,
  defaultValue,
  options,
}: {
  id: string;
  label: ReactNode;
  name: string;
  defaultValue?: string | number;
  options: ReadonlyArray<{ value: string | number; label: ReactNode }>;
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} name={name} defaultValue={defaultValue}>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/**
 * On a page with several forms posting to one action (each with a hidden `intent`), the action's
 * result for the one form that sent it — so each form shows only its own errors.
 */
export function useActionResultFor(intent: string): SubmissionResult<string[]> | undefined {
  const result = useActionData() as SubmissionResult<string[]> | undefined;
  return result?.initialValue?.intent === intent ? result : undefined;
}
