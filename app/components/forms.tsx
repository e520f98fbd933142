import type { FieldMetadata, SubmissionResult } from "@conform-to/react";
import { getFormProps, getInputProps, getSelectProps, getTextareaProps, useForm } from "@conform-to/react";
import { Form, useActionData } from "@remix-run/react";
import type { ReactNode } from "react";
import { useSaid } from "./said";

/** Field errors from zod (server or client), announced and tied to their input by id. */
export function FieldErrors({ id, errors }: { id: string; errors?: string[] }) {
  const said = useSaid();
  return (
    <div id={id} className="field-errors" aria-live="polite">
      {errors?.length ? (
        <ul>
          {errors.map((error) => (
            <li key={error}>{said(error)}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

// Coerced fields (z.coerce) have an input type of unknown.
type AnyField = FieldMetadata<unknown>;

/**
 * Label, optional hint, the control, what follows it (a live counter), and its errors; the control is
 * described by hint and errors.
 */
function FieldShell({
  label,
  field,
  hint,
  after = null,
  control,
}: {
  label: ReactNode;
  field: AnyField;
  hint?: ReactNode;
  after?: ReactNode;
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
      {after}
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
  after,
  ...rest
}: {
  label: ReactNode;
  field: AnyField;
  type?: InputType;
  hint?: ReactNode;
  after?: ReactNode;
  autoComplete?: string;
  accept?: string;
  autoFocus?: boolean;
  placeholder?: string;
  /** The limits the schema checks, for the browser to state and keep (text lengths, number range). */
  minLength?: number;
  maxLength?: number;
  min?: number;
  max?: number;
}) {
  return (
    <FieldShell
      label={label}
      field={field}
      hint={hint}
      after={after}
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
  after,
  rows = 6,
  minLength,
  maxLength,
}: {
  label: ReactNode;
  field: FieldMetadata<string | undefined>;
  hint?: ReactNode;
  after?: ReactNode;
  rows?: number;
  minLength?: number;
  maxLength?: number;
}) {
  return (
    <FieldShell
      label={label}
      field={field}
      hint={hint}
      after={after}
      control={(describedBy) => (
        <textarea
          {...getTextareaProps(field)}
          rows={rows}
          minLength={minLength}
          maxLength={maxLength}
          aria-describedby={describedBy}
        />
      )}
    />
  );
}

/** A validated choice (conform field): label, the options, and the field's errors. */
export function ChoiceField({
  label,
  field,
  options,
  placeholder,
  hint,
}: {
  label: ReactNode;
  field: AnyField;
  options: ReadonlyArray<{ value: string; label: ReactNode }>;
  /** The first, empty option ("Choose a reason"), which cannot be chosen. */
  placeholder?: string;
  hint?: ReactNode;
}) {
  return (
    <FieldShell
      label={label}
      field={field}
      hint={hint}
      control={(describedBy) => (
        <select
          {...getSelectProps(field)}
          defaultValue={String(field.initialValue ?? "")}
          aria-describedby={describedBy}
        >
          {placeholder ? (
            <option value="" disabled>
              {placeholder}
            </option>
          ) : null}
          {options.map((option) => (
            <option key={option.value} value={option.value}>
              {option.label}
            </option>
          ))}
        </select>
      )}
    />
  );
}

/** Form-level errors (not tied to one field), e.g. a rate limit or a refused change. */
export function FormErrors({ id, errors }: { id?: string; errors?: string[] }) {
  const said = useSaid();
  if (!errors?.length) return null;
  return (
    <div id={id} className="form-errors" role="alert">
      {errors.map((error) => (
        <p key={error}>{said(error)}</p>
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
 * On a page with several forms posting to one action (each with its `intent`, and a `step` for the
 * steps of a state machine), the action's result for the one form that sent it — so each form shows
 * only its own errors.
 */
export function useActionResultFor(intent: string, step?: string): SubmissionResult<string[]> | undefined {
  const data = useActionData() as
    | SubmissionResult<string[]>
    | { result?: SubmissionResult<string[]> }
    | undefined;
  const result = data && "result" in data ? data.result : (data as SubmissionResult<string[]> | undefined);
  const sent = result?.initialValue;
  if (sent?.intent !== intent) return undefined;
  return step === undefined || sent.step === step ? result : undefined;
}

/**
 * A form that is one button posting to the page's own action, with hidden fields: it posts its intent (and step) and shows its own
 * refusal above the button, with or without JavaScript.
 */
export function PageActionButton({
  intent,
  step,
  label,
  className = "secondary",
  hidden = {},
  instance,
}: {
  intent: string;
  step?: string;
  label: ReactNode;
  className?: string;
  hidden?: Record<string, string>;
  /** One of several such forms on a page (a row each): the hidden field that tells them apart. */
  instance?: { name: string; value: string };
}) {
  const result = useActionResultFor(intent, step);
  const [form] = useForm({
    id: [intent, step, instance?.value].filter(Boolean).join("-"),
    lastResult: !instance || result?.initialValue?.[instance.name] === instance.value ? result : undefined,
  });
  return (
    <Form method="post" className="inline-form" {...getFormProps(form)}>
      <FormErrors id={form.errorId} errors={form.errors} />
      {step ? <input type="hidden" name="step" value={step} /> : null}
      {Object.entries(instance ? { ...hidden, [instance.name]: instance.value } : hidden).map(
        ([name, value]) => (
          <input key={name} type="hidden" name={name} value={value} />
        ),
      )}
      <button type="submit" name="intent" value={intent} className={className}>
        {label}
      </button>
    </Form>
  );
}
