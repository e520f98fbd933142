import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { FormErrors, InputField, TextareaField } from "../components/forms";
import { singleLine } from "../platform/content/text";
import {
  getMilestoneDefaults,
  getSettings,
  providerConfigured,
  settingsSchema,
  signInOptions,
  updateSettings,
} from "../platform/site/settings.server";
import { CATEGORIES_MAX, CATEGORY_MAX_LENGTH } from "../vocabulary/petitions";
import { redirectWithFlash } from "../web/flash.server";
import { refusalReply } from "../web/refusal-reply.server";
import { readForm } from "../web/request.server";
import { requirePermission } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction = () => [{ title: "Settings · Admin · Undersigned" }];

const MILESTONE_ROWS = 6;

const milestoneRow = z
  .object({
    threshold: z.coerce.number().int().min(2, "At least 2").max(1_000_000).optional(),
    responseRequired: z.boolean().optional(),
    responseDays: z.coerce.number().int().min(1, "At least 1 day").max(365).optional(),
  })
  .refine((row) => !row.responseRequired || row.responseDays, {
    message: "Say within how many days leadership must respond",
    path: ["responseDays"],
  });

/** One category a line, as admins type them: blank lines and repeats dropped; errors on the list itself. */
const categoryLines = z
  .string()
  .default("")
  .transform((text) => [...new Set(text.split("\n").map(singleLine).filter(Boolean))])
  .refine((list) => list.every((category) => [...category].length <= CATEGORY_MAX_LENGTH), {
    message: `Keep each category to ${CATEGORY_MAX_LENGTH} characters`,
  })
  .refine((list) => list.length <= CATEGORIES_MAX, { message: `List at most ${CATEGORIES_MAX} categories` });

const schema = settingsSchema.extend({
  categories: categoryLines,
  // A checkbox: absent when unticked.
  emailSignIn: z.boolean().default(false),
  milestones: z
    .array(milestoneRow)
    .max(MILESTONE_ROWS)
    .default([])
    .transform((rows) => rows.filter((row) => row.threshold !== undefined))
    .refine(
      (rows) => new Set(rows.map((r) => r.threshold)).size === rows.length,
      "Each threshold may appear once",
    ),
});

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "configure:settings");
  return json({
    settings: getSettings(),
    milestones: getMilestoneDefaults(),
    provider: providerConfigured(),
    companyName: signInOptions().companyName,
  });
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requirePermission(request, "configure:settings");
  const submission = parseWithZod(await readForm(request), { schema });
  if (submission.status !== "success") return json(submission.reply(), { status: 400 });
  const { milestones, ...settings } = submission.value;
  try {
    updateSettings(
      settings,
      milestones.map((m) => ({
        threshold: m.threshold ?? 0,
        responseRequired: Boolean(m.responseRequired),
        responseDays: m.responseRequired ? (m.responseDays ?? null) : null,
      })),
      { id: admin.id, email: admin.email },
    );
  } catch (error) {
    return refusalReply(error, submission, request);
  }
  return redirectWithFlash("/admin/settings", {
    kind: "success",
    message: "Settings saved. New petitions use them.",
  });
}

export default function Settings() {
  const { settings, milestones, provider, companyName } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const rows = Array.from({ length: MILESTONE_ROWS }, (_, i) => milestones[i]);
  const [form, fields] = useForm({
    lastResult,
    defaultValue: {
      coSponsorsRequired: String(settings.coSponsorsRequired),
      openForDays: String(settings.openForDays),
      commentReportThreshold: String(settings.commentReportThreshold),
      anonymousAuthorDays: String(settings.anonymousAuthorDays),
      emailSignIn: settings.emailSignIn ? "on" : undefined,
      categories: settings.categories.join("\n"),
      milestones: rows.map((m) =>
        m
          ? {
              threshold: String(m.threshold),
              responseRequired: m.responseRequired ? "on" : undefined,
              responseDays: m.responseDays ? String(m.responseDays) : "",
            }
          : { threshold: "", responseDays: "" },
      ),
    },
  });
  const milestoneFields = fields.milestones.getFieldList();
  return (
    <>
      <h1>Settings</h1>
      <p>These apply to petitions created from now on; existing petitions keep theirs.</p>
      <Form method="post" className="card" {...getFormProps(form)}>
        <FormErrors id={form.errorId} errors={form.errors} />
        <InputField
          label="Co-sponsors needed before moderation"
          field={fields.coSponsorsRequired}
          type="number"
        />
        <InputField label="Days a petition stays open" field={fields.openForDays} type="number" />
        <InputField
          label="Reports that hide a comment until a moderator reviews it"
          hint="Only while the reports outnumber the comment's upvotes: a comment more colleagues upvoted stays visible until a moderator reviews it, so a campaign cannot silence a popular voice."
          field={fields.commentReportThreshold}
          type="number"
        />
        <InputField
          label="Days an anonymous comment keeps its author"
          hint="Meanwhile its author may edit or delete it; then the link between them is deleted for good (sooner if the discussion closes)."
          field={fields.anonymousAuthorDays}
          type="number"
        />
        <TextareaField
          label="Petition categories"
          hint={`One a line, in the order the petition form lists them (at most ${CATEGORIES_MAX}, each up to ${CATEGORY_MAX_LENGTH} characters). A petition keeps its category when it leaves the list.`}
          field={fields.categories}
          rows={6}
        />
        {provider ? (
          <div className="field">
            <label>
              <input
                type="checkbox"
                name={fields.emailSignIn.name}
                defaultChecked={fields.emailSignIn.initialValue === "on"}
                aria-describedby={`${fields.emailSignIn.id}-help`}
              />{" "}
              Sign-in by emailed link stays open beside "Sign in with {companyName}"
            </label>
            <p className="muted" id={`${fields.emailSignIn.id}-help`}>
              Unticked, only {companyName}'s identity provider signs people in (links already sent stop
              working).
            </p>
            <FormErrors id={fields.emailSignIn.errorId} errors={fields.emailSignIn.errors} />
          </div>
        ) : (
          // Without an identity provider the emailed link is the only way in: it stays on.
          <input type="hidden" name={fields.emailSignIn.name} value="on" />
        )}
        <fieldset>
          <legend>Default milestones</legend>
          <FormErrors id={fields.milestones.errorId} errors={fields.milestones.errors} />
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Signatures</th>
                  <th scope="col">Requires a response</th>
                  <th scope="col">Days to respond</th>
                </tr>
              </thead>
              <tbody>
                {milestoneFields.map((row, i) => {
                  const f = row.getFieldset();
                  return (
                    <tr key={row.key}>
                      <td>
                        <input
                          type="number"
                          name={f.threshold.name}
                          defaultValue={f.threshold.initialValue}
                          aria-label={`Milestone ${i + 1}: signatures`}
                        />
                        <FormErrorsInline errors={f.threshold.errors} />
                      </td>
                      <td>
                        <input
                          type="checkbox"
                          name={f.responseRequired.name}
                          value="on"
                          defaultChecked={f.responseRequired.initialValue === "on"}
                          aria-label={`Milestone ${i + 1}: requires a response`}
                        />
                      </td>
                      <td>
                        <input
                          type="number"
                          name={f.responseDays.name}
                          defaultValue={f.responseDays.initialValue}
                          aria-label={`Milestone ${i + 1}: days to respond`}
                        />
                        <FormErrorsInline errors={f.responseDays.errors} />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </fieldset>
        <button type="submit">Save settings</button>
      </Form>
    </>
  );
}

function FormErrorsInline({ errors }: { errors?: string[] }) {
  return errors?.length ? <span className="field-errors">{errors.join(" ")}</span> : null;
}
