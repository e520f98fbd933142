import { getFormProps, useForm } from "@conform-to/react";
import { Form, Link } from "@remix-run/react";
import type { TransitionAction } from "../../domain/petitions/rights.server";
import { REJECTION_LABELS, REJECTION_REASONS } from "../../vocabulary/petitions";
import { formatDate } from "../format";
import {
  ChoiceField,
  FormErrors,
  InputField,
  PageActionButton,
  TextareaField,
  useActionResultFor,
} from "../forms";
import { useLazyValidation } from "../validation";
import type { PetitionPageData } from "./page-data";

/** What a moderator does on the petition's page: its steps, and the links to fix typos or invalidate. */
export function ModeratorPanel({ petition, viewer }: Pick<PetitionPageData, "petition" | "viewer">) {
  if (!viewer.isModerator) return null;
  if (viewer.standsAside) {
    return (
      <section className="card stack" aria-labelledby="moderation-title">
        <h2 id="moderation-title">Moderation</h2>
        <p>
          You started, co-sponsor or co-organize this petition, so other moderators handle its moderation.
        </p>
      </section>
    );
  }
  const step = (name: TransitionAction, label: string, className = "secondary") => (
    <PageActionButton intent="transition" step={name} label={label} className={className} />
  );
  return (
    <section className="card stack" aria-labelledby="moderation-title">
      <h2 id="moderation-title">Moderation</h2>
      {viewer.transitions.includes("approve") ? step("approve", "Approve and open", "") : null}
      {viewer.transitions.includes("reject") ? <RejectForm /> : null}
      {petition.closeRequest ? (
        <p>
          Its creator asked on {formatDate(petition.closeRequest.on)} to close it early:{" "}
          {petition.closeRequest.reason}
        </p>
      ) : null}
      {viewer.transitions.includes("close") ? step("close", "Close early", "danger") : null}
      {viewer.transitions.includes("archive") ? step("archive", "Archive") : null}
      {viewer.transitions.includes("hide") ? <HideForm /> : null}
      {viewer.transitions.includes("unhide") ? step("unhide", "Show again") : null}
      {viewer.canEdit || viewer.canInvalidate ? (
        <p>
          {viewer.canEdit ? <Link to={`/petitions/${petition.slug}/edit`}>Fix typos</Link> : null}
          {viewer.canEdit && viewer.canInvalidate ? " · " : null}
          {viewer.canInvalidate ? (
            <Link to={`/petitions/${petition.slug}/invalidate`}>Invalidate signatures</Link>
          ) : null}
        </p>
      ) : null}
    </section>
  );
}

/** A moderator approves a creator's request that leadership respond at one of their milestones. */
export function ApproveResponseButton({ milestoneId }: { milestoneId: number }) {
  return (
    <PageActionButton
      intent="approve-response"
      instance={{ name: "milestoneId", value: String(milestoneId) }}
      label="Approve this response obligation"
      className="secondary"
    />
  );
}

/** A moderator's rejection, with the reason the organizers are told. */
function RejectForm() {
  const [form, fields] = useForm({
    id: "transition-reject",
    lastResult: useActionResultFor("transition", "reject"),
    onValidate: useLazyValidation("rejectStep"),
    shouldValidate: "onBlur",
  });
  return (
    <Form method="post" className="stack" {...getFormProps(form)}>
      <FormErrors id={form.errorId} errors={form.errors} />
      <input type="hidden" name="step" value="reject" />
      <ChoiceField
        label="Reason for rejecting"
        field={fields.reason}
        placeholder="Choose a reason"
        options={REJECTION_REASONS.map((r) => ({ value: r, label: REJECTION_LABELS[r] }))}
      />
      <TextareaField label="Note to the organizers (optional)" field={fields.note} rows={2} />
      <button type="submit" name="intent" value="transition" className="danger">
        Reject
      </button>
    </Form>
  );
}

/** A moderator hides an open or closed petition from lists, with a reason shown on it. */
function HideForm() {
  const [form, fields] = useForm({
    id: "transition-hide",
    lastResult: useActionResultFor("transition", "hide"),
    onValidate: useLazyValidation("hideStep"),
    shouldValidate: "onBlur",
  });
  return (
    <Form method="post" className="stack" {...getFormProps(form)}>
      <FormErrors id={form.errorId} errors={form.errors} />
      <input type="hidden" name="step" value="hide" />
      <InputField label="Reason for hiding" field={fields.reason} />
      <button type="submit" name="intent" value="transition" className="danger">
        Hide from lists
      </button>
    </Form>
  );
}
