import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { DeviceNotifications, NotificationList } from "../components/notifications-bits";
import { setFollowing } from "../domain/notifications/follows.server";
import { markNotificationsRead, notificationList } from "../domain/notifications/inbox.server";
import { useT } from "../i18n/translate";
import { chooseEmailCadence } from "../platform/mail/email-preferences.server";
import { serverNow } from "../platform/runtime/clock.server";
import { EMAIL_CADENCES } from "../vocabulary/notifications";
import { redirectWithFlash } from "../web/flash.server";
import { wordsFor } from "../web/reader.server";
import { refusalReply } from "../web/refusal-reply.server";
import { readForm } from "../web/request.server";
import { getUser, requireUser } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Undersigned" }];

const schema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("read"), key: z.string().max(200) }),
  z.object({ intent: z.literal("read-all") }),
  z.object({
    intent: z.literal("follow"),
    petitionId: z.coerce.number().int().positive(),
    follow: z.enum(["yes", "no"]),
  }),
  z.object({ intent: z.literal("cadence"), cadence: z.enum(EMAIL_CADENCES) }),
]);

/**
 * /notifications — the news of what a person follows (docs/notifications.md): the server's list for a
 * signed-in reader, and, kept by the browser, the petitions this device follows on its own. Signed
 * out, only the device's part.
 */
export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getUser(request);
  const { t } = await wordsFor(request);
  return json({
    title: t("common.pageTitle", { page: t("notifications.page.title") }),
    signedIn: Boolean(user),
    notifications: user
      ? notificationList(user.id, serverNow()).map((n) => ({
          key: n.key,
          on: n.on,
          words: n.words,
          petition: n.petition,
          reasonKey: `notifications.reason.${n.reason}` as const,
          unread: n.unread,
        }))
      : [],
  });
}

export async function action({ request }: ActionFunctionArgs) {
  const user = await requireUser(request);
  const submission = parseWithZod(await readForm(request), { schema });
  if (submission.status !== "success") return json(submission.reply(), { status: 400 });
  const { value } = submission;
  const now = serverNow();
  const { t } = await wordsFor(request);
  switch (value.intent) {
    case "read":
    case "read-all": {
      const count = markNotificationsRead(user.id, value.intent === "read" ? [value.key] : "all", now);
      return redirectWithFlash("/notifications", {
        kind: "success",
        message: t("notifications.page.marked", { count }),
      });
    }
    case "follow": {
      try {
        setFollowing(user.id, value.petitionId, value.follow === "yes", now);
      } catch (error) {
        return refusalReply(error, submission, request);
      }
      const back = new URL(request.headers.get("Referer") ?? "/notifications", "http://local").pathname;
      return redirectWithFlash(back.startsWith("/petitions/") ? back : "/notifications", {
        kind: "success",
        message: t(
          value.follow === "yes" ? "notifications.follow.followed" : "notifications.follow.unfollowed",
        ),
      });
    }
    case "cadence":
      chooseEmailCadence(user.id, value.cadence, now);
      return redirectWithFlash("/settings", { kind: "success", message: t("notifications.settings.saved") });
  }
}

export default function Notifications() {
  const t = useT();
  const { notifications, signedIn } = useLoaderData<typeof loader>();
  return (
    <div className="narrow stack">
      <h1>{t("notifications.page.title")}</h1>
      {signedIn ? (
        <section className="stack" aria-labelledby="followed-by-name">
          <p id="followed-by-name">{t("notifications.page.intro")}</p>
          <p className="muted">
            <Link to="/settings#notifications">{t("notifications.page.emailChoice")}</Link>
          </p>
          {notifications.some((n) => n.unread) ? (
            <Form method="post">
              <input type="hidden" name="intent" value="read-all" />
              <button type="submit">{t("notifications.page.markAllRead")}</button>
            </Form>
          ) : null}
          {notifications.length ? (
            <NotificationList lines={notifications} />
          ) : (
            <p className="muted">{t("notifications.page.empty")}</p>
          )}
        </section>
      ) : null}
      <section className="stack" aria-labelledby="followed-on-device">
        <h2 id="followed-on-device">{t("notifications.device.heading")}</h2>
        <p>{t("notifications.device.intro")}</p>
        <DeviceNotifications />
      </section>
    </div>
  );
}
