import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json, redirect } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { FormErrors, InputField } from "../components/forms";
import { getConfig } from "../config.server";
import { requestSignIn } from "../domain/identity/sign-in.server";
import { useT } from "../i18n/translate";
import { emailSchema } from "../platform/mail/email-address";
import { signInOptions } from "../platform/site/settings.server";
import { wordsFor } from "../web/reader.server";
import { refusalReply } from "../web/refusal-reply.server";
import { clientIp, readForm } from "../web/request.server";
import { safeRedirect } from "../web/safe-redirect";
import { getUser } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Undersigned" }];

/** Passes the action's Retry-After through to the document response (Remix only merges cookies). */
export const headers: HeadersFunction = ({ actionHeaders }) => {
  const retryAfter = actionHeaders.get("Retry-After");
  return retryAfter ? { "Retry-After": retryAfter } : new Headers();
};

const schema = z.object({
  email: emailSchema,
  redirectTo: z.string().optional(),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const redirectTo = safeRedirect(new URL(request.url).searchParams.get("redirectTo"));
  if (await getUser(request)) throw redirect(redirectTo);
  // The mailbox's address is no secret: it answers on the server's own machine only (ADR 34).
  const devMailbox = getConfig().devMailbox?.url ?? null;
  const { t } = await wordsFor(request);
  return json({
    title: t("common.pageTitle", { page: t("identity.signIn.title") }),
    redirectTo,
    devMailbox,
    options: signInOptions(),
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const submission = parseWithZod(await readForm(request), { schema });
  if (submission.status !== "success") {
    return json({ result: submission.reply(), sentTo: null }, { status: 400 });
  }
  try {
    await requestSignIn({
      ...submission.value,
      redirectTo: safeRedirect(submission.value.redirectTo, ""),
      ip: clientIp(context),
    });
  } catch (error) {
    return refusalReply(error, submission, request, (result) => ({ result, sentTo: null }));
  }
  // The same answer whether or not the address may sign in: no account enumeration.
  return json({ result: submission.reply({ resetForm: true }), sentTo: submission.value.email });
}

export default function SignIn() {
  const t = useT();
  const { redirectTo, devMailbox, options } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const [form, fields] = useForm({
    lastResult: navigation.state === "idle" ? actionData?.result : undefined,
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
    shouldValidate: "onSubmit",
    shouldRevalidate: "onInput",
  });

  if (actionData?.sentTo) {
    return (
      <section className="card narrow" aria-labelledby="check-title">
        <h1 id="check-title">{t("identity.signIn.checkEmail.title")}</h1>
        <p role="status">
          {t.rich("identity.signIn.checkEmail.sent", {
            email: actionData.sentTo,
            strong: (chunks) => <strong>{chunks}</strong>,
          })}
        </p>
        {devMailbox ? (
          <p className="muted">
            {t.rich("identity.signIn.checkEmail.devMailbox", {
              address: devMailbox,
              link: (chunks) => <a href={devMailbox}>{chunks}</a>,
            })}
          </p>
        ) : null}
        <p>
          <a href={`/sign-in?${new URLSearchParams({ redirectTo })}`}>
            {t("identity.signIn.checkEmail.otherAddress")}
          </a>
        </p>
      </section>
    );
  }

  const providers = [
    ...(options.oidc ? [{ protocol: "oidc", label: t("identity.signIn.withCompany", options.company) }] : []),
    ...(options.saml
      ? [
          {
            protocol: "saml",
            label: t(
              options.oidc ? "identity.signIn.withCompanySaml" : "identity.signIn.withCompany",
              options.company,
            ),
          },
        ]
      : []),
  ];
  return (
    <section className="card narrow" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">{t("identity.signIn.title")}</h1>
      {providers.length ? (
        <>
          <p>{t("identity.signIn.companyAccount", options.company)}</p>
          {providers.map((provider) => (
            <Form method="post" action="/sign-in/provider" key={provider.protocol} reloadDocument>
              <input type="hidden" name="protocol" value={provider.protocol} />
              <input type="hidden" name="redirectTo" value={redirectTo} />
              <button type="submit" className="primary">
                {provider.label}
              </button>
            </Form>
          ))}
        </>
      ) : null}
      {options.email ? (
        <>
          {providers.length ? <h2>{t("identity.signIn.orByEmail")}</h2> : null}
          <p>{t("identity.signIn.byEmail")}</p>
          <Form method="post" {...getFormProps(form)}>
            <FormErrors id={form.errorId} errors={form.errors} />
            <input type="hidden" name="redirectTo" value={redirectTo} />
            <InputField
              label={t("identity.signIn.email")}
              field={fields.email}
              type="email"
              autoComplete="email"
            />
            <button type="submit" disabled={navigation.state === "submitting"}>
              {t("identity.signIn.send")}
            </button>
          </Form>
        </>
      ) : null}
    </section>
  );
}
