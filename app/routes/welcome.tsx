import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { InputField } from "../components/forms";
import { displayNameRefusal, setDisplayName } from "../domain/people/directory.server";
import { useT } from "../i18n/translate";
import { singleLine } from "../platform/content/text";
import { redirectWithFlash } from "../web/flash.server";
import { wordsFor } from "../web/reader.server";
import { refuseIf } from "../web/refusal-reply.server";
import { readForm } from "../web/request.server";
import { safeRedirect } from "../web/safe-redirect";
import { requireUser } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Undersigned" }];

const schema = z.object({
  name: z
    .string({ message: "Enter the name colleagues know you by" })
    .overwrite(singleLine)
    .min(2, "Enter at least 2 characters")
    .max(100, "Keep it under 100 characters"),
  redirectTo: z.string().optional(),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  // Only a person with no name yet picks one; directory names are not theirs to change.
  if (user.name) throw redirect(safeRedirect(new URL(request.url).searchParams.get("redirectTo")));
  const { t } = await wordsFor(request);
  return json({
    title: t("common.pageTitle", { page: t("identity.welcome.title") }),
    name: user.name ?? "",
    redirectTo: safeRedirect(new URL(request.url).searchParams.get("redirectTo")),
  });
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  refuseIf(displayNameRefusal(user));
  const submission = parseWithZod(await readForm(request), { schema });
  if (submission.status !== "success") return json(submission.reply(), { status: 400 });
  setDisplayName(user.id, submission.value.name);
  const { t } = await wordsFor(request);
  return redirectWithFlash(safeRedirect(submission.value.redirectTo), {
    kind: "success",
    message: t("identity.welcome.saved", { name: submission.value.name }),
  });
}

export default function Welcome() {
  const t = useT();
  const { name, redirectTo } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const [form, fields] = useForm({
    lastResult,
    defaultValue: { name },
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
    shouldRevalidate: "onInput",
  });
  return (
    <section className="card narrow" aria-labelledby="welcome-title">
      <h1 id="welcome-title">{t("identity.welcome.heading")}</h1>
      <p>{t("identity.welcome.noName")}</p>
      <Form method="post" {...getFormProps(form)}>
        <input type="hidden" name="redirectTo" value={redirectTo} />
        <InputField label={t("identity.welcome.displayName")} field={fields.name} autoComplete="name" />
        <button type="submit">{t("identity.welcome.save")}</button>
      </Form>
    </section>
  );
}
