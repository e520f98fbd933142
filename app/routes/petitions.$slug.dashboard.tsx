import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { BreakdownBars } from "../components/breakdown-bars";
import { FormErrors, InputField, TextareaField, useActionResultFor } from "../components/forms";
import { MilestoneProgress, StateBadge, UpdateList } from "../components/petition-bits";
import { SanitizedHtml } from "../components/sanitized-html";
import { SignatureChart } from "../components/signature-chart";
import type { User } from "../domain/identity/sessions.server";
import { type Headcounts, organizerDashboard } from "../domain/petitions/dashboard.server";
import { coOrganizerSchema, petitionUpdateSchema, victorySchema } from "../domain/petitions/forms";
import { transitionPetition } from "../domain/petitions/lifecycle.server";
import { inviteOrganizer, leaveOrganizers, removeOrganizer } from "../domain/petitions/organizers.server";
import { findViewablePetition } from "../domain/petitions/reads.server";
import { dashboardRefusalFor } from "../domain/petitions/standing.server";
import { postPetitionUpdate, previewPetitionUpdate } from "../domain/petitions/updates.server";
import { useFormat } from "../i18n/format";
import { type Translate, useT } from "../i18n/translate";
import type { Breakdown } from "../platform/anonymity/small-groups";
import { K } from "../platform/anonymity/small-groups";
import { redirectWithFlash } from "../web/flash.server";
import { redirectFromFormerAddress } from "../web/former-addresses.server";
import { wordsFor } from "../web/reader.server";
import { notFound, refusalReply, refuseIf } from "../web/refusal-reply.server";
import { parseQuery, readForm } from "../web/request.server";
import { requireUser } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Undersigned" }];

async function requireDashboard(request: Request, slug: string | undefined) {
  const user = await requireUser(request);
  const { t } = await wordsFor(request);
  const petition = findViewablePetition(slug ?? "", user);
  if (!petition) notFound(t("petition.notFound"));
  refuseIf(dashboardRefusalFor(petition, user));
  return { user, petition, t };
}

const querySchema = z.object({ by: z.enum(["hour", "day"]).optional().catch(undefined) });

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, petition, t } = await requireDashboard(request, params.slug);
  redirectFromFormerAddress(request, "/petitions/", params.slug, petition.slug);
  const { by } = parseQuery(request, querySchema);
  return json({
    title: t("common.pageTitle", { page: t("petition.dashboard.pageTitle", { title: petition.title }) }),
    ...(await organizerDashboard(petition, user, { resolution: by })),
  });
}

const actionSchema = z.discriminatedUnion("intent", [
  petitionUpdateSchema.extend({ intent: z.literal("preview-update") }),
  petitionUpdateSchema.extend({ intent: z.literal("post-update") }),
  victorySchema.extend({ intent: z.literal("declare-victory") }),
  coOrganizerSchema.extend({ intent: z.literal("invite-organizer") }),
  z.object({ intent: z.literal("remove-organizer"), personId: z.coerce.number().int().positive() }),
  z.object({ intent: z.literal("leave") }),
]);

function act(
  value: Exclude<z.output<typeof actionSchema>, { intent: "preview-update" }>,
  petitionId: number,
  user: User,
  t: Translate,
): string {
  switch (value.intent) {
    case "post-update":
      postPetitionUpdate(petitionId, value.body, user);
      return t("petition.dashboard.flash.posted");
    case "declare-victory":
      transitionPetition(petitionId, { action: "declare-victory", note: value.body }, user);
      return t("petition.dashboard.flash.victory");
    case "invite-organizer":
      inviteOrganizer(petitionId, value.email, user);
      return t("petition.dashboard.flash.invited");
    case "remove-organizer":
      removeOrganizer(petitionId, value.personId, user);
      return t("petition.dashboard.flash.removed");
    case "leave":
      leaveOrganizers(petitionId, user);
      return t("petition.dashboard.flash.left");
  }
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, petition, t } = await requireDashboard(request, params.slug);
  const submission = parseWithZod(await readForm(request), { schema: actionSchema });
  if (submission.status !== "success") return json(submission.reply(), { status: 400 });
  try {
    const value = submission.value;
    // A preview changes nothing: the form comes back as typed, with the update as signers will read it.
    if (value.intent === "preview-update") {
      return json({
        result: submission.reply(),
        preview: previewPetitionUpdate(petition.id, value.body, user),
      });
    }
    const message = act(value, petition.id, user, t);
    return redirectWithFlash(`/petitions/${petition.slug}/dashboard`, { kind: "success", message });
  } catch (error) {
    return refusalReply(error, submission, request);
  }
}

function BreakdownCard({
  what,
  breakdown,
  headcounts,
  asOf,
}: {
  what: "department" | "location";
  breakdown: Breakdown;
  headcounts: Headcounts;
  asOf: number;
}) {
  const t = useT();
  const format = useFormat();
  const id = `breakdown-${what}`;
  return (
    <section className="card" aria-labelledby={id}>
      <h3 id={id}>{t("petition.dashboard.by", { what })}</h3>
      {breakdown.total === 0 ? (
        <p className="muted">{t("petition.dashboard.noPublicBefore", { day: format.utcDay(asOf) })}</p>
      ) : (
        <BreakdownBars breakdown={breakdown} headcounts={headcounts} what={what} />
      )}
    </section>
  );
}

export default function Dashboard() {
  const data = useLoaderData<typeof loader>();
  const { petition, dashboard, viewer } = data;
  const t = useT();
  const format = useFormat();
  const base = `/petitions/${petition.slug}`;
  const previewResult = useActionResultFor("preview-update");
  const updateResult = useActionResultFor("post-update") ?? previewResult;
  const actionData = useActionData<typeof action>();
  const preview = previewResult && actionData && "preview" in actionData ? actionData.preview : null;
  const victoryResult = useActionResultFor("declare-victory");
  const organizerResult = useActionResultFor("invite-organizer");
  const removeResult = useActionResultFor("remove-organizer");
  const leaveResult = useActionResultFor("leave");
  const [updateForm, updateFields] = useForm({
    id: "post-update",
    lastResult: updateResult,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: petitionUpdateSchema }),
    shouldRevalidate: "onBlur",
  });
  const [victoryForm, victoryFields] = useForm({
    id: "declare-victory",
    lastResult: victoryResult,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: victorySchema }),
    shouldRevalidate: "onBlur",
  });
  const [organizerForm, organizerFields] = useForm({
    id: "invite-organizer",
    lastResult: organizerResult,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: coOrganizerSchema }),
    shouldRevalidate: "onBlur",
  });
  const { projection } = dashboard;
  const mailKinds = [...new Set(dashboard.mail.map((m) => m.kind))];

  return (
    <div className="stack">
      <p>
        <Link to={base}>{t("petition.backTo", { title: petition.title })}</Link>
      </p>
      <h1>{t("petition.dashboard.title")}</h1>
      <p className="meta">
        <StateBadge state={petition.state} hidden={petition.hidden} won={petition.won} />
      </p>

      <section className="card" aria-labelledby="numbers-title">
        <h2 id="numbers-title">{t("petition.page.signatures")}</h2>
        <dl className="stats">
          <div>
            <dt>{t("petition.groups.total")}</dt>
            <dd>{format.number(dashboard.count)}</dd>
          </div>
          {dashboard.recent ? (
            <>
              <div>
                <dt>{t("petition.dashboard.today")}</dt>
                <dd>{format.number(dashboard.recent.today)}</dd>
              </div>
              <div>
                <dt>{t("petition.dashboard.lastWeek")}</dt>
                <dd>{format.number(dashboard.recent.lastWeek)}</dd>
              </div>
            </>
          ) : dashboard.closedOn ? (
            <div>
              <dt>{t("petition.state.closed")}</dt>
              <dd>{format.utcDay(dashboard.closedOn)}</dd>
            </div>
          ) : null}
        </dl>
        {/* "Every milestone has been reached" is the progress bar's to say, once. */}
        <MilestoneProgress count={dashboard.count} next={dashboard.nextThreshold} />
        {projection.kind === "likely" ? (
          <p>
            {t("petition.dashboard.likely", {
              perDay: Math.round(projection.perDay),
              day: format.date(projection.at),
            })}
          </p>
        ) : projection.kind === "not-at-current-rate" ? (
          <p>
            {projection.reason === "after-closing"
              ? t("petition.dashboard.notBeforeClosing", { perDay: Math.round(projection.perDay) })
              : t("petition.dashboard.notAtRate")}
          </p>
        ) : null}
        <ul className="milestones">
          {dashboard.milestones.map((m) => (
            <li key={m.threshold}>
              <label htmlFor={`milestone-${m.threshold}`}>
                {m.reachedAt
                  ? t("petition.dashboard.milestoneReached", {
                      count: m.threshold,
                      at: format.dateTime(m.reachedAt),
                    })
                  : t("petition.my.signatures", { count: m.threshold })}
              </label>
              <progress
                id={`milestone-${m.threshold}`}
                max={m.threshold}
                value={Math.min(dashboard.count, m.threshold)}
              />
            </li>
          ))}
        </ul>
      </section>

      <section className="card" aria-labelledby="chart-title">
        <h2 id="chart-title">{t("petition.dashboard.overTime")}</h2>
        <p>
          {dashboard.series.resolution === "hour" ? (
            <>
              {t("petition.dashboard.byHour")} <Link to="?by=day">{t("petition.dashboard.showByDay")}</Link>
            </>
          ) : (
            <>
              {t("petition.dashboard.byDay")} <Link to="?by=hour">{t("petition.dashboard.showByHour")}</Link>
            </>
          )}
        </p>
        <SignatureChart
          points={dashboard.series.points}
          bucketMs={dashboard.series.bucketMs}
          milestones={dashboard.milestones}
        />
      </section>

      <section aria-labelledby="breakdown-title" className="stack">
        <h2 id="breakdown-title">{t("petition.dashboard.whoSigns")}</h2>
        <p>
          {t.rich("petition.dashboard.whoSignsExplain", {
            day: format.utcDay(dashboard.breakdowns.asOf),
            k: K,
            anonymous: dashboard.breakdowns.anonymous,
            strong: (chunks) => <strong>{chunks}</strong>,
          })}
        </p>
        <div className="grid-2">
          <BreakdownCard
            what="department"
            breakdown={dashboard.breakdowns.department}
            headcounts={dashboard.breakdowns.headcounts.department}
            asOf={dashboard.breakdowns.asOf}
          />
          <BreakdownCard
            what="location"
            breakdown={dashboard.breakdowns.location}
            headcounts={dashboard.breakdowns.headcounts.location}
            asOf={dashboard.breakdowns.asOf}
          />
        </div>
        <Form method="post" action={`${base}/export`} reloadDocument>
          <button type="submit" className="secondary">
            {t("petition.dashboard.download")}
          </button>{" "}
          <span className="muted">{t("petition.dashboard.downloadHint")}</span>
        </Form>
      </section>

      <div className="grid-2">
        <section className="card" aria-labelledby="discussion-title">
          <h2 id="discussion-title">{t("petition.dashboard.discussion")}</h2>
          <ul>
            <li>{t("petition.dashboard.comments", { count: dashboard.discussion.total })}</li>
            <li>{t("petition.dashboard.commentsLastWeek", { count: dashboard.discussion.lastWeek })}</li>
            <li>{t("petition.dashboard.reported", { count: dashboard.discussion.reported })}</li>
            <li>{t("petition.dashboard.hidden", { count: dashboard.discussion.hidden })}</li>
            {dashboard.discussion.locked ? <li>{t("petition.dashboard.locked")}</li> : null}
          </ul>
          <p>
            <Link to={`${base}#comments`}>{t("petition.dashboard.openDiscussion")}</Link>
          </p>
        </section>
        <section className="card" aria-labelledby="mail-title">
          <h2 id="mail-title">{t("petition.dashboard.emails")}</h2>
          {mailKinds.length ? (
            <table className="data-table">
              <thead>
                <tr>
                  <th scope="col">{t("petition.dashboard.email")}</th>
                  <th scope="col">{t("petition.dashboard.sent")}</th>
                  <th scope="col">{t("petition.dashboard.waiting")}</th>
                  <th scope="col">{t("petition.dashboard.failed")}</th>
                </tr>
              </thead>
              <tbody>
                {mailKinds.map((kind) => {
                  const n = (status: string) =>
                    dashboard.mail
                      .filter((m) => m.kind === kind && m.status === status)
                      .reduce((a, m) => a + m.n, 0);
                  return (
                    <tr key={kind}>
                      <th scope="row">{t(`petition.mailKind.${kind}`)}</th>
                      <td>{format.number(n("sent"))}</td>
                      <td>{format.number(n("queued") + n("sending"))}</td>
                      <td>{format.number(n("failed"))}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          ) : (
            <p className="muted">{t("petition.dashboard.noEmails")}</p>
          )}
          {data.updates.some((u) => u.emailing) ? (
            <p className="muted">{t("petition.dashboard.queueing")}</p>
          ) : null}
        </section>
      </div>

      <section className="card stack" aria-labelledby="updates-title">
        <h2 id="updates-title">{t("petition.dashboard.updates")}</h2>
        {viewer.canPostUpdate ? (
          <Form method="post" className="stack" {...getFormProps(updateForm)}>
            <FormErrors id={updateForm.errorId} errors={updateForm.errors} />
            <TextareaField
              label={t("petition.dashboard.newUpdate")}
              hint={
                data.nextUpdateAt
                  ? t("petition.dashboard.nextUpdate", { at: format.dateTime(data.nextUpdateAt) })
                  : t("petition.dashboard.updateHint")
              }
              field={updateFields.body}
              rows={5}
            />
            {preview !== null ? (
              <section className="card stack" aria-labelledby="update-preview-title">
                <h3 id="update-preview-title">{t("petition.dashboard.previewTitle")}</h3>
                <SanitizedHtml html={preview} />
              </section>
            ) : null}
            <p className="muted">
              {data.updateRecipients === 0
                ? t("petition.dashboard.noRecipients")
                : t("petition.dashboard.recipients", { count: data.updateRecipients ?? 0 })}
            </p>
            <div className="row">
              <button type="submit" name="intent" value="preview-update" className="secondary">
                {t("petition.invalidate.preview")}
              </button>
              <button type="submit" name="intent" value="post-update">
                {t("petition.dashboard.post")}
              </button>
            </div>
          </Form>
        ) : null}
        {data.updates.length ? (
          <UpdateList updates={data.updates} withTime />
        ) : (
          <p className="muted">{t("petition.dashboard.noUpdates")}</p>
        )}
      </section>

      {viewer.canDeclareVictory ? (
        <section className="card stack" aria-labelledby="victory-title">
          <h2 id="victory-title">{t("petition.dashboard.declareVictory")}</h2>
          <p>{t("petition.dashboard.victoryExplain", { open: petition.state === "open" ? "yes" : "no" })}</p>
          <Form method="post" className="stack" {...getFormProps(victoryForm)}>
            <FormErrors id={victoryForm.errorId} errors={victoryForm.errors} />
            <input type="hidden" name="intent" value="declare-victory" />
            <TextareaField label={t("petition.dashboard.whatWasWon")} field={victoryFields.body} rows={4} />
            <button type="submit">{t("petition.dashboard.declareVictory")}</button>
          </Form>
        </section>
      ) : null}

      <section className="card stack" aria-labelledby="organizers-title">
        <h2 id="organizers-title">{t("petition.dashboard.organizers")}</h2>
        <p className="muted">{t("petition.dashboard.organizersExplain")}</p>
        <FormErrors errors={removeResult?.error?.[""] ?? leaveResult?.error?.[""] ?? undefined} />
        <ul>
          {data.organizers.map((o) => (
            <li key={o.key}>
              {o.name ?? t("petition.aColleague")}{" "}
              <span className="muted">{t("petition.dashboard.role", { role: o.role })}</span>
              {o.personId !== null ? (
                <Form method="post" className="inline-form">
                  <input type="hidden" name="intent" value="remove-organizer" />
                  <input type="hidden" name="personId" value={o.personId} />
                  <button type="submit" className="link-button">
                    {o.role === "invited"
                      ? t("petition.dashboard.withdrawInvitation")
                      : o.name
                        ? t("petition.dashboard.remove", { name: o.name })
                        : t("petition.dashboard.removeThis")}
                  </button>
                </Form>
              ) : null}
            </li>
          ))}
        </ul>
        {viewer.canLeave ? (
          <Form method="post" className="inline-form">
            <input type="hidden" name="intent" value="leave" />
            <button type="submit" className="link-button">
              {t("petition.dashboard.leave")}
            </button>
          </Form>
        ) : null}
        {viewer.canInvite ? (
          <Form method="post" className="stack" {...getFormProps(organizerForm)}>
            <FormErrors id={organizerForm.errorId} errors={organizerForm.errors} />
            <input type="hidden" name="intent" value="invite-organizer" />
            <InputField
              label={t("petition.dashboard.invite")}
              hint={t("petition.dashboard.inviteHint")}
              field={organizerFields.email}
              type="email"
            />
            <button type="submit" className="secondary">
              {t("petition.dashboard.sendInvitation")}
            </button>
          </Form>
        ) : null}
      </section>
    </div>
  );
}
