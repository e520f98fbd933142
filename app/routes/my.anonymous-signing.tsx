import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { AnonymousSetup } from "../components/anonymous-setup";
import { wordsFor } from "../web/reader.server";
import { parseQuery } from "../web/request.server";
import { requireUser } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Undersigned" }];

const query = z.object({
  back: z
    .string()
    .regex(/^\/(?!\/)[^\s]*$/, "a path on this site")
    .max(500)
    .optional()
    .catch(undefined),
});

/** The step (set up or unlock anonymous signing on this device): all of it runs in the browser. */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await requireUser(request);
  const { back } = parseQuery(request, query);
  const { t } = await wordsFor(request);
  return json({
    title: t("common.pageTitle", { page: t("signing.setup.title") }),
    person: { id: user.id, email: user.email, name: user.name ?? user.email },
    back: back ?? null,
  });
}

export default function AnonymousSigningPage() {
  const { person, back } = useLoaderData<typeof loader>();
  return <AnonymousSetup person={person} back={back} />;
}
