import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData } from "@remix-run/react";
import { FormErrors, InputField, TextareaField } from "../components/forms";
import { policyInputSchema } from "../domain/policies/forms";
import { createPolicy } from "../domain/policies/registry.server";
import { redirectWithFlash } from "../web/flash.server";
import { refusalReply } from "../web/refusal-reply.server";
import { readForm } from "../web/request.server";
import { requirePermission } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction = () => [{ title: "New policy · Undersigned" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "publish:policy");
  return json({});
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, "publish:policy");
  const submission = parseWithZod(await readForm(request), { schema: policyInputSchema });
  if (submission.status !== "success") return json(submission.reply(), { status: 400 });
  try {
    const policy = createPolicy(submission.value, user);
    return redirectWithFlash(`/policies/${policy.slug}`, { kind: "success", message: "Policy published." });
  } catch (error) {
    return refusalReply(error, submission, request);
  }
}

export default function NewPolicy() {
  const lastResult = useActionData<typeof action>();
  const [form, fields] = useForm({
    lastResult,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: policyInputSchema }),
    shouldValidate: "onBlur",
  });
  return (
    <div className="stack narrow">
      <h1>New policy</h1>
      <Form method="post" className="stack card" {...getFormProps(form)}>
        <FormErrors id={form.errorId} errors={form.errors} />
        <InputField label="Title" field={fields.title} />
        <TextareaField label="Summary" field={fields.summary} rows={2} />
        <InputField label="Owning team (optional)" field={fields.ownerTeam} />
        <InputField
          label="Owners' emails (optional)"
          hint="People who answer for the policy, comma separated; they must be in the directory."
          field={fields.ownerEmails}
        />
        <TextareaField label="Text of version 1 (markdown)" field={fields.body} rows={12} />
        <InputField label="Takes effect on" field={fields.effectiveAt} type="date" />
        <button type="submit">Publish the policy</button>
      </Form>
    </div>
  );
}
