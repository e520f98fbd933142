import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { PageActionButton } from "../components/forms";
import { answerInvitation, pendingInvitation } from "../domain/petitions/organizers.server";
import { useT } from "../i18n/translate";
import { redirectWithFlash } from "../web/flash.server";
import { redirectFromFormerAddress } from "../web/former-addresses.server";
import { wordsFor } from "../web/reader.server";
import { notFound, refusalReply } from "../web/refusal-reply.server";
import { readForm } from "../web/request.server";
import { requireUser } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.title ?? "Undersigned" },
  { name: "robots", content: "noindex" },
];

/**
 * The invitation to co-organize a petition, for its invitee: the emailed link opens this page (GET
 * changes nothing, so a mail scanner opening the link accepts nothing), and its buttons POST.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const { t } = await wordsFor(request);
  const invitation = pendingInvitation(params.slug ?? "", user);
  if (!invitation) notFound(t("petition.invitation.notFound"));
  redirectFromFormerAddress(request, "/petitions/", params.slug, invitation.slug);
  const { petitionId: _petitionId, ...shown } = invitation;
  return json({
    title: t("common.pageTitle", { page: t("petition.invitation.title", { title: invitation.title }) }),
    invitation: shown,
  });
}

const actionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("accept") }),
  z.object({ intent: z.literal("decline") }),
]);

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const { t } = await wordsFor(request);
  const invitation = pendingInvitation(params.slug ?? "", user);
  if (!invitation) notFound(t("petition.invitation.notFound"));
  const submission = parseWithZod(await readForm(request), { schema: actionSchema });
  if (submission.status !== "success") return json(submission.reply(), { status: 400 });
  const accept = submission.value.intent === "accept";
  try {
    answerInvitation(invitation.petitionId, accept, user);
  } catch (error) {
    return refusalReply(error, submission, request);
  }
  return accept
    ? redirectWithFlash(`/petitions/${invitation.slug}/dashboard`, {
        kind: "success",
        message: t("petition.invitation.accepted"),
      })
    : redirectWithFlash("/", { kind: "info", message: t("petition.invitation.declined") });
}

export default function Invitation() {
  const { invitation } = useLoaderData<typeof loader>();
  const t = useT();
  return (
    <section className="card narrow stack" aria-labelledby="invitation-title">
      <h1 id="invitation-title">{t("petition.invitation.heading", { title: invitation.title })}</h1>
      <p>
        {t.rich("petition.invitation.invites", {
          name: invitation.invitedBy,
          summary: <em>{invitation.summary}</em>,
        })}
      </p>
      <p>{t("petition.invitation.explain")}</p>
      <div className="row">
        <PageActionButton intent="accept" label={t("petition.invitation.accept")} className="" />
        <PageActionButton intent="decline" label={t("petition.invitation.decline")} />
      </div>
      <p>
        <Link to={`/petitions/${invitation.slug}`}>{t("petition.invitation.see")}</Link>
      </p>
    </section>
  );
}
