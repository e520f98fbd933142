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
import { useT } from "../i18n/translate";
import { redirectWithFlash } from "../web/flash.server";
import { wordsFor } from "../web/reader.server";
import { refusalReply } from "../web/refusal-reply.server";
import { readForm } from "../web/request.server";
import { requireUser } from "../web/session.server";
import type { loader as similarLoader } from "./api.petitions.similar";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Undersigned" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requireUser(request);
  const { t } = await wordsFor(request);
  return json({
    title: t("common.pageTitle", { page: t("petition.new.title") }),
    choices: petitionFormChoices(),
  });
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
      message: (await wordsFor(request)).t("petition.new.saved"),
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
  const t = useT();
  return (
    <>
      <h1>{t("petition.new.title")}</h1>
      <p>{t("petition.new.intro")}</p>
      <PetitionForm
        choices={choices}
        lastResult={actionData?.result}
        submitLabel={t("petition.new.save")}
        onTitleInput={setTitle}
        afterTitle={
          similar.length ? (
            <section className="card similar" aria-labelledby="similar-title" aria-live="polite">
              <h2 id="similar-title">{t("petition.new.similar")}</h2>
              <p className="muted">{t("petition.new.similarHint")}</p>
              <ul>
                {similar.map((p) => (
                  <li key={p.slug}>
                    <Link to={`/petitions/${p.slug}`}>{p.title}</Link>{" "}
                    <span className="meta">
                      <StateBadge state={p.state} won={p.won} />{" "}
                      <ResponseStatus dueAt={p.responseDueAt} overdue={p.overdue} responded={p.responded} />{" "}
                      <span className="muted">
                        {t("petition.new.similarCount", { count: p.signatureCount })}
                      </span>
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
