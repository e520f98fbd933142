import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { Form, Link } from "@remix-run/react";
import { formatDate } from "../format";
import { FormErrors, InputField, PageActionButton, TextareaField, useActionResultFor } from "../forms";
import { useLazyValidation } from "../validation";
import type { PetitionPageData } from "./page-data";

/**
 * What the petition's organizers (and would-be co-sponsors) do on its page: co-sponsor it or drop a
 * co-sponsor, send the draft on, add a milestone, ask the moderators to close it early.
 */
export function OrganizerPanel({
  petition,
  viewer,
  coSponsors,
}: Pick<PetitionPageData, "petition" | "viewer" | "coSponsors">) {
  const showCoSponsors =
    ["collecting", "awaiting_moderation"].includes(petition.state) || coSponsors.length > 0;
  return (
    <>
      {showCoSponsors ? (
        <section className="card" aria-labelledby="sponsors-title">
          <h2 id="sponsors-title">Co-sponsors</h2>
          <p>
            {coSponsors.length} of {petition.coSponsorsRequired} needed
            {coSponsors.length && !viewer.canDropCoSponsors
              ? `: ${coSponsors.map((s) => s.name ?? "A colleague").join(", ")}`
              : ""}
            .
          </p>
          <p className="muted">Co-sponsors endorse the petition so it can open; they do not organize it.</p>
          {viewer.canDropCoSponsors && coSponsors.length ? (
            <ul>
              {coSponsors.map((s) => (
                <li key={s.personId}>
                  {s.name ?? "A colleague"}{" "}
                  {s.personId !== null ? (
                    <PageActionButton
                      intent="drop-co-sponsor"
                      instance={{ name: "personId", value: String(s.personId) }}
                      label={`Drop ${s.name ?? "this co-sponsor"}`}
                      className="link-button"
                    />
                  ) : null}
                </li>
              ))}
            </ul>
          ) : null}
          {viewer.transitions.includes("co-sponsor") ? (
            <PageActionButton
              intent="transition"
              step="co-sponsor"
              label="Co-sponsor this petition"
              className=""
            />
          ) : null}
          {petition.state === "collecting" && viewer.isCreator ? (
            <p className="muted">Share this page&apos;s address with colleagues so they can co-sponsor it.</p>
          ) : null}
        </section>
      ) : null}
      {viewer.transitions.includes("submit") ? (
        <section className="card stack" aria-labelledby="draft-title">
          <h2 id="draft-title">Your draft</h2>
          {viewer.canEdit ? (
            <p>
              <Link to={`/petitions/${petition.slug}/edit`}>Edit the draft</Link>
            </p>
          ) : null}
          <PageActionButton intent="transition" step="submit" label="Send for co-sponsors" className="" />
        </section>
      ) : null}
      {viewer.canAddMilestone ? <MilestoneForm /> : null}
      {viewer.isCreator && petition.closeRequest ? (
        <p className="card">
          You asked the moderators to close this petition early on {formatDate(petition.closeRequest.on)}; a
          moderator decides.
        </p>
      ) : null}
      {viewer.transitions.includes("request-close") ? <CloseRequestForm /> : null}
    </>
  );
}

/** The creator asks moderators to close the petition early: a moderator closes it (or not). */
function CloseRequestForm() {
  const [form, fields] = useForm({
    id: "transition-request-close",
    lastResult: useActionResultFor("transition", "request-close"),
    onValidate: useLazyValidation("closeRequestStep"),
    shouldValidate: "onBlur",
  });
  return (
    <section className="card" aria-labelledby="close-request-title">
      <h2 id="close-request-title">Close early</h2>
      <Form method="post" className="stack" {...getFormProps(form)}>
        <FormErrors id={form.errorId} errors={form.errors} />
        <input type="hidden" name="step" value="request-close" />
        <TextareaField
          label="Why should it close now?"
          hint="Moderators decide whether to close it before its date; they read your reason."
          field={fields.reason}
          rows={2}
        />
        <button type="submit" name="intent" value="transition" className="secondary">
          Ask the moderators to close it
        </button>
      </Form>
    </section>
  );
}

/** The creator's own milestone, before the petition opens. */
function MilestoneForm() {
  const [form, fields] = useForm({
    id: "add-milestone",
    lastResult: useActionResultFor("add-milestone"),
    defaultValue: { responseDays: "14" },
    onValidate: useLazyValidation("milestone"),
    shouldValidate: "onBlur",
  });
  return (
    <section className="card" aria-labelledby="add-milestone-title">
      <h2 id="add-milestone-title">Add a milestone</h2>
      <Form method="post" className="stack" {...getFormProps(form)}>
        <FormErrors id={form.errorId} errors={form.errors} />
        <InputField label="Signatures" field={fields.threshold} type="number" />
        <div className="checkbox">
          <input {...getInputProps(fields.responseRequired, { type: "checkbox" })} value="on" />
          <label htmlFor={fields.responseRequired.id}>Requires a response from leadership</label>
        </div>
        <InputField label="Days to respond" field={fields.responseDays} type="number" />
        <button type="submit" name="intent" value="add-milestone" className="secondary">
          Add milestone
        </button>
      </Form>
    </section>
  );
}
