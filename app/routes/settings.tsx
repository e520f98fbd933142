import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { FormErrors, SelectField, useActionResultFor } from "../components/forms";
import { CadenceForm } from "../components/notifications-bits";
import { offeredTimeZones, setReaderPreferences } from "../domain/people/reader-preferences.server";
import { isLocale, isTimeZone, LOCALE_NAMES, LOCALES } from "../i18n/locales";
import { useT } from "../i18n/translate";
import {
  emailCadenceOf,
  emailPreferences,
  setEmailPreferences,
} from "../platform/mail/email-preferences.server";
import { EMAIL_TOPIC_LABELS, EMAIL_TOPICS, type EmailTopic } from "../vocabulary/email-topics";
import { redirectWithFlash } from "../web/flash.server";
import { readerOf, wordsFor, wordsOfReader } from "../web/reader.server";
import { refusalReply } from "../web/refusal-reply.server";
import { readForm } from "../web/request.server";
import { requireUser } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Undersigned" }];

// An unchecked box is absent from the form: absent means "off".
const topics = Object.fromEntries(
  EMAIL_TOPICS.map((topic) => [topic, z.boolean().optional().default(false)]),
) as Record<EmailTopic, z.ZodDefault<z.ZodOptional<z.ZodBoolean>>>;

// An empty choice (absent once parsed) follows the browser.
const schema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("email"), ...topics }),
  z.object({
    intent: z.literal("reader"),
    locale: z.enum(LOCALES).optional(),
    timeZone: z.string().refine(isTimeZone).optional(),
  }),
]);

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const { t } = await wordsFor(request);
  const timeZone = isTimeZone(user.timeZone) ? user.timeZone : "";
  const timeZones = offeredTimeZones();
  return json({
    title: t("common.pageTitle", { page: t("identity.settings.title") }),
    preferences: emailPreferences(user.id),
    cadence: emailCadenceOf(user.id),
    reader: { locale: isLocale(user.locale) ? user.locale : "", timeZone },
    // A zone saved under another of its names still shows as chosen.
    timeZones: timeZone && !timeZones.includes(timeZone) ? [timeZone, ...timeZones] : timeZones,
  });
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const submission = parseWithZod(await readForm(request), { schema });
  if (submission.status !== "success") return json(submission.reply(), { status: 400 });
  const { value } = submission;
  let saved = user;
  if (value.intent === "email") {
    setEmailPreferences(user.id, value);
  } else {
    try {
      const preferences = { locale: value.locale ?? null, timeZone: value.timeZone ?? null };
      setReaderPreferences(user.id, preferences);
      saved = { ...user, ...preferences };
    } catch (error) {
      return refusalReply(error, submission, request);
    }
  }
  // The message is in the language the person just chose.
  const { t } = wordsOfReader(readerOf(request, saved));
  return redirectWithFlash("/settings", {
    kind: "success",
    message: t(value.intent === "email" ? "identity.settings.email.saved" : "identity.settings.reader.saved"),
  });
}

export default function Settings() {
  const t = useT();
  const { preferences, cadence, reader, timeZones } = useLoaderData<typeof loader>();
  const [emailForm] = useForm({ id: "email-settings", lastResult: useActionResultFor("email") });
  const [readerForm] = useForm({ id: "reader-settings", lastResult: useActionResultFor("reader") });
  const browser = { value: "", label: t("identity.settings.reader.browser") };
  return (
    <div className="narrow stack">
      <h1>{t("identity.settings.title")}</h1>
      {/* A whole page load: the next page needs the new language's words, not only new data. */}
      <Form method="post" className="card stack" reloadDocument {...getFormProps(readerForm)}>
        <h2>{t("identity.settings.reader.heading")}</h2>
        <p>{t("identity.settings.reader.intro")}</p>
        <FormErrors id={readerForm.errorId} errors={readerForm.errors} />
        <input type="hidden" name="intent" value="reader" />
        <SelectField
          id="reader-locale"
          name="locale"
          label={t("identity.settings.reader.language")}
          defaultValue={reader.locale}
          options={[browser, ...LOCALES.map((locale) => ({ value: locale, label: LOCALE_NAMES[locale] }))]}
        />
        <SelectField
          id="reader-time-zone"
          name="timeZone"
          label={t("identity.settings.reader.timeZone")}
          defaultValue={reader.timeZone}
          options={[browser, ...timeZones.map((zone) => ({ value: zone, label: zone.replaceAll("_", " ") }))]}
        />
        <button type="submit">{t("identity.settings.reader.save")}</button>
      </Form>
      <h2>{t("identity.settings.email.heading")}</h2>
      <p>{t("identity.settings.email.intro")}</p>
      <Form method="post" className="card stack" {...getFormProps(emailForm)}>
        <FormErrors id={emailForm.errorId} errors={emailForm.errors} />
        <input type="hidden" name="intent" value="email" />
        <fieldset>
          <legend>{t("identity.settings.email.legend")}</legend>
          {EMAIL_TOPICS.map((topic) => (
            <div className="checkbox" key={topic}>
              <input type="checkbox" id={`topic-${topic}`} name={topic} defaultChecked={preferences[topic]} />
              <label htmlFor={`topic-${topic}`}>{t(EMAIL_TOPIC_LABELS[topic].label)}</label>
            </div>
          ))}
        </fieldset>
        <button type="submit">{t("identity.settings.email.save")}</button>
      </Form>
      <CadenceForm cadence={cadence} />
      <p>
        <Link to="/my/data">{t("my-data.title")}</Link>
      </p>
    </div>
  );
}
