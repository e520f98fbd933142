import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useActionData, useLoaderData } from "@remix-run/react";
import { AnnouncementForm } from "../components/announcement-form";
import { saveAnnouncement } from "../domain/announcements/lifecycle.server";
import {
  announcementDetails,
  announcementFormChoices,
  announcementFormValues,
  findAnnouncement,
  isAuthorOf,
} from "../domain/announcements/reads.server";
import { useT } from "../i18n/translate";
import { announcementFormReply, readAnnouncementSubmission } from "../web/announcement-form.server";
import { redirectWithFlash } from "../web/flash.server";
import { redirectFromFormerAddress } from "../web/former-addresses.server";
import { wordsFor } from "../web/reader.server";
import { notFound, refusalReply } from "../web/refusal-reply.server";
import { requirePermission } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Undersigned" }];

async function load(request: Request, slug: string | undefined) {
  const announcement = findAnnouncement(slug ?? "");
  if (!announcement) notFound((await wordsFor(request)).t("policies.memos.notFound"));
  return announcement;
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requirePermission(request, "publish:announcement");
  const announcement = await load(request, params.slug);
  redirectFromFormerAddress(request, "/announcements/", params.slug, announcement.slug);
  const { t } = await wordsFor(request);
  return json({
    title: t("common.pageTitle", { page: t("policies.memos.editTitle") }),
    announcement: { slug: announcement.slug, title: announcement.title, state: announcement.state },
    // Someone else's memo: its author's name, for the "on their behalf" box.
    onBehalfOf: isAuthorOf(announcement, user) ? null : announcementDetails(announcement).author,
    values: announcementFormValues(announcement),
    choices: announcementFormChoices(),
  });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requirePermission(request, "publish:announcement");
  const announcement = await load(request, params.slug);
  const read = await readAnnouncementSubmission(request);
  const { submission } = read;
  if (submission.status !== "success") return announcementFormReply(read);
  try {
    const saved = saveAnnouncement(announcement.id, submission.value, user);
    const { t } = await wordsFor(request);
    return redirectWithFlash(`/announcements/${saved.slug}`, {
      kind: "success",
      message: saved.state === "published" ? t("policies.memos.updatedKept") : t("policies.memos.draftSaved"),
    });
  } catch (error) {
    return refusalReply(error, submission, request);
  }
}

export default function EditAnnouncement() {
  const { announcement, values, choices, onBehalfOf } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const t = useT();
  return (
    <div className="stack">
      <p>
        <Link to={`/announcements/${announcement.slug}`}>← {announcement.title}</Link>
      </p>
      <h1>{t("policies.memos.editTitle")}</h1>
      <AnnouncementForm
        choices={choices}
        lastResult={lastResult}
        defaultValue={values}
        published={announcement.state === "published"}
        onBehalfOf={onBehalfOf}
        submitLabel={
          announcement.state === "published" ? t("policies.memos.saveChanges") : t("policies.memos.saveDraft")
        }
      />
    </div>
  );
}
