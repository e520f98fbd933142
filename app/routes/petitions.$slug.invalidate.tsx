import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ChoiceField, FormErrors, InputField, TextareaField } from "../components/forms";
import type { User } from "../domain/identity/sessions.server";
import {
  invalidateSignatures,
  invalidationSchema,
  type MatchSize,
  MIN_PEOPLE_PER_INVALIDATION,
  previewInvalidation,
} from "../domain/petitions/invalidation.server";
import { findViewablePetition } from "../domain/petitions/reads.server";
import { type Translate, useT } from "../i18n/translate";
import { INVALIDATION_REASONS } from "../vocabulary/petitions";
import { redirectWithFlash } from "../web/flash.server";
import { redirectFromFormerAddress } from "../web/former-addresses.server";
import { wordsFor } from "../web/reader.server";
import { notFound, refusalReply } from "../web/refusal-reply.server";
import { readForm } from "../web/request.server";
import { requirePermission } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.pageTitle ?? "Undersigned" }];

function petitionFor(slug: string | undefined, moderator: User, t: Translate) {
  // Drafts are their creator's alone, moderators' included.
  const petition = findViewablePetition(slug ?? "", moderator);
  if (!petition) notFound(t("petition.notFound"));
  return petition;
}

/** A datetime-local field has no zone: the page says UTC, so its value is read as UTC. */
const WALL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;
function readAsUtc(form: FormData) {
  for (const name of ["from", "to"]) {
    const value = form.get(name);
    if (typeof value === "string" && WALL_TIME.test(value)) form.set(name, `${value}Z`);
  }
  return form;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const moderator = await requirePermission(request, "moderate:petition");
  const { t } = await wordsFor(request);
  const petition = petitionFor(params.slug, moderator, t);
  redirectFromFormerAddress(request, "/petitions/", params.slug, petition.slug);
  return json({
    pageTitle: t("common.pageTitle", { page: t("petition.invalidate.title") }),
    slug: petition.slug,
    title: petition.title,
    count: petition.signatureCount,
    minimum: MIN_PEOPLE_PER_INVALIDATION,
  });
}

const schema = z.intersection(
  invalidationSchema,
  z.discriminatedUnion("intent", [
    z.object({ intent: z.literal("preview") }),
    z.object({
      intent: z.literal("confirm"),
      expected: z.union([z.literal("few"), z.coerce.number().int().min(1)], {
        message: "Preview first, then confirm the number shown",
      }),
      reason: z
        .string({ message: "Give the reason, for the record" })
        .trim()
        .min(3, "Give the reason, for the record")
        .max(500),
      category: z.enum(INVALIDATION_REASONS, { message: "Choose why, for the petition's public timeline" }),
    }),
  ]),
);

export async function action({ request, params }: ActionFunctionArgs) {
  const moderator = await requirePermission(request, "moderate:petition");
  const { t } = await wordsFor(request);
  const petition = petitionFor(params.slug, moderator, t);
  const submission = parseWithZod(readAsUtc(await readForm(request)), { schema });
  if (submission.status !== "success") {
    // A confirmation missing its reason keeps the previewed number (and its button): the domain
    // checks it again against the signatures when it is confirmed.
    const expected = Number(submission.payload.expected);
    const matched = Number.isInteger(expected) && expected > 0 ? expected : null;
    return json({ result: submission.reply(), matched }, { status: 400 });
  }
  const value = submission.value;
  const actor = { id: moderator.id, email: moderator.email };
  try {
    if (value.intent === "preview") {
      return json({ result: submission.reply(), matched: previewInvalidation(petition.id, value, actor) });
    }
    const invalidated = invalidateSignatures(
      petition.id,
      { ...value, reason: value.reason, expected: value.expected },
      actor,
    );
    return redirectWithFlash(`/petitions/${petition.slug}`, {
      kind: "success",
      message: t("petition.invalidate.done", { count: invalidated }),
    });
  } catch (error) {
    return refusalReply(error, submission, request, (result) => ({ result, matched: null }));
  }
}

const matchText = (t: Translate, matched: MatchSize, minimum: number) =>
  matched === "few"
    ? t("petition.invalidate.few", { minimum })
    : t("petition.invalidate.matches", { count: matched });

export default function Invalidate() {
  const { slug, title, count, minimum } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
  const t = useT();
  const [form, fields] = useForm<{
    emails: string;
    from: string;
    to: string;
    ip: string;
    reason: string;
    category: string;
  }>({
    lastResult: data?.result,
    shouldValidate: "onSubmit",
  });
  return (
    <>
      <p>
        <Link to={`/petitions/${slug}`}>{t("petition.backTo", { title })}</Link>
      </p>
      <h1>{t("petition.invalidate.title")}</h1>
      <p>{t("petition.invalidate.intro", { count })}</p>
      <Form method="post" className="card" {...getFormProps(form)}>
        <FormErrors id={form.errorId} errors={form.errors} />
        <TextareaField
          label={t("petition.invalidate.people")}
          field={fields.emails}
          rows={3}
          hint={t("petition.invalidate.peopleHint")}
        />
        <div className="row">
          <InputField label={t("petition.invalidate.from")} field={fields.from} type="datetime-local" />
          <InputField label={t("petition.invalidate.to")} field={fields.to} type="datetime-local" />
        </div>
        <InputField label={t("petition.invalidate.ip")} field={fields.ip} />
        <ChoiceField
          label={t("petition.invalidate.category")}
          field={fields.category}
          placeholder={t("petition.moderator.chooseReason")}
          options={INVALIDATION_REASONS.map((value) => ({
            value,
            label: t(`petition.invalidate.reason.${value}`),
          }))}
        />
        <InputField
          label={t("petition.invalidate.reason")}
          field={fields.reason}
          hint={t("petition.invalidate.reasonHint")}
        />
        {data?.matched ? (
          <p className="flash flash-info" role="status">
            {matchText(t, data.matched, minimum)}
          </p>
        ) : null}
        <input type="hidden" name="expected" value={data?.matched ?? ""} />
        <div className="row">
          <button type="submit" name="intent" value="preview" className="secondary">
            {t("petition.invalidate.preview")}
          </button>
          {typeof data?.matched === "number" ? (
            <button type="submit" name="intent" value="confirm" className="danger">
              {t("petition.invalidate.confirm", { count: data.matched })}
            </button>
          ) : null}
        </div>
      </Form>
    </>
  );
}
