import { getFormProps, useForm } from "@conform-to/react";
import { Form, Link } from "@remix-run/react";
import type { TransitionAction } from "../../domain/petitions/rights.server";
import { useFormat } from "../../i18n/format";
import { useT } from "../../i18n/translate";
import { REJECTION_REASONS } from "../../vocabulary/petitions";
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
  const t = useT();
  const format = useFormat();
  if (!viewer.isModerator) return null;
  if (viewer.standsAside) {
    return (
      <section className="card stack" aria-labelledby="moderation-title">
        <h2 id="moderation-title">{t("petition.moderator.title")}</h2>
        <p>{t("petition.moderator.standsAside")}</p>
      </section>
    );
  }
  const step = (name: TransitionAction, label: string, className = "secondary") => (
    <PageActionButton intent="transition" step={name} label={label} className={className} />
  );
  return (
    <section className="card stack" aria-labelledby="moderation-title">
      <h2 id="moderation-title">{t("petition.moderator.title")}</h2>
      {viewer.transitions.includes("approve") ? step("approve", t("petition.moderator.approve"), "") : null}
      {viewer.transitions.includes("reject") ? <RejectForm /> : null}
      {petition.closeRequest ? (
        <p>
          {t("petition.moderator.closeAsked", {
            day: format.utcDay(petition.closeRequest.on),
            reason: petition.closeRequest.reason,
          })}
        </p>
      ) : null}
      {viewer.transitions.includes("close")
        ? step("close", t("petition.organizer.closeEarly"), "danger")
        : null}
      {viewer.transitions.includes("archive") ? step("archive", t("petition.moderator.archive")) : null}
      {viewer.transitions.includes("hide") ? <HideForm /> : null}
      {viewer.transitions.includes("unhide") ? step("unhide", t("petition.moderator.unhide")) : null}
      {viewer.canEdit || viewer.canInvalidate ? (
        <p>
          {viewer.canEdit ? (
            <Link to={`/petitions/${petition.slug}/edit`}>{t("petition.edit.fixTypos")}</Link>
          ) : null}
          {viewer.canEdit && viewer.canInvalidate ? " · " : null}
          {viewer.canInvalidate ? (
            <Link to={`/petitions/${petition.slug}/invalidate`}>{t("petition.invalidate.title")}</Link>
          ) : null}
        </p>
      ) : null}
    </section>
  );
}

/** A moderator approves a creator's request that leadership respond at one of their milestones. */
export function ApproveResponseButton({ milestoneId }: { milestoneId: number }) {
  const t = useT();
  return (
    <PageActionButton
      intent="approve-response"
      instance={{ name: "milestoneId", value: String(milestoneId) }}
      label={t("petition.moderator.approveResponse")}
      className="secondary"
    />
  );
}

/** A moderator's rejection, with the reason the organizers are told. */
function RejectForm() {
  const t = useT();
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
        label={t("petition.moderator.rejectReason")}
        field={fields.reason}
        placeholder={t("petition.moderator.chooseReason")}
        options={REJECTION_REASONS.map((r) => ({ value: r, label: t(`petition.rejection.${r}`) }))}
      />
      <TextareaField label={t("petition.moderator.rejectNote")} field={fields.note} rows={2} />
      <button type="submit" name="intent" value="transition" className="danger">
        {t("petition.moderator.reject")}
      </button>
    </Form>
  );
}

/** A moderator hides an open or closed petition from lists, with a reason shown on it. */
function HideForm() {
  const t = useT();
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
      <InputField label={t("petition.moderator.hideReason")} field={fields.reason} />
      <button type="submit" name="intent" value="transition" className="danger">
        {t("petition.moderator.hide")}
      </button>
    </Form>
  );
}
