import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { PageActionButton } from "../components/forms";
import { answerInvitation, pendingInvitation } from "../domain/petitions/organizers.server";
import { say } from "../platform/said";
import { redirectWithFlash } from "../web/flash.server";
import { redirectFromFormerAddress } from "../web/former-addresses.server";
import { notFound, refusalReply } from "../web/refusal-reply.server";
import { readForm } from "../web/request.server";
import { requireUser } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `Invitation · ${data?.invitation.title ?? "Petition"} · Undersigned` },
  { name: "robots", content: "noindex" },
];

/**
 * The invitation to co-organize a petition, for its invitee: the emailed link opens this page (GET
 * changes nothing, so a mail scanner opening the link accepts nothing), and its buttons POST.
 */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const invitation = pendingInvitation(params.slug ?? "", user);
  if (!invitation) notFound(say("server.notFound.invitation"));
  redirectFromFormerAddress(request, "/petitions/", params.slug, invitation.slug);
  const { petitionId: _petitionId, ...shown } = invitation;
  return json({ invitation: shown });
}

const actionSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("accept") }),
  z.object({ intent: z.literal("decline") }),
]);

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const invitation = pendingInvitation(params.slug ?? "", user);
  if (!invitation) notFound(say("server.notFound.invitation"));
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
        message: "You now co-organize this petition.",
      })
    : redirectWithFlash("/", { kind: "info", message: "Invitation declined." });
}

export default function Invitation() {
  const { invitation } = useLoaderData<typeof loader>();
  return (
    <section className="card narrow stack" aria-labelledby="invitation-title">
      <h1 id="invitation-title">Co-organize “{invitation.title}”?</h1>
      <p>
        {invitation.invitedBy} invites you to co-organize this petition: <em>{invitation.summary}</em>
      </p>
      <p>
        Co-organizers see its dashboard (counts only, never who signed) and can post updates that the platform
        emails to its signers. Its creator alone invites and removes co-organizers, declares victory and asks
        moderators to close it early. You can stop co-organizing at any time.
      </p>
      <div className="row">
        <PageActionButton intent="accept" label="Accept and co-organize" className="" />
        <PageActionButton intent="decline" label="Decline" />
      </div>
      <p>
        <Link to={`/petitions/${invitation.slug}`}>See the petition</Link>
      </p>
    </section>
  );
}
