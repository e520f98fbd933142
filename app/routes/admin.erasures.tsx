import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { FormErrors } from "../components/forms";
import { carryOutErasure, erasureRequests } from "../domain/people/erasure.server";
import { useFormat } from "../i18n/format";
import { useT } from "../i18n/translate";
import { sayText } from "../platform/said";
import { redirectWithFlash } from "../web/flash.server";
import { wordsFor } from "../web/reader.server";
import { refusalReply } from "../web/refusal-reply.server";
import { readForm } from "../web/request.server";
import { requirePermission } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Undersigned" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "erase:person");
  const { t } = await wordsFor(request);
  return json({
    title: t("common.pageTitle", { page: t("admin.pageTitle", { page: t("my-data.admin.title") }) }),
    requests: erasureRequests(),
  });
}

const schema = z.object({
  intent: z.literal("erase"),
  personId: z.coerce.number().int().positive(),
  // The confirmation: an unticked box is absent.
  confirm: z.literal("on", { error: sayText("my-data.refusal.confirm") }),
});

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requirePermission(request, "erase:person");
  const submission = parseWithZod(await readForm(request), { schema });
  if (submission.status !== "success") return json(submission.reply(), { status: 400 });
  const { personId } = submission.value;
  const name = erasureRequests().find((r) => r.id === personId);
  try {
    const result = carryOutErasure({ id: admin.id, email: admin.email }, personId);
    const { t } = await wordsFor(request);
    return redirectWithFlash("/admin/erasures", {
      kind: "success",
      message: t("my-data.admin.done", { name: name?.name ?? name?.email ?? String(personId), ...result }),
    });
  } catch (error) {
    return refusalReply(error, submission, request);
  }
}

export default function AdminErasures() {
  const { requests } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const t = useT();
  const format = useFormat();
  return (
    <div className="stack">
      <h1>{t("my-data.admin.title")}</h1>
      <p>{t("my-data.admin.intro")}</p>
      <FormErrors
        id="erasure-errors"
        errors={[...(result?.error?.[""] ?? []), ...(result?.error?.confirm ?? [])]}
      />
      {requests.length ? (
        <ul className="stack">
          {requests.map((r) => {
            const name = r.name ?? r.email;
            return (
              <li key={r.id} className="card stack">
                <p>
                  <Link to={`/admin/people/${r.id}`}>{name}</Link> ({r.email}) · {t("my-data.admin.asked")}:{" "}
                  {format.dateTime(r.requestedAt)}
                </p>
                <Form method="post" className="stack">
                  <input type="hidden" name="intent" value="erase" />
                  <input type="hidden" name="personId" value={r.id} />
                  <div className="checkbox">
                    <input type="checkbox" id={`confirm-${r.id}`} name="confirm" required />
                    <label htmlFor={`confirm-${r.id}`}>{t("my-data.admin.confirm", { name })}</label>
                  </div>
                  <button type="submit" className="danger">
                    {t("my-data.admin.erase", { name })}
                  </button>
                </Form>
              </li>
            );
          })}
        </ul>
      ) : (
        <p className="muted">{t("my-data.admin.none")}</p>
      )}
    </div>
  );
}
