import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ChoiceField, FormErrors, InputField, TextareaField } from "../components/forms";
import { LOCALE_NAMES, LOCALES } from "../i18n/locales";
import { useT } from "../i18n/translate";
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
import { wordsFor } from "../web/reader.server";
import { refusalReply } from "../web/refusal-reply.server";
import { readForm } from "../web/request.server";
import { requirePermission } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Undersigned" }];

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

/**
 * The zones the server knows, listed in the loader rather than the page so server and browser offer
 * the same list (runtimes differ); UTC first, and the current setting kept even if the list lacks it.
 */
function timeZoneChoices(current: string): string[] {
  const known = Intl.supportedValuesOf("timeZone").filter((zone) => zone !== "UTC" && zone !== current);
  return [...new Set(["UTC", current])].concat(known.sort());
}

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "configure:settings");
  const { t } = await wordsFor(request);
  const settings = getSettings();
  return json({
    title: t("common.pageTitle", { page: t("admin.pageTitle", { page: t("admin.settings.title") }) }),
    settings,
    timeZones: timeZoneChoices(settings.defaultTimeZone),
    milestones: getMilestoneDefaults(),
    provider: providerConfigured(),
    company: signInOptions().company,
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
  const { t } = await wordsFor(request);
  return redirectWithFlash("/admin/settings", { kind: "success", message: t("admin.settings.saved") });
}

export default function Settings() {
  const { settings, timeZones, milestones, provider, company } = useLoaderData<typeof loader>();
  const t = useT();
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
      defaultLocale: settings.defaultLocale,
      defaultTimeZone: settings.defaultTimeZone,
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
      <h1>{t("admin.settings.title")}</h1>
      <p>{t("admin.settings.intro")}</p>
      <Form method="post" className="card" {...getFormProps(form)}>
        <FormErrors id={form.errorId} errors={form.errors} />
        <InputField
          label={t("admin.settings.coSponsorsRequired")}
          field={fields.coSponsorsRequired}
          type="number"
        />
        <InputField label={t("admin.settings.openForDays")} field={fields.openForDays} type="number" />
        <InputField
          label={t("admin.settings.commentReportThreshold")}
          hint={t("admin.settings.commentReportThreshold.hint")}
          field={fields.commentReportThreshold}
          type="number"
        />
        <InputField
          label={t("admin.settings.anonymousAuthorDays")}
          hint={t("admin.settings.anonymousAuthorDays.hint")}
          field={fields.anonymousAuthorDays}
          type="number"
        />
        <TextareaField
          label={t("admin.settings.categories")}
          hint={t("admin.settings.categories.hint", { max: CATEGORIES_MAX, length: CATEGORY_MAX_LENGTH })}
          field={fields.categories}
          rows={6}
        />
        <ChoiceField
          label={t("admin.settings.defaultLocale")}
          hint={t("admin.settings.defaultLocale.hint")}
          field={fields.defaultLocale}
          options={LOCALES.map((locale) => ({ value: locale, label: LOCALE_NAMES[locale] }))}
        />
        <ChoiceField
          label={t("admin.settings.defaultTimeZone")}
          hint={t("admin.settings.defaultTimeZone.hint")}
          field={fields.defaultTimeZone}
          options={timeZones.map((zone) => ({ value: zone, label: zone }))}
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
              {t("admin.settings.emailSignIn", company)}
            </label>
            <p className="muted" id={`${fields.emailSignIn.id}-help`}>
              {t("admin.settings.emailSignIn.hint", company)}
            </p>
            <FormErrors id={fields.emailSignIn.errorId} errors={fields.emailSignIn.errors} />
          </div>
        ) : (
          // Without an identity provider the emailed link is the only way in: it stays on.
          <input type="hidden" name={fields.emailSignIn.name} value="on" />
        )}
        <fieldset>
          <legend>{t("admin.settings.milestones")}</legend>
          <FormErrors id={fields.milestones.errorId} errors={fields.milestones.errors} />
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t("admin.settings.milestones.signatures")}</th>
                  <th scope="col">{t("admin.settings.milestones.responseRequired")}</th>
                  <th scope="col">{t("admin.settings.milestones.responseDays")}</th>
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
                          aria-label={t("admin.settings.milestones.rowSignatures", { n: i + 1 })}
                        />
                        <FormErrorsInline errors={f.threshold.errors} />
                      </td>
                      <td>
                        <input
                          type="checkbox"
                          name={f.responseRequired.name}
                          value="on"
                          defaultChecked={f.responseRequired.initialValue === "on"}
                          aria-label={t("admin.settings.milestones.rowResponseRequired", { n: i + 1 })}
                        />
                      </td>
                      <td>
                        <input
                          type="number"
                          name={f.responseDays.name}
                          defaultValue={f.responseDays.initialValue}
                          aria-label={t("admin.settings.milestones.rowResponseDays", { n: i + 1 })}
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
        <button type="submit">{t("admin.settings.save")}</button>
      </Form>
    </>
  );
}

function FormErrorsInline({ errors }: { errors?: string[] }) {
  return errors?.length ? <span className="field-errors">{errors.join(" ")}</span> : null;
}
