import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { z } from "zod";
import { formatDateTime } from "../components/format";
import { FormErrors } from "../components/forms";
import { describeBytes } from "../domain/backups/inspect.server";
import { backupFolder, backupSchedule, listBackups, takeBackupNow } from "../domain/backups/on-demand.server";
import { Refusal } from "../platform/refusal";
import { runBackupCommand } from "../server/backup-schedule.server";
import { redirectWithFlash } from "../web/flash.server";
import { refusalHeaders } from "../web/refusal-reply.server";
import { readForm } from "../web/request.server";
import { requirePermission } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction = () => [{ title: "Backups · Admin · Undersigned" }];

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "view:admin");
  const backups = listBackups().map((b) => ({ ...b, size: b.bytes === null ? "—" : describeBytes(b.bytes) }));
  return json({ folder: backupFolder(), schedule: backupSchedule(), backups });
}

const takeSchema = z.object({ intent: z.literal("backup") });

/** POST: take a backup now (checked like any backup, and audited). */
export async function action({ request }: ActionFunctionArgs) {
  const admin = await requirePermission(request, "take:backup");
  // Read like every form: a body that is not this page's form is refused and takes no backup.
  const submission = parseWithZod(await readForm(request), { schema: takeSchema });
  if (submission.status !== "success")
    return json({ error: "This is not the form that takes a backup." }, { status: 400 });
  try {
    const taken = await takeBackupNow(admin, (file) => runBackupCommand(file).done);
    return redirectWithFlash("/admin/backups", {
      kind: "success",
      message: `Backup taken and checked: ${taken.name}${taken.bytes === null ? "" : ` (${describeBytes(taken.bytes)})`}.`,
    });
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    return json({ error: error.message }, { status: error.status, headers: refusalHeaders(error) });
  }
}

export default function Backups() {
  const { folder, schedule, backups } = useLoaderData<typeof loader>();
  const failed = useActionData<typeof action>();
  const navigation = useNavigation();
  const last = backups[0];
  return (
    <>
      <h1>Backups</h1>
      <section className="card stack" aria-labelledby="last-backup-title">
        <h2 id="last-backup-title">Last backup</h2>
        <p>
          {last
            ? `${formatDateTime(last.at)} — ${last.name}, ${last.size}.`
            : "No backup has been taken into the backups folder yet."}
        </p>
        <p className="muted">
          {schedule
            ? `A backup is taken ${schedule.every}, keeping the newest ${schedule.keep}, into ${folder}.`
            : `No schedule is set (BACKUP_DIR), so backups are taken only by hand, into ${folder}.`}{" "}
          Each is checked before it is kept: the database's integrity, every ledger and every count.
        </p>
        {failed && "error" in failed ? <FormErrors errors={[failed.error]} /> : null}
        <Form method="post">
          <button type="submit" name="intent" value="backup" disabled={navigation.state === "submitting"}>
            {navigation.state === "submitting" ? "Taking a backup…" : "Take a backup now"}
          </button>
        </Form>
      </section>
      <section className="card" aria-labelledby="backups-title">
        <h2 id="backups-title">In the backups folder ({backups.length})</h2>
        {backups.length ? (
          <div className="table-wrap">
            <table className="data-table">
              <thead>
                <tr>
                  <th scope="col">Taken</th>
                  <th scope="col">File</th>
                  <th scope="col">Size</th>
                </tr>
              </thead>
              <tbody>
                {backups.map((backup) => (
                  <tr key={backup.name}>
                    <td>{formatDateTime(backup.at)}</td>
                    <td className="file-name">{backup.name}</td>
                    <td>{backup.size}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : (
          <p className="muted">None yet.</p>
        )}
      </section>
      <section className="card" aria-labelledby="restore-title">
        <h2 id="restore-title">Restoring a backup</h2>
        <p>
          Restoring replaces the whole database, so it is not done from this page: stop the server, then run{" "}
          <code>npm run cli -- restore FILE</code> on the server, with one of the files above. It checks the
          file first, keeps the database it replaces, and records the restore in the audit log
          (docs/operations.md, “Restore”).
        </p>
      </section>
    </>
  );
}
