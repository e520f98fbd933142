import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { PetitionForm } from "../components/petition-form";
import type { User } from "../domain/identity/sessions.server";
import { petitionFormChoices, savePetitionEdit } from "../domain/petitions/drafting.server";
import { petitionInputSchema } from "../domain/petitions/forms";
import { findViewablePetition } from "../domain/petitions/reads.server";
import { editRefusalFor } from "../domain/petitions/standing.server";
import { type Translate, useT } from "../i18n/translate";
import { redirectWithFlash } from "../web/flash.server";
import { redirectFromFormerAddress } from "../web/former-addresses.server";
import { wordsFor } from "../web/reader.server";
import { notFound, refusalReply, refuseIf } from "../web/refusal-reply.server";
import { readForm } from "../web/request.server";
import { requireUser } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Undersigned" }];

/**
 * The creator while it is a draft; moderators afterwards (typo fixes, audited). A petition this person
 * cannot see is a 404, as on its page: a 403 would confirm that a draft with that title exists.
 */
function editable(slug: string | undefined, user: User, t: Translate) {
  const petition = findViewablePetition(slug ?? "", user);
  if (!petition) notFound(t("petition.notFound"));
  refuseIf(editRefusalFor(petition, user));
  return petition;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const { t } = await wordsFor(request);
  const petition = editable(params.slug, user, t);
  redirectFromFormerAddress(request, "/petitions/", params.slug, petition.slug);
  return json({
    title: t("common.pageTitle", { page: t("petition.edit.title") }),
    petition,
    moderatorFix: petition.state !== "draft",
    choices: petitionFormChoices(),
  });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const { t } = await wordsFor(request);
  const petition = editable(params.slug, user, t);
  const submission = parseWithZod(await readForm(request), { schema: petitionInputSchema });
  if (submission.status !== "success") return json(submission.reply(), { status: 400 });
  try {
    await savePetitionEdit(petition.id, submission.value, user);
  } catch (error) {
    return refusalReply(error, submission, request);
  }
  return redirectWithFlash(`/petitions/${petition.slug}`, {
    kind: "success",
    message: t("petition.edit.saved"),
  });
}

export default function EditPetition() {
  const { petition, moderatorFix, choices } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const t = useT();
  return (
    <>
      <p>
        <Link to={`/petitions/${petition.slug}`}>{t("petition.edit.back")}</Link>
      </p>
      <h1>{moderatorFix ? t("petition.edit.fixTypos") : t("petition.edit.editDraft")}</h1>
      {moderatorFix ? <p className="flash flash-info">{t("petition.edit.pastDraft")}</p> : null}
      <PetitionForm
        choices={choices}
        lastResult={lastResult}
        submitLabel={t("petition.edit.save")}
        defaultValue={{
          title: petition.title,
          summary: petition.summary,
          body: petition.body,
          category: petition.category ?? "",
          policyId: petition.policyId ? String(petition.policyId) : "",
          openForDays: String(petition.openForDays),
        }}
      />
    </>
  );
}
