import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { FormErrors, InputField, TextareaField } from "../components/forms";
import { PolicySelect } from "../components/policy-select";
import type { User } from "../domain/identity/sessions.server";
import { savePetitionEdit } from "../domain/petitions/drafting.server";
import { petitionInputSchema } from "../domain/petitions/forms";
import { findViewablePetition } from "../domain/petitions/reads.server";
import { editRefusalFor } from "../domain/petitions/standing.server";
import { policyChoices } from "../domain/policies/registry.server";
import { redirectWithFlash } from "../web/flash.server";
import { notFound, refusalReply, refuseIf } from "../web/refusal-reply.server";
import { readForm } from "../web/request.server";
import { requireUser } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction = () => [{ title: "Edit petition · Undersigned" }];

/**
 * The creator while it is a draft; moderators afterwards (typo fixes, audited). A petition this person
 * cannot see is a 404, as on its page: a 403 would confirm that a draft with that title exists.
 */
function editable(slug: string | undefined, user: User) {
  const petition = findViewablePetition(slug ?? "", user);
  if (!petition) notFound("There is no petition at this address.");
  refuseIf(editRefusalFor(petition, user));
  return petition;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const petition = editable(params.slug, user);
  return json({ petition, moderatorFix: petition.state !== "draft", policies: policyChoices() });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const petition = editable(params.slug, user);
  const submission = parseWithZod(await readForm(request), { schema: petitionInputSchema });
  if (submission.status !== "success") return json(submission.reply(), { status: 400 });
  try {
    await savePetitionEdit(petition.id, submission.value, user);
  } catch (error) {
    return refusalReply(error, submission);
  }
  return redirectWithFlash(`/petitions/${petition.slug}`, { kind: "success", message: "Saved." });
}

export default function EditPetition() {
  const { petition, moderatorFix, policies } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const [form, fields] = useForm({
    lastResult,
    defaultValue: {
      title: petition.title,
      summary: petition.summary,
      body: petition.body,
      category: petition.category ?? "",
      policyId: petition.policyId ? String(petition.policyId) : "",
      openForDays: String(petition.openForDays),
    },
    onValidate: ({ formData }) => parseWithZod(formData, { schema: petitionInputSchema }),
    shouldRevalidate: "onInput",
  });
  return (
    <>
      <p>
        <Link to={`/petitions/${petition.slug}`}>← Back to the petition</Link>
      </p>
      <h1>{moderatorFix ? "Fix typos" : "Edit the draft"}</h1>
      {moderatorFix ? (
        <p className="flash flash-info">
          This petition is past its draft: only fix typos. The earlier text is kept in the audit log.
        </p>
      ) : null}
      <Form method="post" className="card" {...getFormProps(form)}>
        <FormErrors id={form.errorId} errors={form.errors} />
        <InputField label="Title" field={fields.title} />
        <TextareaField label="What do you ask for?" field={fields.summary} rows={3} />
        <TextareaField label="Why it matters" field={fields.body} rows={12} />
        <InputField label="Category (optional)" field={fields.category} />
        <PolicySelect field={fields.policyId} policies={policies} />
        <InputField
          label="Days open for signatures (optional)"
          field={fields.openForDays}
          type="number"
          hint="Counted from the day a moderator opens it. Leave empty for the site's default."
        />
        <button type="submit">Save</button>
      </Form>
    </>
  );
}
