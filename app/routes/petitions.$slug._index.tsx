import { getFormProps, getInputProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { useEffect, useState } from "react";
import { z } from "zod";
import { CommentThread } from "../components/comments/thread";
import { formatDate, formatDateTime } from "../components/format";
import {
  ChoiceField,
  FormErrors,
  InputField,
  PageActionButton,
  TextareaField,
  useActionResultFor,
} from "../components/forms";
import { MilestoneProgress, ResponseStatus, StateBadge, UpdateList } from "../components/petition-bits";
import { SignPanel } from "../components/petition/sign-panel";
import { SanitizedHtml } from "../components/sanitized-html";
import { KeyFingerprint } from "../components/transparency-bits";
import { useLazyValidation } from "../components/validation";
import { threadQuerySchema } from "../domain/discussion/forms";
import { loadThread } from "../domain/discussion/thread.server";
import { countByVisibility } from "../domain/petitions/counts.server";
import { addMilestone, approveResponseObligation } from "../domain/petitions/drafting.server";
import {
  milestoneInputSchema,
  signSchema,
  type Transition,
  transitionSchema,
} from "../domain/petitions/forms";
import { dropCoSponsor, transitionPetition } from "../domain/petitions/lifecycle.server";
import { petitionKeyView } from "../domain/petitions/petition-keys.server";
import { findViewablePetition, petitionBodyHtml, petitionPage } from "../domain/petitions/reads.server";
import type { TransitionAction } from "../domain/petitions/rights.server";
import { findOwnSignature, signPetition, withdrawSignature } from "../domain/petitions/signing.server";
import { petitionTimeline } from "../domain/petitions/timeline.server";
import { listPetitionUpdates } from "../domain/petitions/updates.server";
import { witnessNames } from "../domain/transparency/log-reads.server";
import { REJECTION_LABELS, REJECTION_REASONS } from "../vocabulary/petitions";
import { redirectWithFlash } from "../web/flash.server";
import { notFound, refusalReply } from "../web/refusal-reply.server";
import { clientIp, parseQuery, readForm } from "../web/request.server";
import { getUser, requireUser } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.petition.title ?? "Petition"} · Undersigned` },
  { name: "description", content: data?.petition.summary ?? "" },
];

/**
 * The comments a petition page shows: the first few of the chosen sort, each with its first reply.
 * The whole discussion, paged, is at /discussions/petition/ID: rendering 80 comments was most of
 * the cost of a busy petition's page (docs/benchmarks.md).
 */
const PETITION_PAGE_COMMENTS = 5;

/** What the page renders, and nothing more: `?_data=` hands the browser this object whole. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const user = await getUser(request);
  const found = petitionPage(params.slug ?? "", user);
  if (!found) notFound("There is no petition at this address.");
  const { row, page } = found;
  const threadQuery = parseQuery(request, threadQuerySchema);
  // An older link to a later page of the petition's comments: that page is the discussion's now.
  if (threadQuery.page > 1)
    throw redirect(
      `/discussions/petition/${row.id}?${new URLSearchParams({ sort: threadQuery.sort, page: String(threadQuery.page) })}#comments`,
    );
  const own = user ? findOwnSignature(row.id, user.id) : undefined;
  const key = petitionKeyView(row.id);
  return json({
    // What the browser blinds against and pins: published in the petition's JSON too.
    anonymity: key && !key.retiredOn ? { publicKey: key.publicKey, fingerprint: key.fingerprint } : null,
    /** Shown for colleagues to compare (the first 16 hex characters of it). */
    keyFingerprint: key?.fingerprint ?? null,
    witnesses: witnessNames(),
    ...page,
    bodyHtml: petitionBodyHtml(row),
    ownSignature: own
      ? {
          visibility: own.visibility,
          seq: own.ledgerSeq,
          hash: own.ledgerHash,
          invalidated: Boolean(own.invalidatedAt),
        }
      : null,
    ...countByVisibility(row.id),
    timeline: petitionTimeline(row),
    updates: listPetitionUpdates(row.id, "day").map(({ emailing: _emailing, ...update }) => update),
    discussion: loadThread({ type: "petition", id: row.id }, user, {
      ...threadQuery,
      preview: PETITION_PAGE_COMMENTS,
    }),
  });
}

const actionSchema = z.discriminatedUnion("intent", [
  signSchema.extend({ intent: z.literal("sign") }),
  z.object({ intent: z.literal("withdraw") }),
  z.object({ intent: z.literal("transition"), step: z.string() }),
  milestoneInputSchema.extend({ intent: z.literal("add-milestone") }),
  z.object({ intent: z.literal("approve-response"), milestoneId: z.coerce.number().int().positive() }),
  z.object({ intent: z.literal("drop-co-sponsor"), personId: z.coerce.number().int().positive() }),
]);

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request);
  // Not petitionPage: an action needs the petition and the right to see it, not the page's data.
  const petition = findViewablePetition(params.slug ?? "", user);
  if (!petition) notFound("There is no petition at this address.");
  const formData = await readForm(request);
  const submission = parseWithZod(formData, { schema: actionSchema });
  if (submission.status !== "success") return json(submission.reply(), { status: 400 });
  const value = submission.value;
  const here = `/petitions/${petition.slug}`;
  try {
    switch (value.intent) {
      case "sign": {
        if (value.visibility === "anonymous") {
          // The browser signs anonymously without this action: reaching it means no JavaScript, and
          // a signature made here would carry the session. Never silently make it public.
          return json(
            submission.reply({
              formErrors: [
                "Signing anonymously happens in your browser, with JavaScript, so that the server never learns who signed. Without JavaScript you can sign publicly, or not now.",
              ],
            }),
            { status: 400 },
          );
        }
        const { tokenMessage, tokenSignature, reason, wantsUpdates, noAnonymousSignature } = value;
        const result = await signPetition({
          petitionId: petition.id,
          user,
          reason,
          wantsUpdates,
          noAnonymousSignature,
          ip: clientIp(context),
          token:
            tokenMessage && tokenSignature ? { message: tokenMessage, signature: tokenSignature } : undefined,
        });
        return redirectWithFlash(here, {
          kind: "success",
          message: `Thank you for signing. Your receipt is entry #${result.receipt.seq} in the petition's ledger.${
            result.reasonPosted === false
              ? " Your reason was not posted: the discussion is locked, or you have posted many comments recently. You can post it as a comment later."
              : ""
          }`,
        });
      }
      case "withdraw": {
        withdrawSignature(petition.id, user);
        return redirectWithFlash(here, { kind: "info", message: "Your signature was withdrawn." });
      }
      case "transition": {
        // The step is named "step" in forms: a field named "action" would shadow form.action in the DOM.
        const transition = transitionSchema.safeParse({
          ...Object.fromEntries(formData),
          action: value.step,
        });
        if (!transition.success) {
          return json(submission.reply({ formErrors: transition.error.issues.map((i) => i.message) }), {
            status: 400,
          });
        }
        const updated = transitionPetition(petition.id, transition.data, user);
        return redirectWithFlash(here, {
          kind: "success",
          message: TRANSITION_MESSAGES[transition.data.action](updated.state),
        });
      }
      case "add-milestone": {
        addMilestone(
          petition.id,
          {
            threshold: value.threshold,
            responseRequired: value.responseRequired,
            responseDays: value.responseDays ?? null,
          },
          user,
        );
        return redirectWithFlash(here, {
          kind: "success",
          message: value.responseRequired
            ? `Milestone at ${value.threshold.toLocaleString("en")} added; a moderator decides whether leadership must respond at it.`
            : `Milestone at ${value.threshold.toLocaleString("en")} added.`,
        });
      }
      case "approve-response": {
        approveResponseObligation(petition.id, value.milestoneId, user);
        return redirectWithFlash(here, {
          kind: "success",
          message: "Approved: leadership must respond when the petition reaches that milestone.",
        });
      }
      case "drop-co-sponsor": {
        const updated = dropCoSponsor(petition.id, value.personId, user);
        return redirectWithFlash(here, {
          kind: "info",
          message:
            updated.state === "collecting" && petition.state === "awaiting_moderation"
              ? "Co-sponsor dropped: the petition is back to collecting co-sponsors."
              : "Co-sponsor dropped.",
        });
      }
    }
  } catch (error) {
    return refusalReply(
      error,
      submission,
      undefined,
      value.intent === "sign" ? "Your signature was not recorded." : undefined,
    );
  }
}

const TRANSITION_MESSAGES: Record<Transition["action"], (state: string) => string> = {
  submit: (state) =>
    state === "collecting"
      ? "Sent for co-sponsors: share this page's address with colleagues."
      : "Sent to the moderators.",
  "co-sponsor": (state) =>
    state === "awaiting_moderation"
      ? "Thank you: the petition has its co-sponsors and goes to the moderators."
      : "Thank you for co-sponsoring.",
  approve: () => "Approved: the petition is open for signatures.",
  reject: () => "Rejected; the organizers were told why.",
  close: () => "The petition is closed.",
  archive: () => "The petition is archived.",
  hide: () => "The petition is hidden from lists.",
  unhide: () => "The petition is visible again.",
  "declare-victory": () => "Victory declared: signers will get your note by email.",
  "request-close": () => "Asked: a moderator decides whether to close it early.",
};

/** While open, the count refreshes from the cheap count endpoint. */
function useLiveCount(slug: string, initial: number, live: boolean) {
  const [count, setCount] = useState(initial);
  useEffect(() => setCount(initial), [initial]);
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(async () => {
      const response = await fetch(`/api/petitions/${slug}/count`).catch(() => null);
      if (response?.ok) setCount(((await response.json()) as { signatureCount: number }).signatureCount);
    }, 15_000);
    return () => clearInterval(timer);
  }, [slug, live]);
  return count;
}

export default function PetitionPage() {
  const data = useLoaderData<typeof loader>();
  const { petition, viewer } = data;
  const count = useLiveCount(petition.slug, petition.signatureCount, petition.state === "open");
  const isOpen = viewer.acceptsSignatures;

  return (
    <article aria-labelledby="petition-title">
      <p>
        <Link to="/petitions">← Petitions</Link>
      </p>
      <h1 id="petition-title">{petition.title}</h1>
      <p className="meta">
        <StateBadge state={petition.state} hidden={petition.hidden} won={petition.won} />{" "}
        <ResponseStatus dueAt={data.responseDueAt} overdue={data.overdue} responded={data.responded} />{" "}
        Started by {data.creatorName}
        {petition.category ? ` · ${petition.category}` : ""}
        {petition.openedAt ? ` · opened ${formatDate(petition.openedAt)}` : ""}
        {petition.state === "open" && petition.closesAt ? ` · closes ${formatDate(petition.closesAt)}` : ""}
        {petition.closedAt ? ` · closed ${formatDate(petition.closedAt)}` : ""}
      </p>
      {viewer.canSeeDashboard ? (
        <p>
          <Link to={`/petitions/${petition.slug}/dashboard`}>Organizer dashboard</Link>
        </p>
      ) : null}
      {viewer.isInvited ? (
        <p className="flash flash-info">
          You are invited to co-organize this petition.{" "}
          <Link to={`/petitions/${petition.slug}/invitation`}>Answer the invitation</Link>
        </p>
      ) : null}
      {data.updates
        .filter((u) => u.kind === "victory")
        .map((u) => (
          <section key={u.id} className="card victory" aria-labelledby="victory-title">
            <h2 id="victory-title">Won</h2>
            <p className="meta">
              Its creator declared victory on{" "}
              <time dateTime={new Date(u.createdAt).toISOString()}>{formatDate(u.createdAt)}</time>.
            </p>
            <SanitizedHtml html={u.bodyHtml} />
          </section>
        ))}
      {petition.state === "rejected" && petition.rejectionReason ? (
        <p className="flash flash-error">
          Not approved: {REJECTION_LABELS[petition.rejectionReason]}. {petition.rejectionNote}
        </p>
      ) : null}
      {petition.hidden ? (
        <p className="flash flash-error">Hidden by moderators: {petition.hiddenReason}</p>
      ) : null}
      <div className="petition-layout">
        <div className="stack">
          <section className="card" aria-labelledby="ask-title">
            <h2 id="ask-title">What we ask</h2>
            <p>{petition.summary}</p>
          </section>
          {/* Sanitized by renderMarkdown (rehype-sanitize) on the server (petitionBodyHtml). */}
          {/* biome-ignore lint/security/noDangerouslySetInnerHtml: sanitized HTML */}
          <section className="card markdown" dangerouslySetInnerHTML={{ __html: data.bodyHtml }} />
          {data.updates.some((u) => u.kind === "update") ? (
            <section className="card" id="updates" aria-labelledby="updates-title">
              <h2 id="updates-title">Updates from the organizers</h2>
              <UpdateList updates={data.updates.filter((u) => u.kind === "update")} />
            </section>
          ) : null}
          {data.timeline.length > 1 ? (
            <section className="card" aria-labelledby="timeline-title">
              <h2 id="timeline-title">Timeline</h2>
              <ol className="timeline">
                {data.timeline.map((event) => (
                  <li key={`${event.at}-${event.text}`}>
                    <time dateTime={new Date(event.at).toISOString()}>{formatDate(event.at)}</time>{" "}
                    {event.href ? <Link to={event.href}>{event.text}</Link> : event.text}
                  </li>
                ))}
              </ol>
            </section>
          ) : null}
          {data.discussion ? (
            <CommentThread
              {...data.discussion}
              preview
              signInPath={`/sign-in?${new URLSearchParams({ redirectTo: `/petitions/${petition.slug}#comments` })}`}
            />
          ) : null}
        </div>
        <aside className="stack" aria-label="Signatures">
          <section className="card" aria-labelledby="count-title">
            <h2 id="count-title" className="sr-only">
              Signatures
            </h2>
            <p className="big-count" aria-live="polite">
              {count.toLocaleString("en")} <span className="muted">signatures</span>
            </p>
            <p className="muted">
              {data.publicCount.toLocaleString("en")} public · {data.anonymousCount.toLocaleString("en")}{" "}
              anonymous · <Link to={`/petitions/${petition.slug}/signers`}>Signers</Link>
            </p>
            {data.keyFingerprint ? (
              <KeyFingerprint fingerprint={data.keyFingerprint} label="This petition's signing key" />
            ) : null}
            <MilestoneProgress count={count} next={data.nextThreshold} />
            <h3>Milestones</h3>
            <ul className="milestones">
              {data.milestones.map((m) => (
                <li key={m.threshold}>
                  {m.threshold.toLocaleString("en")} signatures
                  {m.responseRequired ? ` — leadership must respond within ${m.responseDays} days` : ""}
                  {m.pendingApproval
                    ? ` — its creator asks for a response within ${m.responseDays} days (awaiting a moderator's approval)`
                    : ""}
                  {m.reachedAt ? (
                    <span className="muted"> · reached {formatDateTime(m.reachedAt)}</span>
                  ) : null}
                  {m.id !== null ? (
                    <PageActionButton
                      intent="approve-response"
                      instance={{ name: "milestoneId", value: String(m.id) }}
                      label="Approve this response obligation"
                      className="secondary"
                    />
                  ) : null}
                </li>
              ))}
            </ul>
          </section>

          <SignPanel
            petition={{ id: petition.id, slug: petition.slug, title: petition.title }}
            anonymity={data.anonymity}
            ownSignature={data.ownSignature}
            isOpen={isOpen}
            signedIn={viewer.signedIn}
            witnesses={data.witnesses}
          />

          <OrganizerPanel />
          <ModeratorPanel />
        </aside>
      </div>
    </article>
  );
}

function OrganizerPanel() {
  const { petition, viewer, coSponsors } = useLoaderData<typeof loader>();
  const showCoSponsors =
    ["collecting", "awaiting_moderation"].includes(petition.state) || coSponsors.length > 0;
  return (
    <>
      {showCoSponsors ? (
        <section className="card" aria-labelledby="sponsors-title">
          <h2 id="sponsors-title">Co-sponsors</h2>
          <p>
            {coSponsors.length} of {petition.coSponsorsRequired} needed
            {coSponsors.length && !viewer.canDropCoSponsors
              ? `: ${coSponsors.map((s) => s.name ?? "A colleague").join(", ")}`
              : ""}
            .
          </p>
          <p className="muted">Co-sponsors endorse the petition so it can open; they do not organize it.</p>
          {viewer.canDropCoSponsors && coSponsors.length ? (
            <ul>
              {coSponsors.map((s) => (
                <li key={s.personId}>
                  {s.name ?? "A colleague"}{" "}
                  {s.personId !== null ? (
                    <PageActionButton
                      intent="drop-co-sponsor"
                      instance={{ name: "personId", value: String(s.personId) }}
                      label={`Drop ${s.name ?? "this co-sponsor"}`}
                      className="link-button"
                    />
                  ) : null}
                </li>
              ))}
            </ul>
          ) : null}
          {viewer.transitions.includes("co-sponsor") ? (
            <PageActionButton
              intent="transition"
              step="co-sponsor"
              label="Co-sponsor this petition"
              className=""
            />
          ) : null}
          {petition.state === "collecting" && viewer.isCreator ? (
            <p className="muted">Share this page&apos;s address with colleagues so they can co-sponsor it.</p>
          ) : null}
        </section>
      ) : null}
      {viewer.transitions.includes("submit") ? (
        <section className="card stack" aria-labelledby="draft-title">
          <h2 id="draft-title">Your draft</h2>
          {viewer.canEdit ? (
            <p>
              <Link to={`/petitions/${petition.slug}/edit`}>Edit the draft</Link>
            </p>
          ) : null}
          <PageActionButton intent="transition" step="submit" label="Send for co-sponsors" className="" />
        </section>
      ) : null}
      {viewer.canAddMilestone ? <MilestoneForm /> : null}
      {viewer.isCreator && petition.closeRequest ? (
        <p className="card">
          You asked the moderators to close this petition early on {formatDate(petition.closeRequest.on)}; a
          moderator decides.
        </p>
      ) : null}
      {viewer.transitions.includes("request-close") ? <CloseRequestForm /> : null}
    </>
  );
}

/** The creator asks moderators to close the petition early: a moderator closes it (or not). */
function CloseRequestForm() {
  const [form, fields] = useForm({
    id: "transition-request-close",
    lastResult: useActionResultFor("transition", "request-close"),
    onValidate: useLazyValidation("closeRequestStep"),
    shouldValidate: "onBlur",
  });
  return (
    <section className="card" aria-labelledby="close-request-title">
      <h2 id="close-request-title">Close early</h2>
      <Form method="post" className="stack" {...getFormProps(form)}>
        <FormErrors id={form.errorId} errors={form.errors} />
        <input type="hidden" name="step" value="request-close" />
        <TextareaField
          label="Why should it close now?"
          hint="Moderators decide whether to close it before its date; they read your reason."
          field={fields.reason}
          rows={2}
        />
        <button type="submit" name="intent" value="transition" className="secondary">
          Ask the moderators to close it
        </button>
      </Form>
    </section>
  );
}

function ModeratorPanel() {
  const { petition, viewer } = useLoaderData<typeof loader>();
  if (!viewer.isModerator) return null;
  if (viewer.standsAside) {
    return (
      <section className="card stack" aria-labelledby="moderation-title">
        <h2 id="moderation-title">Moderation</h2>
        <p>
          You started, co-sponsor or co-organize this petition, so other moderators handle its moderation.
        </p>
      </section>
    );
  }
  const step = (name: TransitionAction, label: string, className = "secondary") => (
    <PageActionButton intent="transition" step={name} label={label} className={className} />
  );
  return (
    <section className="card stack" aria-labelledby="moderation-title">
      <h2 id="moderation-title">Moderation</h2>
      {viewer.transitions.includes("approve") ? step("approve", "Approve and open", "") : null}
      {viewer.transitions.includes("reject") ? <RejectForm /> : null}
      {petition.closeRequest ? (
        <p>
          Its creator asked on {formatDate(petition.closeRequest.on)} to close it early:{" "}
          {petition.closeRequest.reason}
        </p>
      ) : null}
      {viewer.transitions.includes("close") ? step("close", "Close early", "danger") : null}
      {viewer.transitions.includes("archive") ? step("archive", "Archive") : null}
      {viewer.transitions.includes("hide") ? <HideForm /> : null}
      {viewer.transitions.includes("unhide") ? step("unhide", "Show again") : null}
      {viewer.canEdit || viewer.canInvalidate ? (
        <p>
          {viewer.canEdit ? <Link to={`/petitions/${petition.slug}/edit`}>Fix typos</Link> : null}
          {viewer.canEdit && viewer.canInvalidate ? " · " : null}
          {viewer.canInvalidate ? (
            <Link to={`/petitions/${petition.slug}/invalidate`}>Invalidate signatures</Link>
          ) : null}
        </p>
      ) : null}
    </section>
  );
}

/** The creator's own milestone, before the petition opens. */
function MilestoneForm() {
  const [form, fields] = useForm({
    id: "add-milestone",
    lastResult: useActionResultFor("add-milestone"),
    defaultValue: { responseDays: "14" },
    onValidate: useLazyValidation("milestone"),
    shouldValidate: "onBlur",
  });
  return (
    <section className="card" aria-labelledby="add-milestone-title">
      <h2 id="add-milestone-title">Add a milestone</h2>
      <Form method="post" className="stack" {...getFormProps(form)}>
        <FormErrors id={form.errorId} errors={form.errors} />
        <InputField label="Signatures" field={fields.threshold} type="number" />
        <div className="checkbox">
          <input {...getInputProps(fields.responseRequired, { type: "checkbox" })} value="on" />
          <label htmlFor={fields.responseRequired.id}>Requires a response from leadership</label>
        </div>
        <InputField label="Days to respond" field={fields.responseDays} type="number" />
        <button type="submit" name="intent" value="add-milestone" className="secondary">
          Add milestone
        </button>
      </Form>
    </section>
  );
}

/** A moderator's rejection, with the reason the organizers are told. */
function RejectForm() {
  const [form, fields] = useForm({
    id: "transition-reject",
    lastResult: useActionResultFor("transition", "reject"),
    onValidate: useLazyValidation("rejectStep"),
    shouldValidate: "onBlur",
  });
  return (
    <Form method="post" className="stack" {...getFormProps(form)}>
      <FormErrors id={form.errorId} errors={form.errors} />
      <input type="hidden" name="step" value="reject" />
      <ChoiceField
        label="Reason for rejecting"
        field={fields.reason}
        placeholder="Choose a reason"
        options={REJECTION_REASONS.map((r) => ({ value: r, label: REJECTION_LABELS[r] }))}
      />
      <TextareaField label="Note to the organizers (optional)" field={fields.note} rows={2} />
      <button type="submit" name="intent" value="transition" className="danger">
        Reject
      </button>
    </Form>
  );
}

/** A moderator hides an open or closed petition from lists, with a reason shown on it. */
function HideForm() {
  const [form, fields] = useForm({
    id: "transition-hide",
    lastResult: useActionResultFor("transition", "hide"),
    onValidate: useLazyValidation("hideStep"),
    shouldValidate: "onBlur",
  });
  return (
    <Form method="post" className="stack" {...getFormProps(form)}>
      <FormErrors id={form.errorId} errors={form.errors} />
      <input type="hidden" name="step" value="hide" />
      <InputField label="Reason for hiding" field={fields.reason} />
      <button type="submit" name="intent" value="transition" className="danger">
        Hide from lists
      </button>
    </Form>
  );
}
