import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { FormErrors } from "../components/forms";
import { emailPreferences, setEmailPreferences } from "../platform/mail/email-preferences.server";
import { EMAIL_TOPIC_LABELS, EMAIL_TOPICS, type EmailTopic } from "../vocabulary/email-topics";
import { redirectWithFlash } from "../web/flash.server";
import { readForm } from "../web/request.server";
import { requireUser } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction = () => [{ title: "Email settings · Undersigned" }];

// An unchecked box is absent from the form: absent means "off".
const schema = z.object(
  Object.fromEntries(EMAIL_TOPICS.map((topic) => [topic, z.boolean().optional().default(false)])) as Record<
    EmailTopic,
    z.ZodDefault<z.ZodOptional<z.ZodBoolean>>
  >,
);

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  return json({ preferences: emailPreferences(user.id) });
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const submission = parseWithZod(await readForm(request), { schema });
  if (submission.status !== "success") return json(submission.reply(), { status: 400 });
  setEmailPreferences(user.id, submission.value);
  return redirectWithFlash("/settings", { kind: "success", message: "Your email settings are saved." });
}

export default function Settings() {
  const { preferences } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const [form] = useForm({ lastResult });
  return (
    <div className="narrow stack">
      <h1>Email settings</h1>
      <p>
        Emails you need (sign-in links, news about your own comments being moderated) always arrive. These you
        can turn off; every such email also has a link that turns off its kind in one click.
      </p>
      <Form method="post" className="card stack" {...getFormProps(form)}>
        <FormErrors id={form.errorId} errors={form.errors} />
        <fieldset>
          <legend>Email me about</legend>
          {EMAIL_TOPICS.map((topic) => (
            <div className="checkbox" key={topic}>
              <input type="checkbox" id={`topic-${topic}`} name={topic} defaultChecked={preferences[topic]} />
              <label htmlFor={`topic-${topic}`}>{EMAIL_TOPIC_LABELS[topic].label}</label>
            </div>
          ))}
        </fieldset>
        <button type="submit">Save</button>
      </Form>
    </div>
  );
}
