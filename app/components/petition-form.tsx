import { getFormProps, type SubmissionResult, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { Form, useNavigation } from "@remix-run/react";
import type { ReactNode } from "react";
import { petitionInputSchema } from "../domain/petitions/forms";
import { FormErrors, InputField, TextareaField } from "./forms";
import { PolicySelect } from "./policy-select";

type Values = {
  title?: string;
  summary?: string;
  body?: string;
  category?: string;
  policyId?: string;
  openForDays?: string;
};

/** The one petition form (new and edit): its text, category, the policy it asks to change, how long it runs. */
export function PetitionForm({
  policies,
  lastResult,
  defaultValue,
  submitLabel,
  afterTitle = null,
  onTitleInput,
}: {
  policies: Array<{ id: number; title: string }>;
  lastResult: SubmissionResult<string[]> | undefined;
  defaultValue?: Values;
  submitLabel: string;
  /** Shown under the title: a new petition's similar open ones. */
  afterTitle?: ReactNode;
  onTitleInput?: (title: string) => void;
}) {
  const navigation = useNavigation();
  const [form, fields] = useForm({
    lastResult,
    defaultValue,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: petitionInputSchema }),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
  });
  return (
    <Form
      method="post"
      className="card"
      {...getFormProps(form)}
      onInput={(e) => {
        const target = e.target as HTMLInputElement;
        if (target.name === "title") onTitleInput?.(target.value);
      }}
    >
      <FormErrors id={form.errorId} errors={form.errors} />
      <InputField label="Title" field={fields.title} hint="Up to 120 characters. Say what should change." />
      {afterTitle}
      <TextareaField
        label="What do you ask for?"
        field={fields.summary}
        rows={3}
        hint="A short summary, up to 500 characters."
      />
      <TextareaField
        label="Why it matters"
        field={fields.body}
        rows={12}
        hint="Markdown: **bold**, _italic_, lists, links, > quotes. Up to 10,000 characters."
      />
      <InputField
        label="Category (optional)"
        field={fields.category}
        hint="For example: Privacy, Hybrid work, Benefits."
      />
      <PolicySelect field={fields.policyId} policies={policies} />
      <InputField
        label="Days open for signatures (optional)"
        field={fields.openForDays}
        type="number"
        hint="Counted from the day a moderator opens it. Leave empty for the site's default."
      />
      <button type="submit" disabled={navigation.state === "submitting"}>
        {submitLabel}
      </button>
    </Form>
  );
}
