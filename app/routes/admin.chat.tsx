import { getFormProps, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { ChoiceField, FormErrors, InputField } from "../components/forms";
import {
  addChatChannel,
  listChatChannels,
  removeChatChannel,
  requireChatChannel,
  updateChatChannel,
} from "../domain/chat/channels.server";
import { sendTestMessage } from "../domain/chat/posting.server";
import { useT } from "../i18n/translate";
import { CHAT_EVENTS, CHAT_KINDS, type ChatEvent } from "../vocabulary/chat";
import { redirectWithFlash } from "../web/flash.server";
import { wordsFor } from "../web/reader.server";
import { refusalReply } from "../web/refusal-reply.server";
import { readForm } from "../web/request.server";
import { requirePermission } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Undersigned" }];

const NAME_MAX = 80;
const URL_MAX = 2000;

/** Checkboxes: absent when none is ticked, a string when one is, a list when several are. */
const events = z
  .union([z.enum(CHAT_EVENTS), z.array(z.enum(CHAT_EVENTS))])
  .optional()
  .transform((value): ChatEvent[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]));
const id = z.coerce.number().int().min(1);
const name = z.string().trim().min(1).max(NAME_MAX);

const schema = z.discriminatedUnion("intent", [
  z.object({
    intent: z.literal("add"),
    name,
    kind: z.enum(CHAT_KINDS),
    webhookUrl: z.string().trim().min(1).max(URL_MAX),
    events,
  }),
  z.object({
    intent: z.literal("update"),
    id,
    name,
    webhookUrl: z.string().trim().max(URL_MAX).optional(),
    events,
  }),
  z.object({ intent: z.literal("remove"), id }),
  z.object({ intent: z.literal("test"), id }),
]);

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "configure:settings");
  const { t } = await wordsFor(request);
  return json({
    title: t("common.pageTitle", { page: t("admin.pageTitle", { page: t("chat.admin.title") }) }),
    channels: listChatChannels(),
  });
}

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requirePermission(request, "configure:settings");
  const submission = parseWithZod(await readForm(request), { schema });
  if (submission.status !== "success") return json(submission.reply(), { status: 400 });
  const value = submission.value;
  const actor = { id: admin.id, email: admin.email };
  const { t } = await wordsFor(request);
  try {
    switch (value.intent) {
      case "add": {
        addChatChannel(value, actor);
        return redirectWithFlash("/admin/chat", {
          kind: "success",
          message: t("chat.admin.added", { name: value.name }),
        });
      }
      case "update": {
        updateChatChannel(value.id, value, actor);
        return redirectWithFlash("/admin/chat", {
          kind: "success",
          message: t("chat.admin.saved", { name: value.name }),
        });
      }
      case "remove": {
        removeChatChannel(value.id, actor);
        return redirectWithFlash("/admin/chat", { kind: "success", message: t("chat.admin.removed") });
      }
      case "test": {
        const channel = requireChatChannel(value.id);
        sendTestMessage(channel.id, actor);
        return redirectWithFlash("/admin/chat", {
          kind: "success",
          message: t("chat.admin.testQueued", { name: channel.name }),
        });
      }
    }
  } catch (error) {
    return refusalReply(error, submission, request);
  }
}

export default function CompanyChat() {
  const { channels } = useLoaderData<typeof loader>();
  const lastResult = useActionData<typeof action>();
  const t = useT();
  const adding = lastResult?.initialValue?.intent === "add";
  const [form, fields] = useForm({
    id: "add-channel",
    lastResult: adding ? lastResult : undefined,
    defaultValue: { kind: "slack", name: "", webhookUrl: "" },
  });
  const eventLabel = (event: ChatEvent) => t(`chat.admin.event.${event}`);
  return (
    <>
      <h1>{t("chat.admin.title")}</h1>
      <p>{t("chat.admin.intro")}</p>
      <ul>
        <li>{t("chat.admin.howSlack")}</li>
        <li>{t("chat.admin.howTeams")}</li>
      </ul>
      <p>
        <Link to="/admin/outbox">{t("chat.admin.seeOutbox")}</Link>
      </p>
      {!adding && lastResult?.error ? (
        <FormErrors errors={Object.values(lastResult.error).flatMap((errors) => errors ?? [])} />
      ) : null}
      <h2>{t("chat.admin.channels")}</h2>
      {channels.length === 0 ? <p>{t("chat.admin.none")}</p> : null}
      {channels.map((channel) => (
        <section key={channel.id} className="card" aria-labelledby={`channel-${channel.id}`}>
          <h3 id={`channel-${channel.id}`}>
            {channel.name} · {t(`chat.admin.kind.${channel.kind}`)}
          </h3>
          <p className="muted">{t("chat.admin.address", { hint: channel.webhookHint })}</p>
          <p>
            {t("chat.admin.posted", {
              events: channel.events.length
                ? channel.events.map(eventLabel).join(", ")
                : t("chat.admin.noEvents"),
            })}
          </p>
          <Form method="post">
            <input type="hidden" name="intent" value="update" />
            <input type="hidden" name="id" value={channel.id} />
            <div className="field">
              <label htmlFor={`name-${channel.id}`}>{t("chat.admin.name")}</label>
              <input
                id={`name-${channel.id}`}
                name="name"
                defaultValue={channel.name}
                required
                maxLength={NAME_MAX}
              />
            </div>
            <div className="field">
              <label htmlFor={`webhook-${channel.id}`}>{t("chat.admin.newWebhook")}</label>
              <input
                id={`webhook-${channel.id}`}
                name="webhookUrl"
                autoComplete="off"
                maxLength={URL_MAX}
                aria-describedby={`webhook-${channel.id}-help`}
              />
              <p className="muted" id={`webhook-${channel.id}-help`}>
                {t("chat.admin.newWebhookHelp")}
              </p>
            </div>
            <EventChoices
              idPrefix={`events-${channel.id}`}
              chosen={channel.events}
              label={eventLabel}
              legend={t("chat.admin.events")}
            />
            <button type="submit">{t("chat.admin.save")}</button>
          </Form>
          <Form method="post" className="inline-form">
            <input type="hidden" name="intent" value="test" />
            <input type="hidden" name="id" value={channel.id} />
            <button type="submit">{t("chat.admin.sendTest")}</button>
          </Form>{" "}
          <Form method="post" className="inline-form">
            <input type="hidden" name="intent" value="remove" />
            <input type="hidden" name="id" value={channel.id} />
            <button type="submit" className="danger">
              {t("chat.admin.remove")}
            </button>
          </Form>
        </section>
      ))}
      <h2>{t("chat.admin.add")}</h2>
      <Form method="post" className="card" {...getFormProps(form)}>
        <input type="hidden" name="intent" value="add" />
        <FormErrors id={form.errorId} errors={form.errors} />
        <InputField
          label={t("chat.admin.name")}
          hint={t("chat.admin.nameHelp")}
          field={fields.name}
          maxLength={NAME_MAX}
        />
        <ChoiceField
          label={t("chat.admin.kind")}
          field={fields.kind}
          options={CHAT_KINDS.map((kind) => ({ value: kind, label: t(`chat.admin.kind.${kind}`) }))}
        />
        <InputField
          label={t("chat.admin.webhook")}
          hint={t("chat.admin.webhookHelp")}
          field={fields.webhookUrl}
          autoComplete="off"
          maxLength={URL_MAX}
        />
        <EventChoices
          idPrefix="events-new"
          chosen={[...CHAT_EVENTS]}
          label={eventLabel}
          legend={t("chat.admin.events")}
        />
        <button type="submit">{t("chat.admin.connect")}</button>
      </Form>
    </>
  );
}

function EventChoices({
  idPrefix,
  chosen,
  label,
  legend,
}: {
  idPrefix: string;
  chosen: readonly ChatEvent[];
  label: (event: ChatEvent) => string;
  legend: string;
}) {
  return (
    <fieldset>
      <legend>{legend}</legend>
      {CHAT_EVENTS.map((event) => (
        <div key={event}>
          <input
            type="checkbox"
            id={`${idPrefix}-${event}`}
            name="events"
            value={event}
            defaultChecked={chosen.includes(event)}
          />{" "}
          <label htmlFor={`${idPrefix}-${event}`}>{label(event)}</label>
        </div>
      ))}
    </fieldset>
  );
}
