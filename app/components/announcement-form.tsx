import { getFormProps, getSelectProps, parse, type SubmissionResult, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { Form } from "@remix-run/react";
import {
  announcementInputSchema,
  MAX_COMMITMENTS,
  MAX_RESPONSES,
  START_FROM_CURRENT,
} from "../domain/announcements/forms";
import {
  COMMITMENT_STATUS_LABELS,
  COMMITMENT_STATUSES,
  STANCE_LABELS,
  STANCES,
} from "../vocabulary/announcements";
import { FieldErrors, FormErrors, InputField, TextareaField } from "./forms";

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
              Petitions marked ⏳ await a response.
            </p>
            <FieldErrors id={fields.responses.errorId} errors={fields.responses.errors} />
            {responses.map((response, i) => {
              const row = response.getFieldset();
              return (
                <div className="row form-row" key={response.key}>
                  <div className="field grow">
                    <label htmlFor={row.petitionId.id}>Petition {i + 1}</label>
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
                    <label htmlFor={row.stance.id}>Stance</label>
                    <select {...getSelectProps(row.stance)}>
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
            {responses.length < MAX_RESPONSES ? (
              <button
                className="secondary"
                {...form.insert.getButtonProps({ name: fields.responses.name, defaultValue: BLANK_RESPONSE })}
              >
                Add a petition
              </button>
            ) : null}
          </fieldset>
          <fieldset className="stack">
            <legend>A new policy version (optional)</legend>
            <div className="field">
              <label htmlFor={fields.policyId.id}>Policy</label>
              <select {...getSelectProps(fields.policyId)}>
                <option value="">— none —</option>
                {choices.policies.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.title}
                  </option>
                ))}
              </select>
            </div>
            <TextareaField
              label="New version's full text (markdown)"
              field={fields.policyBody}
              rows={12}
              hint="Start from the policy's current text and change what changes: the memo shows the differences."
            />
            <div>
              <button type="submit" name={START_FROM_CURRENT} value="on" className="secondary" formNoValidate>
                Start from the chosen policy's current text
              </button>
            </div>
            <InputField label="What changes" field={fields.policyChangeSummary} />
            <InputField label="Takes effect on" field={fields.policyEffectiveAt} type="date" />
          </fieldset>
          <fieldset className="stack">
            <legend>Commitments (optional)</legend>
            {commitments.map((commitment, i) => {
              const row = commitment.getFieldset();
              return (
                <div className="row form-row" key={commitment.key}>
                  <div className="grow">
                    <InputField label={`Commitment ${i + 1}`} field={row.text} />
                  </div>
                  <div className="field">
                    <label htmlFor={row.status.id}>Status</label>
                    <select {...getSelectProps(row.status)}>
                      {COMMITMENT_STATUS_OPTIONS.map((option) => (
                        <option key={option.value} value={option.value}>
                          {option.label}
                        </option>
                      ))}
                    </select>
                  </div>
                  <InputField label="Due (optional)" field={row.dueAt} type="date" />
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
                Add a commitment
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
  return (
    <div className="checkbox">
      <input type="checkbox" id={id} name="onBehalf" value="on" required />
      <label htmlFor={id}>
        I act on behalf of {author}, who wrote this memo (the memo will say so, and the audit log records it)
      </label>
    </div>
  );
}
