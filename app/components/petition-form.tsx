import { getFormProps, type SubmissionResult, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { Form, useNavigation } from "@remix-run/react";
import type { ReactNode } from "react";
import { PETITION_LIMITS as LIMITS, petitionInputSchema } from "../domain/petitions/forms";
import { CharacterCount } from "./character-count";
import { ChoiceField, FormErrors, InputField, TextareaField } from "./forms";
import { PolicySelect } from "./policy-select";

type Values = {
  title?: string;
  summary?: string;
  body?: string;
  category?: string;
  policyId?: string;
  openForDays?: string;
};

const n = (count: number) => count.toLocaleString("en");

/** What the site offers every petition form: the categories admins list, the days it opens by default. */
export type PetitionFormChoices = {
  policies: Array<{ id: number; title: string }>;
  categories: string[];
  defaultOpenForDays: number;
};

/**
 * The one petition form (new and edit): its text, category, the policy it asks to change, how long it
 * runs. Each field states its limits before anyone submits (the schema's own constants), with a live
 * counter once JavaScript runs.
 */
export function PetitionForm({
  choices: { policies, categories, defaultOpenForDays },
  lastResult,
  defaultValue,
  submitLabel,
  afterTitle = null,
  onTitleInput,
}: {
  choices: PetitionFormChoices;
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
  // A petition keeps a category that has left the list since: it stays its choice, said so.
  const kept = defaultValue?.category;
  const categoryOptions = [
    { value: "", label: "No category" },
    ...categories.map((category) => ({ value: category, label: category })),
    ...(kept && !categories.includes(kept)
      ? [{ value: kept, label: `${kept} (no longer in the list)` }]
      : []),
  ];
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
      <InputField
        label="Title"
        field={fields.title}
        hint={`Say what should change, in ${n(LIMITS.title.min)} to ${n(LIMITS.title.max)} characters.`}
        minLength={LIMITS.title.min}
        maxLength={LIMITS.title.max}
        after={<CharacterCount text={fields.title.value ?? ""} limits={LIMITS.title} />}
      />
      {afterTitle}
      <TextareaField
        label="What do you ask for?"
        field={fields.summary}
        rows={3}
        hint={`A short summary, ${n(LIMITS.summary.min)} to ${n(LIMITS.summary.max)} characters.`}
        minLength={LIMITS.summary.min}
        maxLength={LIMITS.summary.max}
        after={<CharacterCount text={fields.summary.value ?? ""} limits={LIMITS.summary} />}
      />
      <TextareaField
        label="Why it matters"
        field={fields.body}
        rows={12}
        hint={`At least ${n(LIMITS.body.min)} characters, at most ${n(LIMITS.body.max)}. Markdown: **bold**, _italic_, lists, links, > quotes.`}
        minLength={LIMITS.body.min}
        maxLength={LIMITS.body.max}
        after={<CharacterCount text={fields.body.value ?? ""} limits={LIMITS.body} />}
      />
      <ChoiceField
        label="Category (optional)"
        field={fields.category}
        options={categoryOptions}
        hint="The subject colleagues look for it under."
      />
      <PolicySelect field={fields.policyId} policies={policies} />
      <InputField
        label="Days open for signatures (optional)"
        field={fields.openForDays}
        type="number"
        min={LIMITS.openForDays.min}
        max={LIMITS.openForDays.max}
        hint={`Counted from the day a moderator opens it: ${n(LIMITS.openForDays.min)} to ${n(LIMITS.openForDays.max)} days. Leave empty for the site's default: ${n(defaultOpenForDays)} days.`}
      />
      <button type="submit" disabled={navigation.state === "submitting"}>
        {submitLabel}
      </button>
    </Form>
  );
}
