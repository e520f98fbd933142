import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData } from "@remix-run/react";
import { FormErrors, InputField, TextareaField } from "../components/forms";
import { policyInputSchema } from "../domain/policies/forms";
import { createPolicy } from "../domain/policies/registry.server";
import { useT } from "../i18n/translate";
import { redirectWithFlash } from "../web/flash.server";
import { wordsFor } from "../web/reader.server";
import { refusalReply } from "../web/refusal-reply.server";
import { readForm } from "../web/request.server";
import { requirePermission } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Undersigned" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "publish:policy");
  const { t } = await wordsFor(request);
  return json({ title: t("common.pageTitle", { page: t("policies.new.title") }) });
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, "publish:policy");
  const submission = parseWithZod(await readForm(request), { schema: policyInputSchema });
  if (submission.status !== "success") return json(submission.reply(), { status: 400 });
  try {
    const policy = createPolicy(submission.value, user);
    const { t } = await wordsFor(request);
    return redirectWithFlash(`/policies/${policy.slug}`, {
      kind: "success",
      message: t("policies.new.published"),
    });
  } catch (error) {
    return refusalReply(error, submission, request);
  }
}

export default function NewPolicy() {
  const lastResult = useActionData<typeof action>();
  const t = useT();
  const [form, fields] = useForm({
    lastResult,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: policyInputSchema }),
    shouldValidate: "onBlur",
  });
  return (
    <div className="stack narrow">
      <h1>{t("policies.new.title")}</h1>
      <Form method="post" className="stack card" {...getFormProps(form)}>
        <FormErrors id={form.errorId} errors={form.errors} />
        <InputField label={t("policies.field.title")} field={fields.title} />
        <TextareaField label={t("policies.field.summary")} field={fields.summary} rows={2} />
        <InputField label={t("policies.new.ownerTeam")} field={fields.ownerTeam} />
        <InputField
          label={t("policies.new.ownerEmails")}
          hint={t("policies.new.ownerEmailsHint")}
          field={fields.ownerEmails}
        />
        <TextareaField label={t("policies.new.firstText")} field={fields.body} rows={12} />
        <InputField
          label={t("policies.field.effectiveAt")}
          hint={t("policies.field.effectiveAtHint")}
          field={fields.effectiveAt}
          type="date"
        />
        <button type="submit">{t("policies.new.submit")}</button>
      </Form>
    </div>
  );
}
