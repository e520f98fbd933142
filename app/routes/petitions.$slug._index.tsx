import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { useAnonymousSigning } from "../components/anonymous-signing";
import { CommentThread } from "../components/comments/thread";
import { FollowPanel } from "../components/notifications-bits";
import { signedMessage, transitionMessage } from "../components/petition/flash-messages";
import { ModeratorPanel } from "../components/petition/moderator-panel";
import { OrganizerPanel } from "../components/petition/organizer-panel";
import { PetitionHead } from "../components/petition/petition-head";
import { SignBar } from "../components/petition/sign-bar";
import { SignPanel } from "../components/petition/sign-panel";
import { Milestones, SignatureCount, useLiveCount } from "../components/petition/signature-count";
import { UpdateList } from "../components/petition-bits";
import { SharingPanel, shareMoment } from "../components/sharing-panel";
import { threadQuerySchema } from "../domain/discussion/forms";
import { loadThread } from "../domain/discussion/thread.server";
import { isFollowingByChoice } from "../domain/notifications/follows.server";
import { countByVisibility } from "../domain/petitions/counts.server";
import { addMilestone, approveResponseObligation } from "../domain/petitions/drafting.server";
import { milestoneInputSchema, signSchema, transitionSchema } from "../domain/petitions/forms";
import { dropCoSponsor, transitionPetition } from "../domain/petitions/lifecycle.server";
import { petitionKeyView } from "../domain/petitions/petition-keys.server";
import { findViewablePetition, petitionBodyHtml, petitionPage } from "../domain/petitions/reads.server";
import { findOwnSignature, signPetition, withdrawSignature } from "../domain/petitions/signing.server";
import { petitionTimeline } from "../domain/petitions/timeline.server";
import { listPetitionUpdates } from "../domain/petitions/updates.server";
import { previewTags } from "../domain/sharing/share-links";
import { shareView } from "../domain/sharing/share-view.server";
import { witnessNames } from "../domain/transparency/log-reads.server";
import { useFormat } from "../i18n/format";
import { useT } from "../i18n/translate";
import { redirectWithFlash } from "../web/flash.server";
import { redirectFromFormerAddress } from "../web/former-addresses.server";
import { wordsFor } from "../web/reader.server";
import { notFound, refusalReply } from "../web/refusal-reply.server";
import { clientIp, parseQuery, readForm } from "../web/request.server";
import { getUser, requireUser } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.title ?? "Undersigned" },
  { name: "description", content: data?.petition.summary ?? "" },
  // Only from the loader's data: a petition the reader may not see is a 404 here, with no preview.
  ...(data ? previewTags(data.sharing) : []),
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
  const words = await wordsFor(request);
  const { t } = words;
  const found = petitionPage(params.slug ?? "", user);
  if (!found) notFound(t("petition.notFound"));
  const { row, page } = found;
  redirectFromFormerAddress(request, "/petitions/", params.slug, row.slug);
  const threadQuery = parseQuery(request, threadQuerySchema);
  // An older link to a later page of the petition's comments: that page is the discussion's now.
  if (threadQuery.page > 1)
    throw redirect(
      `/discussions/petition/${row.id}?${new URLSearchParams({ sort: threadQuery.sort, page: String(threadQuery.page) })}#comments`,
    );
  const own = user ? findOwnSignature(row.id, user.id) : undefined;
  const key = petitionKeyView(row.id);
  return json({
    title: t("common.pageTitle", { page: row.title }),
    // What the browser blinds against and pins: published in the petition's JSON too.
    anonymity: key && !key.retiredOn ? { publicKey: key.publicKey, fingerprint: key.fingerprint } : null,
    /** Shown for colleagues to compare (the first 16 hex characters of it). */
    keyFingerprint: key?.fingerprint ?? null,
    witnesses: witnessNames(),
    ...page,
    bodyHtml: petitionBodyHtml(row),
    sharing: shareView(row, words),
    ownSignature: own
      ? {
          visibility: own.visibility,
          seq: own.ledgerSeq,
          hash: own.ledgerHash,
          invalidated: Boolean(own.invalidatedAt),
        }
      : null,
    ...countByVisibility(row.id),
    timeline: petitionTimeline(row, words),
    followingByChoice: user ? isFollowingByChoice(user.id, row.id) : false,
    updates: listPetitionUpdates(row.id, "day").map(({ emailing: _emailing, ...update }) => update),
    discussion: loadThread({ type: "petition", id: row.id }, user, {
      ...threadQuery,
      preview: PETITION_PAGE_COMMENTS,
    }),
  });
}

const actionSchema = z.discriminatedUnion("intent", [
  // The browser signs anonymously without this action: reaching it means no JavaScript, and a
  // signature made here would carry the session. Never silently make it public.
  signSchema.extend({ intent: z.literal("sign") }).refine((sign) => sign.visibility !== "anonymous", {
    message:
      "Signing anonymously happens in your browser, with JavaScript, so that the server never learns who signed. Without JavaScript you can sign publicly, or not now.",
  }),
  z.object({ intent: z.literal("withdraw") }),
  // The step is named "step" in forms: a field named "action" would shadow form.action in the DOM.
  // It is read as the domain's Transition here, so a step's own fields are checked in the one parse.
  z
    .looseObject({ intent: z.literal("transition"), step: z.string() })
    .transform(({ intent: _intent, step, ...fields }): unknown => ({ ...fields, action: step }))
    .pipe(transitionSchema)
    .transform((transition) => ({ intent: "transition" as const, transition })),
  milestoneInputSchema.extend({ intent: z.literal("add-milestone") }),
  z.object({ intent: z.literal("approve-response"), milestoneId: z.coerce.number().int().positive() }),
  z.object({ intent: z.literal("drop-co-sponsor"), personId: z.coerce.number().int().positive() }),
]);

export async function action({ request, params, context }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const words = await wordsFor(request);
  const { t } = words;
  // Not petitionPage: an action needs the petition and the right to see it, not the page's data.
  const petition = findViewablePetition(params.slug ?? "", user);
  if (!petition) notFound(t("petition.notFound"));
  const submission = parseWithZod(await readForm(request), { schema: actionSchema });
  if (submission.status !== "success") return json(submission.reply(), { status: 400 });
  const value = submission.value;
  const here = `/petitions/${petition.slug}`;
  try {
    switch (value.intent) {
      case "sign": {
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
        return redirectWithFlash(here, { kind: "success", message: signedMessage(words, result) });
      }
      case "withdraw": {
        withdrawSignature(petition.id, user);
        return redirectWithFlash(here, { kind: "info", message: t("petition.flash.withdrawn") });
      }
      case "transition": {
        const updated = transitionPetition(petition.id, value.transition, user);
        return redirectWithFlash(here, {
          kind: "success",
          message: transitionMessage(t, value.transition.action, updated.state),
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
            ? t("petition.flash.milestoneAddedResponse", { threshold: value.threshold })
            : t("petition.flash.milestoneAdded", { threshold: value.threshold }),
        });
      }
      case "approve-response": {
        approveResponseObligation(petition.id, value.milestoneId, user);
        return redirectWithFlash(here, {
          kind: "success",
          message: t("petition.flash.responseApproved"),
        });
      }
      case "drop-co-sponsor": {
        const updated = dropCoSponsor(petition.id, value.personId, user);
        return redirectWithFlash(here, {
          kind: "info",
          message:
            updated.state === "collecting" && petition.state === "awaiting_moderation"
              ? t("petition.flash.coSponsorDroppedCollecting")
              : t("petition.flash.coSponsorDropped"),
        });
      }
    }
  } catch (error) {
    return refusalReply(
      error,
      submission,
      request,
      undefined,
      value.intent === "sign" ? "server.storageFull.signature" : undefined,
    );
  }
}

export default function PetitionPage() {
  const data = useLoaderData<typeof loader>();
  const { petition, viewer } = data;
  const isOpen = viewer.acceptsSignatures;
  const signingPetition = { id: petition.id, slug: petition.slug, title: petition.title };
  // Here, not in the sign panel: the Sign bar goes away too once this device has signed anonymously.
  const signing = useAnonymousSigning(signingPetition, data.anonymity, data.ownSignature !== null);
  const canSign = viewer.signedIn && !data.ownSignature && !signing.signedAnonymously;
  const count = useLiveCount(petition.slug, petition.signatureCount, petition.state === "open");
  const t = useT();
  const format = useFormat();
  const moment = shareMoment(data.ownSignature !== null || signing.signedAnonymously, viewer.hasCoSponsored);
  const sharing = data.sharing.offered ? (
    <SharingPanel share={data.sharing} petition={petition} moment={moment} />
  ) : null;

  return (
    <article aria-labelledby="petition-title">
      {/* The count and the sign box (or co-sponsoring) come first: beside the text at desktop
          width, above it on a phone, right after the title (app.css, .petition-layout). */}
      <div className="petition-layout">
        <PetitionHead data={data} />
        <aside className="stack petition-side" aria-label={t("petition.page.signatures")}>
          {/* Before it opens there is nothing to count: co-sponsoring comes first then. */}
          {petition.openedAt ? (
            <SignatureCount
              slug={petition.slug}
              count={count}
              publicCount={data.publicCount}
              anonymousCount={data.anonymousCount}
            />
          ) : null}
          <SignPanel
            petition={signingPetition}
            anonymity={data.anonymity}
            signing={signing}
            ownSignature={data.ownSignature}
            isOpen={isOpen}
            signedIn={viewer.signedIn}
            witnesses={data.witnesses}
          />
          {/* Right after the receipt, the same for a public and an anonymous signer. */}
          {moment === "signed" ? sharing : null}
          {petition.openedAt ? (
            <FollowPanel
              petitionId={petition.id}
              signedIn={viewer.signedIn}
              following={data.followingByChoice}
            />
          ) : null}
          <OrganizerPanel petition={petition} viewer={viewer} coSponsors={data.coSponsors} />
          <ModeratorPanel petition={petition} viewer={viewer} />
          {moment === "signed" ? null : sharing}
          <Milestones
            count={count}
            milestones={data.milestones}
            nextThreshold={data.nextThreshold}
            keyFingerprint={data.keyFingerprint}
          />
        </aside>
        <div className="stack petition-main">
          <section className="card" aria-labelledby="ask-title">
            <h2 id="ask-title">{t("petition.page.ask")}</h2>
            <p>{petition.summary}</p>
          </section>
          {/* Sanitized by renderMarkdown (rehype-sanitize) on the server (petitionBodyHtml). */}
          {/* biome-ignore lint/security/noDangerouslySetInnerHtml: sanitized HTML */}
          <section className="card markdown" dangerouslySetInnerHTML={{ __html: data.bodyHtml }} />
          {data.updates.some((u) => u.kind === "update") ? (
            <section className="card" id="updates" aria-labelledby="updates-title">
              <h2 id="updates-title">{t("petition.page.updates")}</h2>
              <UpdateList updates={data.updates.filter((u) => u.kind === "update")} />
            </section>
          ) : null}
          {data.timeline.length > 1 ? (
            <section className="card" aria-labelledby="timeline-title">
              <h2 id="timeline-title">{t("petition.page.timeline")}</h2>
              <ol className="timeline">
                {data.timeline.map((event) => (
                  <li key={`${event.at}-${event.text}`}>
                    {/* Timeline events are kept to their UTC day (petitionTimeline). */}
                    <time dateTime={new Date(event.at).toISOString()}>{format.utcDay(event.at)}</time>{" "}
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
          {/* Last in this column: it sticks to a phone's screen while the column scrolls by. */}
          {isOpen && (!viewer.signedIn || canSign) ? (
            <SignBar slug={petition.slug} count={count} signedIn={viewer.signedIn} />
          ) : null}
        </div>
      </div>
    </article>
  );
}
