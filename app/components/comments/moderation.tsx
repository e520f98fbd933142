import { useT } from "../../i18n/translate";
import { TextareaField } from "../forms";
import { Disclosure, FetcherButton, ValidatedForm, type View } from "./form-kit";

/**
 * A moderator's controls on one comment, all buttons alike: hide (opens its reason form), restore,
 * dismiss its reports.
 */
export function ModerationControls({ comment, action }: { comment: View; action: string }) {
  const t = useT();
  return (
    <>
      {comment.can.hide ? (
        <Disclosure commentId={comment.id} name="hide" summary={t("discussion.moderate.hide")} asButton>
          {(close) => (
            <ValidatedForm
              id={`hide-${comment.id}`}
              action={action}
              intent="hide"
              schema="hideComment"
              submitLabel={t("discussion.moderate.hideSubmit")}
              submitClass="danger"
              onDone={close}
            >
              {(fields) => (
                <TextareaField label={t("discussion.moderate.hideReason")} field={fields.reason} rows={2} />
              )}
            </ValidatedForm>
          )}
        </Disclosure>
      ) : null}
      {comment.can.restore ? (
        <FetcherButton action={action} intent="restore" label={t("discussion.moderate.restore")} />
      ) : null}
      {comment.can.dismiss ? (
        <FetcherButton action={action} intent="dismiss" label={t("discussion.moderate.dismiss")} />
      ) : null}
    </>
  );
}
