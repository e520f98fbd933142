import { getFormProps, type SubmissionResult, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { Form } from "@remix-run/react";
import { announcementInputSchema, COMMITMENT_ROWS, RESPONSE_ROWS } from "../domain/announcements/forms";
import {
  COMMITMENT_STATUS_LABELS,
  COMMITMENT_STATUSES,
  STANCE_LABELS,
  STANCES,
} from "../vocabulary/announcements";
import { FieldErrors, FormErrors, InputField, SelectField, TextareaField } from "./forms";

export const COMMITMENT_STATUS_OPTIONS = COMMITMENT_STATUSES.map((s) => ({
  value: s,
  label: COMMITMENT_STATUS_LABELS[s],
}));

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

/** The one announcement form (new and edit): text, petitions answered, a policy version, commitments. */
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
    defaultValue,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: announcementInputSchema }),
    shouldValidate: "onBlur",
  });
  const responses = fields.responses.getFieldList();
  const commitments = fields.commitments.getFieldList();
  return (
    <Form method="post" className="stack" {...getFormProps(form)}>
      <FormErrors id={form.errorId} errors={form.errors} />
      <InputField label="Title" field={fields.title} />
      <TextareaField label="Text (markdown)" field={fields.body} rows={12} />
      {published ? (
        <p className="muted">
          Published: the petitions answered, the policy version and commitments are fixed.
        </p>
      ) : (
        <>
          <fieldset className="stack">
            <legend>Petitions this answers</legend>
            <p className="hint">
              Each answers the response-required milestones its petition has reached when this is published.
            </p>
            <FieldErrors id={fields.responses.errorId} errors={fields.responses.errors} />
            {Array.from({ length: RESPONSE_ROWS }, (_, i) => {
              const row = responses[i]?.getFieldset();
              return (
                // biome-ignore lint/suspicious/noArrayIndexKey: fixed rows
                <div className="row" key={i}>
                  <div className="field">
                    <label htmlFor={`response-${i}-petition`}>Petition {i + 1}</label>
                    <select
                      id={`response-${i}-petition`}
                      name={`responses[${i}].petitionId`}
                      defaultValue={String(row?.petitionId.initialValue ?? "")}
                    >
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
                    <label htmlFor={`response-${i}-stance`}>Stance</label>
                    <select
                      id={`response-${i}-stance`}
                      name={`responses[${i}].stance`}
                      defaultValue={String(row?.stance.initialValue ?? "")}
                    >
                      <option value="">—</option>
                      {STANCES.map((s) => (
                        <option key={s} value={s}>
                          {STANCE_LABELS[s]}
                        </option>
                      ))}
                    </select>
                  </div>
                </div>
              );
            })}
          </fieldset>
          <fieldset className="stack">
            <legend>A new policy version (optional)</legend>
            <div className="field">
              <label htmlFor="policyId">Policy</label>
              <select id="policyId" name="policyId" defaultValue={String(fields.policyId.initialValue ?? "")}>
                <option value="">— none —</option>
                {choices.policies.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.title}
                  </option>
                ))}
              </select>
            </div>
            <TextareaField label="New version's full text (markdown)" field={fields.policyBody} rows={8} />
            <InputField label="What changes" field={fields.policyChangeSummary} />
            <InputField label="Takes effect on" field={fields.policyEffectiveAt} type="date" />
          </fieldset>
          <fieldset className="stack">
            <legend>Commitments (optional)</legend>
            {Array.from({ length: COMMITMENT_ROWS }, (_, i) => {
              const row = commitments[i]?.getFieldset();
              return (
                // biome-ignore lint/suspicious/noArrayIndexKey: fixed rows
                <div className="row" key={i}>
                  <div className="field grow">
                    <label htmlFor={`commitment-${i}-text`}>Commitment {i + 1}</label>
                    <input
                      id={`commitment-${i}-text`}
                      name={`commitments[${i}].text`}
                      defaultValue={String(row?.text.initialValue ?? "")}
                    />
                  </div>
                  <SelectField
                    id={`commitment-${i}-status`}
                    label="Status"
                    name={`commitments[${i}].status`}
                    defaultValue={String(row?.status.initialValue ?? "planned")}
                    options={COMMITMENT_STATUS_OPTIONS}
                  />
                  <div className="field">
                    <label htmlFor={`commitment-${i}-due`}>Due (optional)</label>
                    <input
                      id={`commitment-${i}-due`}
                      type="date"
                      name={`commitments[${i}].dueAt`}
                      defaultValue={String(row?.dueAt.initialValue ?? "")}
                    />
                  </div>
                </div>
              );
            })}
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
  return (
    <div className="checkbox">
      <input type="checkbox" id={id} name="onBehalf" value="on" required />
      <label htmlFor={id}>
        I act on behalf of {author}, who wrote this memo (the memo will say so, and the audit log records it)
      </label>
    </div>
  );
}
