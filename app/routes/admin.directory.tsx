import { getFormProps, type SubmissionResult, useForm } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import {
  json,
  MaxPartSizeExceededError,
  unstable_createMemoryUploadHandler,
  unstable_parseMultipartFormData,
} from "@remix-run/node";
import { Form, useActionData, useNavigation } from "@remix-run/react";
import type { ReactNode } from "react";
import { z } from "zod";
import { FormErrors, InputField } from "../components/forms";
import { useSaid } from "../components/said";
import {
  confirmDirectoryImport,
  type ImportReport,
  previewDirectoryImport,
} from "../domain/people/directory-import.server";
import { useFormat } from "../i18n/format";
import { useT } from "../i18n/translate";
import { wordsFor } from "../web/reader.server";
import { refusalReply } from "../web/refusal-reply.server";
import { readForm, refuseImplausibleFieldNames, refuseLargerThan } from "../web/request.server";
import { requirePermission } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Undersigned" }];

const MAX_CSV_BYTES = 10 * 1024 * 1024;

const previewSchema = z.object({
  intent: z.literal("preview"),
  file: z
    .instanceof(File, { message: "Choose a CSV file to import" })
    .refine((file) => file.size > 0, "Choose a CSV file to import (this one is empty)")
    .refine((file) => file.size <= MAX_CSV_BYTES, "The file is larger than 10 MB"),
  deactivateMissing: z.boolean().optional(),
});

const confirmSchema = z.object({
  intent: z.literal("confirm"),
  pendingId: z.string().regex(/^[0-9a-f]{64}$/, "This preview cannot be confirmed: choose the file again."),
});

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "import:directory");
  const { t } = await wordsFor(request);
  return json({
    title: t("common.pageTitle", { page: t("admin.pageTitle", { page: t("admin.directory.title") }) }),
  });
}

type ActionResult = {
  result: SubmissionResult<string[]>;
  /** The preview: what the file would do, nothing changed yet. */
  preview?: { pendingId: string; report: ImportReport; deactivateMissing: boolean };
  /** The import, done. */
  report?: ImportReport;
};

/** Step 1 (the file, multipart): a preview that changes nothing. Step 2 (its hash): the import. */
export async function action({ request }: ActionFunctionArgs) {
  const admin = await requirePermission(request, "import:directory");
  if (!request.headers.get("Content-Type")?.startsWith("multipart/form-data")) {
    const submission = parseWithZod(await readForm(request), { schema: confirmSchema });
    if (submission.status !== "success")
      return json<ActionResult>({ result: submission.reply() }, { status: 400 });
    try {
      const report = confirmDirectoryImport(submission.value.pendingId, { id: admin.id, email: admin.email });
      return json<ActionResult>({ result: submission.reply({ resetForm: true }), report });
    } catch (error) {
      return refusalReply(error, submission, request, (result): ActionResult => ({ result }));
    }
  }
  // The file plus the form around it; many parts each under the file limit must not add up unread.
  refuseLargerThan(request, MAX_CSV_BYTES + 64 * 1024);
  const { t } = await wordsFor(request);
  let formData: FormData;
  try {
    formData = await unstable_parseMultipartFormData(
      request,
      unstable_createMemoryUploadHandler({ maxPartSize: MAX_CSV_BYTES }),
    );
  } catch (error) {
    if (error instanceof MaxPartSizeExceededError) {
      throw new Response(t("admin.directory.tooLarge"), { status: 413 });
    }
    throw new Response(t("admin.directory.unreadable"), { status: 400 });
  }
  refuseImplausibleFieldNames(formData);
  const submission = parseWithZod(formData, { schema: previewSchema });
  if (submission.status !== "success") {
    return json<ActionResult>({ result: submission.reply() }, { status: 400 });
  }
  try {
    const deactivateMissing = Boolean(submission.value.deactivateMissing);
    const preview = previewDirectoryImport(await submission.value.file.text(), admin, { deactivateMissing });
    return json<ActionResult>({ result: submission.reply(), preview: { ...preview, deactivateMissing } });
  } catch (error) {
    return refusalReply(error, submission, request, (result): ActionResult => ({ result }));
  }
}

function Lines({ lines }: { lines: number[] }) {
  const t = useT();
  const format = useFormat();
  if (!lines.length) return null;
  const shown = lines.slice(0, 30).map(format.number).join(", ");
  return (
    <span className="muted">
      {" "}
      {t("admin.directory.lines", {
        count: lines.length,
        lines: lines.length > 30 ? t("admin.directory.linesMore", { lines: shown }) : shown,
      })}
    </span>
  );
}

/** The outcome of each row, for the preview (what it would do) and the report (what it did). */
function Outcomes({ report, future }: { report: ImportReport; future: boolean }) {
  const t = useT();
  const format = useFormat();
  const said = useSaid();
  const missing = report.deactivatedMissing;
  const count = (n: number) => ({ count: format.number(n) });
  const emails = missing.slice(0, 50).join(", ");
  return (
    <>
      <ul>
        <li>
          {t(future ? "admin.directory.toAdd" : "admin.directory.added", count(report.added.length))}
          <Lines lines={report.added} />
        </li>
        <li>
          {t(future ? "admin.directory.toUpdate" : "admin.directory.updated", count(report.updated.length))}
          <Lines lines={report.updated} />
        </li>
        <li>
          {t(
            future ? "admin.directory.toDeactivate" : "admin.directory.deactivated",
            count(report.deactivated.length + missing.length),
          )}
          <Lines lines={report.deactivated} />
          {missing.length ? (
            <span className="muted">
              {" "}
              {missing.length > 50
                ? t("admin.directory.notInFileMore", { emails, more: format.number(missing.length - 50) })
                : t("admin.directory.notInFile", { emails })}
            </span>
          ) : null}
        </li>
        <li>{t("admin.directory.unchanged", count(report.unchanged.length))}</li>
        <li>
          {t(future ? "admin.directory.toRefuse" : "admin.directory.rejected", count(report.rejected.length))}
        </li>
      </ul>
      {report.rejected.length ? (
        <>
          <h3>{t(future ? "admin.directory.toRefuseHeading" : "admin.directory.rejectedHeading")}</h3>
          <ul>
            {report.rejected.map((row) => (
              <li key={row.line}>
                {t("admin.directory.rejectedRow", {
                  line: format.number(row.line),
                  reason: row.reasons.map(said).join("; "),
                })}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </>
  );
}

export default function ImportDirectory() {
  const data = useActionData<typeof action>();
  const navigation = useNavigation();
  const [form, fields] = useForm({
    lastResult: data?.preview || data?.report ? undefined : data?.result,
    onValidate: ({ formData }) => parseWithZod(formData, { schema: previewSchema }),
    shouldValidate: "onSubmit",
  });
  const report = data?.report;
  const preview = data?.preview;
  const confirmError = !preview && !report && data?.result?.initialValue?.intent === "confirm";
  const t = useT();
  const code = (chunks: ReactNode[]) => <code>{chunks}</code>;
  return (
    <>
      <h1>{t("admin.directory.heading")}</h1>
      <p>{t.rich("admin.directory.intro", { code })}</p>
      {confirmError ? (
        <FormErrors errors={data?.result.error?.[""] ?? data?.result.error?.pendingId ?? undefined} />
      ) : null}
      {preview ? (
        <section className="card report" aria-labelledby="preview-title">
          <h2 id="preview-title">{t("admin.directory.previewHeading")}</h2>
          <p>{t("admin.directory.previewIntro")}</p>
          <Outcomes report={preview.report} future />
          {preview.report.deactivatedMissing.length ? (
            <p className="flash flash-error">
              {t("admin.directory.deactivatesMissing", { count: preview.report.deactivatedMissing.length })}
            </p>
          ) : null}
          <Form method="post" className="row">
            <input type="hidden" name="pendingId" value={preview.pendingId} />
            <button type="submit" name="intent" value="confirm" disabled={navigation.state === "submitting"}>
              {t("admin.directory.confirm")}
            </button>
          </Form>
          <p className="hint">{t("admin.directory.orAnother")}</p>
        </section>
      ) : null}
      {report ? (
        <section className="card report" aria-labelledby="report-title" role="status">
          <h2 id="report-title">{t("admin.directory.finished")}</h2>
          <Outcomes report={report} future={false} />
        </section>
      ) : null}
      <Form method="post" encType="multipart/form-data" className="card" {...getFormProps(form)}>
        <InputField
          label={t("admin.directory.file")}
          field={fields.file}
          type="file"
          accept=".csv,text/csv"
        />
        <div className="checkbox">
          <input
            id={fields.deactivateMissing.id}
            name={fields.deactivateMissing.name}
            type="checkbox"
            value="on"
          />
          <label htmlFor={fields.deactivateMissing.id}>{t("admin.directory.wholeDirectory")}</label>
        </div>
        <button
          type="submit"
          name="intent"
          value="preview"
          className={preview ? "secondary" : undefined}
          disabled={navigation.state === "submitting"}
        >
          {t("admin.directory.preview")}
        </button>
      </Form>
    </>
  );
}
