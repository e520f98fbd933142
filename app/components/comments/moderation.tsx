import { TextareaField } from "../forms";
import { Disclosure, FetcherButton, ValidatedForm, type View } from "./form-kit";

/**
 * A moderator's controls on one comment, all buttons alike: hide (opens its reason form), restore,
 * dismiss its reports.
 */
export function ModerationControls({ comment, action }: { comment: View; action: string }) {
  return (
    <>
      {comment.can.hide ? (
        <Disclosure commentId={comment.id} name="hide" summary="Hide" asButton>
          {(close) => (
            <ValidatedForm
              id={`hide-${comment.id}`}
              action={action}
              intent="hide"
              schema="hideComment"
              submitLabel="Hide comment"
              submitClass="danger"
              onDone={close}
            >
              {(fields) => (
                <TextareaField label="Reason (sent to the author)" field={fields.reason} rows={2} />
              )}
            </ValidatedForm>
          )}
        </Disclosure>
      ) : null}
      {comment.can.restore ? <FetcherButton action={action} intent="restore" label="Restore" /> : null}
      {comment.can.dismiss ? (
        <FetcherButton action={action} intent="dismiss" label="Dismiss reports" />
      ) : null}
    </>
  );
}
