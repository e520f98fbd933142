import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { FormErrors } from "../components/forms";
import { backupFolder, backupSchedule, listBackups, takeBackupNow } from "../domain/backups/on-demand.server";
import type { Formatter } from "../i18n/format";
import { sizeInUnits, useFormat } from "../i18n/format";
import { type Translate, useT } from "../i18n/translate";
import { Refusal } from "../platform/refusal";
import { wordsOf } from "../platform/said";
import { runBackupCommand } from "../server/backup-schedule.server";
import { redirectWithFlash } from "../web/flash.server";
import { intlOf, wordsFor } from "../web/reader.server";
import { refusalHeaders } from "../web/refusal-reply.server";
import { readForm } from "../web/request.server";
import { requirePermission } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Undersigned" }];

/** A file's size in the reader's numbers: "1.5 MiB", "1,5 MiB". */
function sizeInWords(bytes: number | null, t: Translate, format: Formatter): string {
  if (bytes === null) return t("admin.people.none");
  const { n, unit, digits } = sizeInUnits(bytes);
  return t("admin.backups.bytes", { n: format.number(Number(n.toFixed(digits))), unit });
}

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "view:admin");
  const { t } = await wordsFor(request);
  return json({
    title: t("common.pageTitle", { page: t("admin.pageTitle", { page: t("admin.backups.title") }) }),
    folder: backupFolder(),
    schedule: backupSchedule(),
    backups: listBackups(),
  });
}

const takeSchema = z.object({ intent: z.literal("backup") });

/** POST: take a backup now (checked like any backup, and audited). */
export async function action({ request }: ActionFunctionArgs) {
  const admin = await requirePermission(request, "take:backup");
  // Read like every form: a body that is not this page's form is refused and takes no backup.
  const submission = parseWithZod(await readForm(request), { schema: takeSchema });
  const { reader, t, format } = await wordsFor(request);
  if (submission.status !== "success") return json({ error: t("admin.backups.notTheForm") }, { status: 400 });
  try {
    const taken = await takeBackupNow(admin, (file) => runBackupCommand(file).done);
    return redirectWithFlash("/admin/backups", {
      kind: "success",
      message:
        taken.bytes === null
          ? t("admin.backups.taken", { name: taken.name })
          : t("admin.backups.takenWithSize", { name: taken.name, size: sizeInWords(taken.bytes, t, format) }),
    });
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    // In the reader's language; the command's own reason inside it stays as the command wrote it.
    const said = error.said ? wordsOf(error.said, intlOf(reader)) : error.message;
    return json({ error: said }, { status: error.status, headers: refusalHeaders(error) });
  }
}

export default function Backups() {
  const { folder, schedule, backups } = useLoaderData<typeof loader>();
  const failed = useActionData<typeof action>();
  const navigation = useNavigation();
  const last = backups[0];
  const t = useT();
  const format = useFormat();
  return (
    <>
      <h1>{t("admin.backups.title")}</h1>
      <section className="card stack" aria-labelledby="last-backup-title">
        <h2 id="last-backup-title">{t("admin.backups.last")}</h2>
        <p>
          {last
            ? t("admin.backups.lastOne", {
                at: format.dateTime(last.at),
                name: last.name,
                size: sizeInWords(last.bytes, t, format),
              })
            : t("admin.backups.none")}
        </p>
        <p className="muted">
          {schedule
            ? t("admin.backups.schedule", { ...schedule.every, keep: schedule.keep, folder })
            : t("admin.backups.noSchedule", { folder })}{" "}
          {t("admin.backups.checked")}
        </p>
        {failed && "error" in failed ? <FormErrors errors={[failed.error]} /> : null}
        <Form method="post">
          <button type="submit" name="intent" value="backup" disabled={navigation.state === "submitting"}>
            {navigation.state === "submitting" ? t("admin.backups.taking") : t("admin.backups.takeNow")}
          </button>
        </Form>
      </section>
      <section className="card" aria-labelledby="backups-title">
        <h2 id="backups-title">{t("admin.backups.inFolder", { count: format.number(backups.length) })}</h2>
        {backups.length ? (
          <div className="table-wrap">
            <table className="data-table">
              <thead>
                <tr>
                  <th scope="col">{t("admin.backups.when")}</th>
                  <th scope="col">{t("admin.backups.file")}</th>
                  <th scope="col">{t("admin.backups.size")}</th>
                </tr>
              </thead>
              <tbody>
                {backups.map((backup) => (
                  <tr key={backup.name}>
                    <td>{format.dateTime(backup.at)}</td>
                    <td className="file-name">{backup.name}</td>
                    <td>{sizeInWords(backup.bytes, t, format)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="muted">{t("admin.backups.noneYet")}</p>
        )}
      </section>
      <section className="card" aria-labelledby="restore-title">
        <h2 id="restore-title">{t("admin.backups.restoring")}</h2>
        <p>{t.rich("admin.backups.restoreHow", { code: (chunks) => <code>{chunks}</code> })}</p>
      </section>
    </>
  );
}
