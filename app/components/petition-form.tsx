import { getFormProps, type SubmissionResult, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { Form, useNavigation } from "@remix-run/react";
import type { ReactNode } from "react";
import { PETITION_LIMITS as LIMITS, petitionInputSchema } from "../domain/petitions/forms";
import { useT } from "../i18n/translate";
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
  const t = useT();
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
    { value: "", label: t("petition.form.noCategory") },
    ...categories.map((category) => ({ value: category, label: category })),
    ...(kept && !categories.includes(kept)
      ? [{ value: kept, label: t("petition.form.categoryNoLonger", { category: kept }) }]
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
        label={t("petition.form.title")}
        field={fields.title}
        hint={t("petition.form.titleHint", { min: LIMITS.title.min, max: LIMITS.title.max })}
        minLength={LIMITS.title.min}
        maxLength={LIMITS.title.max}
        after={<CharacterCount text={fields.title.value ?? ""} limits={LIMITS.title} />}
      />
      {afterTitle}
      <TextareaField
        label={t("petition.form.summary")}
        field={fields.summary}
        rows={3}
        hint={t("petition.form.summaryHint", { min: LIMITS.summary.min, max: LIMITS.summary.max })}
        minLength={LIMITS.summary.min}
        maxLength={LIMITS.summary.max}
        after={<CharacterCount text={fields.summary.value ?? ""} limits={LIMITS.summary} />}
      />
      <TextareaField
        label={t("petition.form.body")}
        field={fields.body}
        rows={12}
        hint={t("petition.form.bodyHint", { min: LIMITS.body.min, max: LIMITS.body.max })}
        minLength={LIMITS.body.min}
        maxLength={LIMITS.body.max}
        after={<CharacterCount text={fields.body.value ?? ""} limits={LIMITS.body} />}
      />
      <ChoiceField
        label={t("petition.form.category")}
        field={fields.category}
        options={categoryOptions}
        hint={t("petition.form.categoryHint")}
      />
      <PolicySelect field={fields.policyId} policies={policies} />
      <InputField
        label={t("petition.form.openForDays")}
        field={fields.openForDays}
        type="number"
        min={LIMITS.openForDays.min}
        max={LIMITS.openForDays.max}
        hint={t("petition.form.openForDaysHint", {
          min: LIMITS.openForDays.min,
          max: LIMITS.openForDays.max,
          days: defaultOpenForDays,
        })}
      />
      <button type="submit" disabled={navigation.state === "submitting"}>
        {submitLabel}
      </button>
    </Form>
  );
}
