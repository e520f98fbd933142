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
import { say } from "../platform/said";
import { INVALIDATION_REASON_LABELS, INVALIDATION_REASONS } from "../vocabulary/petitions";
import { redirectWithFlash } from "../web/flash.server";
import { redirectFromFormerAddress } from "../web/former-addresses.server";
import { notFound, refusalReply } from "../web/refusal-reply.server";
import { readForm } from "../web/request.server";
import { requirePermission } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction = () => [{ title: "Invalidate signatures · Undersigned" }];

function petitionFor(slug: string | undefined, moderator: User) {
  // Drafts are their creator's alone, moderators' included.
  const petition = findViewablePetition(slug ?? "", moderator);
  if (!petition) notFound(say("server.notFound.petition"));
  return petition;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const moderator = await requirePermission(request, "moderate:petition");
  const petition = petitionFor(params.slug, moderator);
  redirectFromFormerAddress(request, "/petitions/", params.slug, petition.slug);
  return json({
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
  const petition = petitionFor(params.slug, moderator);
  const submission = parseWithZod(await readForm(request), { schema });
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
      message: `${invalidated.toLocaleString("en")} signatures invalidated.`,
    });
  } catch (error) {
    return refusalReply(error, submission, request, (result) => ({ result, matched: null }));
  }
}

const matchText = (matched: MatchSize, minimum: number) =>
  matched === "few"
    ? `Fewer than ${minimum} signatures match (possibly none): criteria this narrow cannot invalidate anything, since the public count would show whether someone signed.`
    : `${matched.toLocaleString("en")} signatures match.`;

export default function Invalidate() {
  const { slug, title, count, minimum } = useLoaderData<typeof loader>();
  const data = useActionData<typeof action>();
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
        <Link to={`/petitions/${slug}`}>← {title}</Link>
      </p>
      <h1>Invalidate signatures</h1>
      <p>
        The petition has {count.toLocaleString("en")} signatures. Choose which to invalidate; preview how many
        match, then confirm with a reason. Counts, the ledger, the petition's timeline and the audit log
        record it.
      </p>
      <Form method="post" className="card" {...getFormProps(form)}>
        <FormErrors id={form.errorId} errors={form.errors} />
        <TextareaField
          label="People (email addresses)"
          field={fields.emails}
          rows={3}
          hint="Separated by commas, spaces or new lines."
        />
        <div className="row">
          <InputField label="Signed from" field={fields.from} type="datetime-local" />
          <InputField label="Signed until" field={fields.to} type="datetime-local" />
        </div>
        <InputField label="IP address" field={fields.ip} />
        <ChoiceField
          label="Why, on the petition's public timeline"
          field={fields.category}
          placeholder="Choose a reason"
          options={INVALIDATION_REASONS.map((value) => ({
            value,
            label: INVALIDATION_REASON_LABELS[value].replace(/^./, (c) => c.toUpperCase()),
          }))}
        />
        <InputField
          label="Reason, in your words"
          field={fields.reason}
          hint="Required to confirm; kept in the audit log only. The timeline shows the number and the choice above, never who signed."
        />
        {data?.matched ? (
          <p className="flash flash-info" role="status">
            {matchText(data.matched, minimum)}
          </p>
        ) : null}
        <input type="hidden" name="expected" value={data?.matched ?? ""} />
        <div className="row">
          <button type="submit" name="intent" value="preview" className="secondary">
            Preview
          </button>
          {typeof data?.matched === "number" ? (
            <button type="submit" name="intent" value="confirm" className="danger">
              {`Invalidate ${data.matched.toLocaleString("en")} signatures`}
            </button>
          ) : null}
        </div>
      </Form>
    </>
  );
}
