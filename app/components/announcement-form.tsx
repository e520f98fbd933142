import { getFormProps, getSelectProps, parse, type SubmissionResult, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { Form } from "@remix-run/react";
import {
  announcementInputSchema,
  MAX_COMMITMENTS,
  MAX_RESPONSES,
  START_FROM_CURRENT,
} from "../domain/announcements/forms";
import { type Translate, useT } from "../i18n/translate";
import { COMMITMENT_STATUSES, STANCES } from "../vocabulary/announcements";
import { FieldErrors, FormErrors, InputField, TextareaField } from "./forms";

/** A commitment's statuses as a select offers them, in the reader's words. */
export const commitmentStatusOptions = (t: Translate) =>
  COMMITMENT_STATUSES.map((s) => ({ value: s, label: t("policies.commitmentStatus", { status: s }) }));

export type AnnouncementFormChoices = {
  petitions: Array<{ id: number; title: string; awaiting: boolean }>;
  policies: Array<{ id: number; title: string }>;
};

type Values = {
  title?: string;
  body?: string;
  responses?: Array<{ petitionId?: string; stance?: string }>;
  policyId?: string;
  policyBody?: string;
  policyChangeSummary?: string;
  policyEffectiveAt?: string;
  commitments?: Array<{ text?: string; dueAt?: string; status?: string }>;
};

const validateAnnouncement = (formData: FormData) =>
  parseWithZod(formData, { schema: announcementInputSchema });
type AnnouncementSubmission = ReturnType<typeof validateAnnouncement>;

/** Blank rows: one of each to start with; "Add a petition" / "Add a commitment" add more. */
const BLANK_RESPONSE = { petitionId: "", stance: "" };
const BLANK_COMMITMENT = { text: "", status: "planned", dueAt: "" };

/**
 * The one announcement form (new and edit): text, petitions answered, a policy version, commitments.
 * Rows are added with conform's list buttons: in the browser without a request, and without
 * JavaScript as a submit that the action answers with the same form and one more row (nothing saved).
 */
export function AnnouncementForm({
  choices,
  lastResult,
  defaultValue,
  published,
  submitLabel,
  onBehalfOf = null,
}: {
  choices: AnnouncementFormChoices;
  lastResult: SubmissionResult<string[]> | undefined;
  defaultValue?: Values;
  /** After publishing only the title and text can change. */
  published: boolean;
  submitLabel: string;
  /** Another leader's memo: their name, for the "on their behalf" box the save needs. */
  onBehalfOf?: string | null;
}) {
  const [form, fields] = useForm({
    lastResult,
    defaultValue: {
      ...defaultValue,
      responses: defaultValue?.responses?.length ? defaultValue.responses : [BLANK_RESPONSE],
      commitments: defaultValue?.commitments?.length ? defaultValue.commitments : [BLANK_COMMITMENT],
    },
    // "Start from the current text" is not a save: it goes to the server unchecked, which fills the text in.
    onValidate: ({ formData, submitter }) =>
      submitter?.getAttribute("name") === START_FROM_CURRENT
        ? // No value and no errors: conform lets the submit through without checking anything.
          (parse(formData, { resolve: () => ({ error: null }) }) as unknown as AnnouncementSubmission)
        : validateAnnouncement(formData),
    shouldValidate: "onBlur",
  });
  const t = useT();
  const responses = fields.responses.getFieldList();
  const commitments = fields.commitments.getFieldList();
  return (
    <Form method="post" className="stack" {...getFormProps(form)}>
      <FormErrors id={form.errorId} errors={form.errors} />
      <InputField label={t("policies.field.title")} field={fields.title} />
      <TextareaField label={t("policies.memoForm.body")} field={fields.body} rows={12} />
      {published ? (
        <p className="muted">{t("policies.memoForm.fixedOncePublished")}</p>
      ) : (
        <>
          <fieldset className="stack">
            <legend>{t("policies.memoForm.petitions")}</legend>
            <p className="hint">{t("policies.memoForm.petitionsHint")}</p>
            <FieldErrors id={fields.responses.errorId} errors={fields.responses.errors} />
            {responses.map((response, i) => {
              const row = response.getFieldset();
              return (
                <div className="row form-row" key={response.key}>
                  <div className="field grow">
                    <label htmlFor={row.petitionId.id}>
                      {t("policies.memoForm.petitionN", { n: i + 1 })}
                    </label>
                    <select {...getSelectProps(row.petitionId)}>
                      <option value="">—</option>
                      {choices.petitions.map((p) => (
                        <option key={p.id} value={p.id}>
                          {p.awaiting ? "⏳ " : ""}
                          {p.title}
                        </option>
                      ))}
                    </select>
                  </div>
                  <div className="field">
                    <label htmlFor={row.stance.id}>{t("policies.memoForm.stance")}</label>
                    <select {...getSelectProps(row.stance)}>
                      <option value="">—</option>
                      {STANCES.map((s) => (
                        <option key={s} value={s}>
                          {t("policies.stance", { stance: s })}
                        </option>
                      ))}
                    </select>
                  </div>
                </div>
              );
            })}
            {responses.length < MAX_RESPONSES ? (
              <button
                className="secondary"
                {...form.insert.getButtonProps({ name: fields.responses.name, defaultValue: BLANK_RESPONSE })}
              >
                {t("policies.memoForm.addPetition")}
              </button>
            ) : null}
          </fieldset>
          <fieldset className="stack">
            <legend>{t("policies.memoForm.policyVersion")}</legend>
            <div className="field">
              <label htmlFor={fields.policyId.id}>{t("policies.memoForm.policy")}</label>
              <select {...getSelectProps(fields.policyId)}>
                <option value="">{t("policies.select.none")}</option>
                {choices.policies.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.title}
                  </option>
                ))}
              </select>
            </div>
            <TextareaField
              label={t("policies.memoForm.policyBody")}
              field={fields.policyBody}
              rows={12}
              hint={t("policies.memoForm.policyBodyHint")}
            />
            <div>
              <button type="submit" name={START_FROM_CURRENT} value="on" className="secondary" formNoValidate>
                {t("policies.memoForm.startFromCurrent")}
              </button>
            </div>
            <InputField label={t("policies.field.changeSummary")} field={fields.policyChangeSummary} />
            <InputField
              label={t("policies.field.effectiveAt")}
              hint={t("policies.field.effectiveAtHint")}
              field={fields.policyEffectiveAt}
              type="date"
            />
          </fieldset>
          <fieldset className="stack">
            <legend>{t("policies.memoForm.commitments")}</legend>
            {commitments.map((commitment, i) => {
              const row = commitment.getFieldset();
              return (
                <div className="row form-row" key={commitment.key}>
                  <div className="grow">
                    <InputField label={t("policies.memoForm.commitmentN", { n: i + 1 })} field={row.text} />
                  </div>
                  <div className="field">
                    <label htmlFor={row.status.id}>{t("policies.inbox.status")}</label>
                    <select {...getSelectProps(row.status)}>
                      {commitmentStatusOptions(t).map((option) => (
                        <option key={option.value} value={option.value}>
                          {option.label}
                        </option>
                      ))}
                    </select>
                  </div>
                  <InputField
                    label={t("policies.memoForm.due")}
                    hint={t("policies.memoForm.dueHint")}
                    field={row.dueAt}
                    type="date"
                  />
                </div>
              );
            })}
            {commitments.length < MAX_COMMITMENTS ? (
              <button
                className="secondary"
                {...form.insert.getButtonProps({
                  name: fields.commitments.name,
                  defaultValue: BLANK_COMMITMENT,
                })}
              >
                {t("policies.memoForm.addCommitment")}
              </button>
            ) : null}
          </fieldset>
        </>
      )}
      {onBehalfOf ? <OnBehalfBox author={onBehalfOf} id="onBehalf-edit" /> : null}
      <div className="row">
        <button type="submit">{submitLabel}</button>
      </div>
    </Form>
  );
}

/** The box a leader ticks to act on another leader's memo: the memo then shows that they did. */
export function OnBehalfBox({ author, id }: { author: string; id: string }) {
  const t = useT();
  return (
    <div className="checkbox">
      <input type="checkbox" id={id} name="onBehalf" value="on" required />
      <label htmlFor={id}>{t("policies.memoForm.onBehalf", { author })}</label>
    </div>
  );
}
