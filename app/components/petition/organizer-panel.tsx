import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { Form, Link } from "@remix-run/react";
import { useFormat } from "../../i18n/format";
import { useT } from "../../i18n/translate";
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
  const t = useT();
  const format = useFormat();
  const showCoSponsors =
    ["collecting", "awaiting_moderation"].includes(petition.state) || coSponsors.length > 0;
  return (
    <>
      {showCoSponsors ? (
        <section className="card" aria-labelledby="sponsors-title">
          <h2 id="sponsors-title">{t("petition.organizer.coSponsors")}</h2>
          <p>
            {coSponsors.length && !viewer.canDropCoSponsors
              ? t("petition.organizer.neededNamed", {
                  count: coSponsors.length,
                  required: petition.coSponsorsRequired,
                  names: coSponsors.map((s) => s.name ?? t("petition.aColleague")).join(", "),
                })
              : t("petition.organizer.needed", {
                  count: coSponsors.length,
                  required: petition.coSponsorsRequired,
                })}
          </p>
          <p className="muted">{t("petition.organizer.coSponsorsExplain")}</p>
          {viewer.canDropCoSponsors && coSponsors.length ? (
            <ul>
              {coSponsors.map((s) => (
                <li key={s.personId}>
                  {s.name ?? t("petition.aColleague")}{" "}
                  {s.personId !== null ? (
                    <PageActionButton
                      intent="drop-co-sponsor"
                      instance={{ name: "personId", value: String(s.personId) }}
                      label={
                        s.name
                          ? t("petition.organizer.drop", { name: s.name })
                          : t("petition.organizer.dropThis")
                      }
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
              label={t("petition.organizer.coSponsor")}
              className=""
            />
          ) : null}
          {petition.state === "collecting" && viewer.isCreator ? (
            <p className="muted">{t("petition.organizer.share")}</p>
          ) : null}
        </section>
      ) : null}
      {viewer.transitions.includes("submit") ? (
        <section className="card stack" aria-labelledby="draft-title">
          <h2 id="draft-title">{t("petition.organizer.yourDraft")}</h2>
          {viewer.canEdit ? (
            <p>
              <Link to={`/petitions/${petition.slug}/edit`}>{t("petition.edit.editDraft")}</Link>
            </p>
          ) : null}
          <PageActionButton
            intent="transition"
            step="submit"
            label={t("petition.organizer.send")}
            className=""
          />
        </section>
      ) : null}
      {viewer.canAddMilestone ? <MilestoneForm /> : null}
      {viewer.isCreator && petition.closeRequest ? (
        <p className="card">
          {t("petition.organizer.closeAsked", { day: format.utcDay(petition.closeRequest.on) })}
        </p>
      ) : null}
      {viewer.transitions.includes("request-close") ? <CloseRequestForm /> : null}
    </>
  );
}

/** The creator asks moderators to close the petition early: a moderator closes it (or not). */
function CloseRequestForm() {
  const t = useT();
  const [form, fields] = useForm({
    id: "transition-request-close",
    lastResult: useActionResultFor("transition", "request-close"),
    onValidate: useLazyValidation("closeRequestStep"),
    shouldValidate: "onBlur",
  });
  return (
    <section className="card" aria-labelledby="close-request-title">
      <h2 id="close-request-title">{t("petition.organizer.closeEarly")}</h2>
      <Form method="post" className="stack" {...getFormProps(form)}>
        <FormErrors id={form.errorId} errors={form.errors} />
        <input type="hidden" name="step" value="request-close" />
        <TextareaField
          label={t("petition.organizer.closeWhy")}
          hint={t("petition.organizer.closeHint")}
          field={fields.reason}
          rows={2}
        />
        <button type="submit" name="intent" value="transition" className="secondary">
          {t("petition.organizer.closeAsk")}
        </button>
      </Form>
    </section>
  );
}

/** The creator's own milestone, before the petition opens. */
function MilestoneForm() {
  const t = useT();
  const [form, fields] = useForm({
    id: "add-milestone",
    lastResult: useActionResultFor("add-milestone"),
    defaultValue: { responseDays: "14" },
    onValidate: useLazyValidation("milestone"),
    shouldValidate: "onBlur",
  });
  return (
    <section className="card" aria-labelledby="add-milestone-title">
      <h2 id="add-milestone-title">{t("petition.organizer.addMilestoneTitle")}</h2>
      <Form method="post" className="stack" {...getFormProps(form)}>
        <FormErrors id={form.errorId} errors={form.errors} />
        <InputField label={t("petition.page.signatures")} field={fields.threshold} type="number" />
        <div className="checkbox">
          <input {...getInputProps(fields.responseRequired, { type: "checkbox" })} value="on" />
          <label htmlFor={fields.responseRequired.id}>{t("petition.organizer.responseRequired")}</label>
        </div>
        <InputField label={t("petition.organizer.responseDays")} field={fields.responseDays} type="number" />
        <button type="submit" name="intent" value="add-milestone" className="secondary">
          {t("petition.organizer.addMilestone")}
        </button>
      </Form>
    </section>
  );
}
