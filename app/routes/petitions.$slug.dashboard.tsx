import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { BreakdownBars } from "../components/breakdown-bars";
import { formatDate, formatDateTime } from "../components/format";
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
import type { Breakdown } from "../platform/anonymity/small-groups";
import { K } from "../platform/anonymity/small-groups";
import { say } from "../platform/said";
import { MAIL_KINDS } from "../vocabulary/mail-kinds";
import { redirectWithFlash } from "../web/flash.server";
import { redirectFromFormerAddress } from "../web/former-addresses.server";
import { notFound, refusalReply, refuseIf } from "../web/refusal-reply.server";
import { parseQuery, readForm } from "../web/request.server";
import { requireUser } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `Dashboard · ${data?.petition.title ?? "Petition"} · Undersigned` },
];

async function requireDashboard(request: Request, slug: string | undefined) {
  const user = await requireUser(request);
  const petition = findViewablePetition(slug ?? "", user);
  if (!petition) notFound(say("server.notFound.petition"));
  refuseIf(dashboardRefusalFor(petition, user));
  return { user, petition };
}

const querySchema = z.object({ by: z.enum(["hour", "day"]).optional().catch(undefined) });

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { user, petition } = await requireDashboard(request, params.slug);
  redirectFromFormerAddress(request, "/petitions/", params.slug, petition.slug);
  const { by } = parseQuery(request, querySchema);
  return json(await organizerDashboard(petition, user, { resolution: by }));
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
): string {
  switch (value.intent) {
    case "post-update":
      postPetitionUpdate(petitionId, value.body, user);
      return "Update posted. Signers who get updates will have it by email within a few minutes.";
    case "declare-victory":
      transitionPetition(petitionId, { action: "declare-victory", note: value.body }, user);
      return "Victory declared. Signers will get your note by email.";
    case "invite-organizer":
      inviteOrganizer(petitionId, value.email, user);
      return "Invitation sent: they become a co-organizer when they accept it.";
    case "remove-organizer":
      removeOrganizer(petitionId, value.personId, user);
      return "Removed from the organizers.";
    case "leave":
      leaveOrganizers(petitionId, user);
      return "You no longer co-organize this petition.";
  }
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { user, petition } = await requireDashboard(request, params.slug);
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
    const message = act(value, petition.id, user);
    return redirectWithFlash(`/petitions/${petition.slug}/dashboard`, { kind: "success", message });
  } catch (error) {
    return refusalReply(error, submission, request);
  }
}

function BreakdownCard({
  title,
  breakdown,
  headcounts,
  asOf,
}: {
  title: "Department" | "Location";
  breakdown: Breakdown;
  headcounts: Headcounts;
  asOf: number;
}) {
  const id = `breakdown-${title.toLowerCase()}`;
  return (
    <section className="card" aria-labelledby={id}>
      <h3 id={id}>By {title.toLowerCase()}</h3>
      {breakdown.total === 0 ? (
        <p className="muted">No public signatures before {formatDate(asOf)}.</p>
      ) : (
        <BreakdownBars breakdown={breakdown} headcounts={headcounts} what={title.toLowerCase()} />
      )}
    </section>
  );
}

export default function Dashboard() {
  const data = useLoaderData<typeof loader>();
  const { petition, dashboard, viewer } = data;
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
        <Link to={base}>← {petition.title}</Link>
      </p>
      <h1>Dashboard</h1>
      <p className="meta">
        <StateBadge state={petition.state} hidden={petition.hidden} won={petition.won} />
      </p>

      <section className="card" aria-labelledby="numbers-title">
        <h2 id="numbers-title">Signatures</h2>
        <dl className="stats">
          <div>
            <dt>Total</dt>
            <dd>{dashboard.count.toLocaleString("en")}</dd>
          </div>
          {dashboard.recent ? (
            <>
              <div>
                <dt>Today (UTC)</dt>
                <dd>{dashboard.recent.today.toLocaleString("en")}</dd>
              </div>
              <div>
                <dt>Last 7 days</dt>
                <dd>{dashboard.recent.lastWeek.toLocaleString("en")}</dd>
              </div>
            </>
          ) : dashboard.closedOn ? (
            <div>
              <dt>Closed</dt>
              <dd>{formatDate(dashboard.closedOn)}</dd>
            </div>
          ) : null}
        </dl>
        {/* "Every milestone has been reached" is the progress bar's to say, once. */}
        <MilestoneProgress count={dashboard.count} next={dashboard.nextThreshold} />
        {projection.kind === "likely" ? (
          <p>{`At the recent rate (about ${Math.round(projection.perDay).toLocaleString("en")} a day), the next milestone is likely on ${formatDate(projection.at)}.`}</p>
        ) : projection.kind === "not-at-current-rate" ? (
          <p>
            {projection.reason === "after-closing"
              ? `Not before the petition closes at the current rate (about ${Math.round(projection.perDay).toLocaleString("en")} a day).`
              : "Not at the current rate: no signatures in the last 7 days."}
          </p>
        ) : null}
        <ul className="milestones">
          {dashboard.milestones.map((m) => (
            <li key={m.threshold}>
              <label htmlFor={`milestone-${m.threshold}`}>
                {m.threshold.toLocaleString("en")} signatures
                {m.reachedAt ? ` — reached ${formatDateTime(m.reachedAt)}` : ""}
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
        <h2 id="chart-title">Signatures over time</h2>
        <p>
          {dashboard.series.resolution === "hour" ? (
            <>
              By hour, the first three days. <Link to="?by=day">Show by day</Link>
            </>
          ) : (
            <>
              By day. <Link to="?by=hour">Show the first three days by hour</Link>
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
        <h2 id="breakdown-title">Who signs</h2>
        <p>
          Public signers at the start of {formatDate(dashboard.breakdowns.asOf)} (UTC), as a share of each
          group&apos;s colleagues in the directory: the shortest bars are where to campaign. A group with
          fewer than {K} public signers is combined with others. Anonymous signers have no department or
          location here: <strong>{dashboard.breakdowns.anonymous.toLocaleString("en")}</strong> that day.
        </p>
        <div className="grid-2">
          <BreakdownCard
            title="Department"
            breakdown={dashboard.breakdowns.department}
            headcounts={dashboard.breakdowns.headcounts.department}
            asOf={dashboard.breakdowns.asOf}
          />
          <BreakdownCard
            title="Location"
            breakdown={dashboard.breakdowns.location}
            headcounts={dashboard.breakdowns.headcounts.location}
            asOf={dashboard.breakdowns.asOf}
          />
        </div>
        <Form method="post" action={`${base}/export`} reloadDocument>
          <button type="submit" className="secondary">
            Download public signers (CSV)
          </button>{" "}
          <span className="muted">
            Names, departments and days of public signers; anonymous signers only as a count. Downloads are
            recorded in the audit log.
          </span>
        </Form>
      </section>

      <div className="grid-2">
        <section className="card" aria-labelledby="discussion-title">
          <h2 id="discussion-title">Discussion</h2>
          <ul>
            <li>{dashboard.discussion.total.toLocaleString("en")} comments</li>
            <li>{dashboard.discussion.lastWeek.toLocaleString("en")} in the last 7 days</li>
            <li>{dashboard.discussion.reported.toLocaleString("en")} reported, awaiting moderators</li>
            <li>{dashboard.discussion.hidden.toLocaleString("en")} hidden</li>
            {dashboard.discussion.locked ? <li>Locked by moderators</li> : null}
          </ul>
          <p>
            <Link to={`${base}#comments`}>Open the discussion</Link>
          </p>
        </section>
        <section className="card" aria-labelledby="mail-title">
          <h2 id="mail-title">Emails about this petition</h2>
          {mailKinds.length ? (
            <table className="data-table">
              <thead>
                <tr>
                  <th scope="col">Email</th>
                  <th scope="col">Sent</th>
                  <th scope="col">Waiting</th>
                  <th scope="col">Failed</th>
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
                      <th scope="row">{MAIL_KINDS[kind].label}</th>
                      <td>{n("sent").toLocaleString("en")}</td>
                      <td>{(n("queued") + n("sending")).toLocaleString("en")}</td>
                      <td>{n("failed").toLocaleString("en")}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          ) : (
            <p className="muted">No emails yet.</p>
          )}
          {data.updates.some((u) => u.emailing) ? (
            <p className="muted">An update is still being queued to signers, a batch each minute.</p>
          ) : null}
        </section>
      </div>

      <section className="card stack" aria-labelledby="updates-title">
        <h2 id="updates-title">Updates to signers</h2>
        {viewer.canPostUpdate ? (
          <Form method="post" className="stack" {...getFormProps(updateForm)}>
            <FormErrors id={updateForm.errorId} errors={updateForm.errors} />
            <TextareaField
              label="New update (markdown)"
              hint={
                data.nextUpdateAt
                  ? `One update a day: the next can be posted after ${formatDateTime(data.nextUpdateAt)}.`
                  : "Shown on the petition page and emailed to signers who get updates. One update a day. Signers' addresses are never shown to you: the platform sends it."
              }
              field={updateFields.body}
              rows={5}
            />
            {preview !== null ? (
              <section className="card stack" aria-labelledby="update-preview-title">
                <h3 id="update-preview-title">Preview: the update as signers will read it</h3>
                <SanitizedHtml html={preview} />
              </section>
            ) : null}
            <p className="muted">
              {data.updateRecipients === 0
                ? "Nobody has signed publicly yet, so it goes by email to nobody for now; it is shown on the petition page and in its feed."
                : `It will be emailed to the ${data.updateRecipients?.toLocaleString("en")} ${data.updateRecipients === 1 ? "colleague" : "colleagues"} who signed publicly (less any who turned these emails off). Anonymous signers read it on the petition page and in its feed.`}
            </p>
            <div className="row">
              <button type="submit" name="intent" value="preview-update" className="secondary">
                Preview
              </button>
              <button type="submit" name="intent" value="post-update">
                Post update
              </button>
            </div>
          </Form>
        ) : null}
        {data.updates.length ? (
          <UpdateList updates={data.updates} withTime />
        ) : (
          <p className="muted">No updates yet.</p>
        )}
      </section>

      {viewer.canDeclareVictory ? (
        <section className="card stack" aria-labelledby="victory-title">
          <h2 id="victory-title">Declare victory</h2>
          <p>
            When the ask is met, mark the petition won.{" "}
            {petition.state === "open" ? "It stops collecting signatures. " : ""}
            Your note is shown on the petition and emailed to its signers.
          </p>
          <Form method="post" className="stack" {...getFormProps(victoryForm)}>
            <FormErrors id={victoryForm.errorId} errors={victoryForm.errors} />
            <input type="hidden" name="intent" value="declare-victory" />
            <TextareaField label="What was won (markdown)" field={victoryFields.body} rows={4} />
            <button type="submit">Declare victory</button>
          </Form>
        </section>
      ) : null}

      <section className="card stack" aria-labelledby="organizers-title">
        <h2 id="organizers-title">Organizers</h2>
        <p className="muted">
          The creator and the colleagues who accepted the creator&apos;s invitation. Co-sponsors endorse the
          petition; they are not organizers.
        </p>
        <FormErrors errors={removeResult?.error?.[""] ?? leaveResult?.error?.[""] ?? undefined} />
        <ul>
          {data.organizers.map((o) => (
            <li key={o.key}>
              {o.name ?? "A colleague"}{" "}
              <span className="muted">
                ({o.role === "invited" ? "invited, not yet answered" : o.role.replace("-", " ")})
              </span>
              {o.personId !== null ? (
                <Form method="post" className="inline-form">
                  <input type="hidden" name="intent" value="remove-organizer" />
                  <input type="hidden" name="personId" value={o.personId} />
                  <button type="submit" className="link-button">
                    {o.role === "invited"
                      ? "Withdraw the invitation"
                      : `Remove ${o.name ?? "this co-organizer"}`}
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
              Stop co-organizing this petition
            </button>
          </Form>
        ) : null}
        {viewer.canInvite ? (
          <Form method="post" className="stack" {...getFormProps(organizerForm)}>
            <FormErrors id={organizerForm.errorId} errors={organizerForm.errors} />
            <input type="hidden" name="intent" value="invite-organizer" />
            <InputField
              label="Invite a co-organizer (their work email)"
              hint="Any current colleague in the staff directory. They are emailed an invitation; once they accept, they see this dashboard and can post updates. Only you, the creator, invite and remove co-organizers and declare victory."
              field={organizerFields.email}
              type="email"
            />
            <button type="submit" className="secondary">
              Send the invitation
            </button>
          </Form>
        ) : null}
      </section>
    </div>
  );
}
