import type { ActionFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { exportFileName, exportSigners } from "../domain/petitions/dashboard.server";
import { findViewablePetition } from "../domain/petitions/reads.server";
import { exportRefusalFor } from "../domain/petitions/standing.server";
import { wordsFor } from "../web/reader.server";
import { notFound, refuseResourceIf } from "../web/refusal-reply.server";
import { readForm } from "../web/request.server";
import { requireUser } from "../web/session.server";

/** The export is a POST (it writes an audit entry); a GET goes back to the dashboard. */
export const loader = ({ params }: ActionFunctionArgs) =>
  redirect(`/petitions/${encodeURIComponent(params.slug ?? "")}/dashboard`);

export async function action({ request, params }: ActionFunctionArgs) {
  const user = await requireUser(request);
  // The button's form has no fields, but the body is still read as every action reads one: a body
  // that is not a form, too large or malformed is refused before anything is written.
  await readForm(request);
  const petition = findViewablePetition(params.slug ?? "", user);
  if (!petition) notFound((await wordsFor(request)).t("petition.notFound"));
  await refuseResourceIf(exportRefusalFor(petition, user), request);
  const { t } = await wordsFor(request);
  return new Response(exportSigners(petition, user, Date.now(), t("my-data.formerColleague")), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${exportFileName(petition)}"`,
      "Cache-Control": "no-store",
    },
  });
}
