import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { AnnouncementForm } from "../components/announcement-form";
import { saveAnnouncement } from "../domain/announcements/lifecycle.server";
import { announcementFormChoices } from "../domain/announcements/reads.server";
import { useT } from "../i18n/translate";
import { announcementFormReply, readAnnouncementSubmission } from "../web/announcement-form.server";
import { redirectWithFlash } from "../web/flash.server";
import { wordsFor } from "../web/reader.server";
import { refusalReply } from "../web/refusal-reply.server";
import { parseQuery } from "../web/request.server";
import { requirePermission } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Undersigned" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "publish:announcement");
  // "Write a response" on the leadership page preselects the petition.
  const { petition } = parseQuery(
    request,
    z.object({ petition: z.coerce.number().int().positive().optional() }),
  );
  const { t } = await wordsFor(request);
  return json({
    title: t("common.pageTitle", { page: t("policies.memos.newTitle") }),
    choices: announcementFormChoices(),
    petition: petition ?? null,
  });
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requirePermission(request, "publish:announcement");
  const read = await readAnnouncementSubmission(request);
  const { submission } = read;
  if (submission.status !== "success") return announcementFormReply(read);
  try {
    const draft = saveAnnouncement(null, submission.value, user);
    const { t } = await wordsFor(request);
    return redirectWithFlash(`/announcements/${draft.slug}`, {
      kind: "success",
      message: t("policies.memos.draftSavedPreview"),
    });
  } catch (error) {
    return refusalReply(error, submission, request);
  }
}

export default function NewAnnouncement() {
  const { choices, petition } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const t = useT();
  return (
    <div className="stack">
      <h1>{t("policies.memos.newTitle")}</h1>
      <AnnouncementForm
        choices={choices}
        lastResult={lastResult}
        published={false}
        submitLabel={t("policies.memos.saveDraft")}
        defaultValue={petition ? { responses: [{ petitionId: String(petition) }] } : undefined}
      />
    </div>
  );
}
