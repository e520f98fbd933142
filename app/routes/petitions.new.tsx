import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useActionData, useFetcher, useLoaderData } from "@remix-run/react";
import { useEffect, useState } from "react";
import { ResponseStatus, StateBadge } from "../components/petition-bits";
import { PetitionForm } from "../components/petition-form";
import { petitionFormChoices, saveNewPetition } from "../domain/petitions/drafting.server";
import { petitionInputSchema } from "../domain/petitions/forms";
import { findSimilarPetitions } from "../domain/petitions/reads.server";
import { redirectWithFlash } from "../web/flash.server";
import { refusalReply } from "../web/refusal-reply.server";
import { readForm } from "../web/request.server";
import { requireUser } from "../web/session.server";
import type { loader as similarLoader } from "./api.petitions.similar";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction = () => [{ title: "Start a petition · Undersigned" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request);
  return json({ choices: petitionFormChoices() });
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const submission = parseWithZod(await readForm(request), { schema: petitionInputSchema });
  if (submission.status !== "success") {
    // Without JavaScript, the similar petitions show after the first submit.
    const title = String(submission.payload.title ?? "");
    return json({ result: submission.reply(), similar: findSimilarPetitions(title) }, { status: 400 });
  }
  try {
    const petition = await saveNewPetition(submission.value, user);
    return redirectWithFlash(`/petitions/${petition.slug}`, {
      kind: "success",
      message: "Draft saved. Check it, then send it to colleagues to co-sponsor.",
    });
  } catch (error) {
    return refusalReply(error, submission, request, (result) => ({ result, similar: [] }));
  }
}

export default function NewPetition() {
  const { choices } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const similarFetcher = useFetcher<typeof similarLoader>();
  const [title, setTitle] = useState("");
  const loadSimilar = similarFetcher.load;
  useEffect(() => {
    if (title.trim().length < 4) return;
    const timer = setTimeout(
      () => loadSimilar(`/api/petitions/similar?${new URLSearchParams({ title })}`),
      250,
    );
    return () => clearTimeout(timer);
  }, [title, loadSimilar]);
  const similar = similarFetcher.data?.petitions ?? actionData?.similar ?? [];
  return (
    <>
      <h1>Start a petition</h1>
      <p>
        A petition starts as a draft only you can see. When it is ready, you share it with colleagues: once
        enough of them co-sponsor it, a moderator checks it and opens it for signatures.
      </p>
      <PetitionForm
        choices={choices}
        lastResult={actionData?.result}
        submitLabel="Save draft"
        onTitleInput={setTitle}
        afterTitle={
          similar.length ? (
            <section className="card similar" aria-labelledby="similar-title" aria-live="polite">
              <h2 id="similar-title">Similar petitions</h2>
              <p className="muted">
                Maybe sign an open one instead of starting another, or read what happened to the others.
              </p>
              <ul>
                {similar.map((p) => (
                  <li key={p.slug}>
                    <Link to={`/petitions/${p.slug}`}>{p.title}</Link>{" "}
                    <span className="meta">
                      <StateBadge state={p.state} won={p.won} />{" "}
                      <ResponseStatus dueAt={p.responseDueAt} overdue={p.overdue} responded={p.responded} />{" "}
                      <span className="muted">({p.signatureCount.toLocaleString("en")} signatures)</span>
                    </span>
                  </li>
                ))}
              </ul>
            </section>
          ) : null
        }
      />
    </>
  );
}
