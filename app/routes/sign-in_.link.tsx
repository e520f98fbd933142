import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import {
  confirmLinkRequest,
  peekLinkRequest,
  refuseLinkRequestByToken,
} from "../domain/identity/identity-linking.server";
import { useT } from "../i18n/translate";
import { redirectWithFlash } from "../web/flash.server";
import { wordsFor } from "../web/reader.server";
import { pageRefusal } from "../web/refusal-reply.server";
import { readForm } from "../web/request.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.title ?? "Undersigned" },
  { name: "robots", content: "noindex" },
];

const tokenSchema = z.string().min(20).max(200);

/** GET only reads: mail scanners that open the link must not use it up. */
export async function loader({ request }: LoaderFunctionArgs) {
  const token = tokenSchema.safeParse(new URL(request.url).searchParams.get("token"));
  const { t } = await wordsFor(request);
  return json({
    title: t("common.pageTitle", { page: t("identity.link.title") }),
    token: token.success ? token.data : "",
    request: token.success ? peekLinkRequest(token.data) : null,
  });
}

const schema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("confirm"), token: tokenSchema }),
  z.object({ intent: z.literal("refuse"), token: tokenSchema }),
]);

/**
 * The emailed link's buttons: connect the company account to this address ("confirm"), or throw the
 * request away ("refuse"). Nobody is signed in here: the company sign-in does that next.
 */
export async function action({ request }: ActionFunctionArgs) {
  const parsed = schema.safeParse(Object.fromEntries(await readForm(request)));
  const { t } = await wordsFor(request);
  if (!parsed.success) return json({ error: t("identity.link.incomplete") }, { status: 400 });
  try {
    if (parsed.data.intent === "confirm") {
      const { company } = confirmLinkRequest(parsed.data.token);
      return redirectWithFlash("/sign-in", {
        kind: "success",
        message: t("identity.link.connected", company),
      });
    }
    refuseLinkRequestByToken(parsed.data.token);
    return redirectWithFlash("/sign-in", {
      kind: "info",
      message: t("identity.link.refused"),
    });
  } catch (error) {
    return pageRefusal(error, request);
  }
}

export default function ConfirmCompanySignIn() {
  const t = useT();
  const { token, request } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  if (actionData?.error || !request) {
    return (
      <section className="card narrow" aria-labelledby="link-title">
        <h1 id="link-title">{t("identity.link.unusable")}</h1>
        <p role="alert">{actionData?.error ?? t("identity.link.expired")}</p>
        <p>
          <Link to="/sign-in">{t("identity.backToSignIn")}</Link>
        </p>
      </section>
    );
  }
  const company = request.company;
  return (
    <section className="card narrow" aria-labelledby="link-title">
      <h1 id="link-title">{t("identity.link.wasThisYou")}</h1>
      <p>
        {t.rich("identity.link.request", {
          ...company,
          account: request.accountName ?? t("identity.link.noName"),
          subject: request.subject,
          email: request.email,
          replacing: request.replacing ? "yes" : "no",
          strong: (chunks) => <strong>{chunks}</strong>,
          code: (chunks) => <code>{chunks}</code>,
        })}
      </p>
      <p>{t("identity.link.onlyIfYou")}</p>
      <Form method="post">
        <input type="hidden" name="token" value={token} />
        <button type="submit" name="intent" value="confirm">
          {t("identity.link.confirm", company)}
        </button>{" "}
        <button type="submit" name="intent" value="refuse" className="secondary">
          {t("identity.link.notMe")}
        </button>
      </Form>
    </section>
  );
}
