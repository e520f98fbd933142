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
import { z } from "zod";
import { FormErrors, InputField } from "../components/forms";
import {
  confirmDirectoryImport,
  type ImportReport,
  previewDirectoryImport,
} from "../domain/people/directory-import.server";
import { refusalReply } from "../web/refusal-reply.server";
import { readForm, refuseImplausibleFieldNames, refuseLargerThan } from "../web/request.server";
import { requirePermission } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction = () => [{ title: "Import directory · Admin · Undersigned" }];

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
  return json({});
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
  let formData: FormData;
  try {
    formData = await unstable_parseMultipartFormData(
      request,
      unstable_createMemoryUploadHandler({ maxPartSize: MAX_CSV_BYTES }),
    );
  } catch (error) {
    if (error instanceof MaxPartSizeExceededError) {
      throw new Response("The file is larger than 10 MB; split it or remove unused columns.", {
        status: 413,
      });
    }
    throw new Response("The upload could not be read; please choose the file again.", { status: 400 });
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
  if (!lines.length) return null;
  const shown = lines.slice(0, 30).join(", ");
  return (
    <span className="muted">
      {" "}
      (line{lines.length > 1 ? "s" : ""} {shown}
      {lines.length > 30 ? ", …" : ""})
    </span>
  );
}

/** The outcome of each row, for the preview (what it would do) and the report (what it did). */
function Outcomes({ report, future }: { report: ImportReport; future: boolean }) {
  const missing = report.deactivatedMissing;
  return (
    <>
      <ul>
        <li>
          {future ? "To add" : "Added"}: {report.added.length}
          <Lines lines={report.added} />
        </li>
        <li>
          {future ? "To update" : "Updated"}: {report.updated.length}
          <Lines lines={report.updated} />
        </li>
        <li>
          {future ? "To deactivate" : "Deactivated"}: {report.deactivated.length + missing.length}
          <Lines lines={report.deactivated} />
          {missing.length ? (
            <span className="muted">
              {" "}
              (not in the file: {missing.slice(0, 50).join(", ")}
              {missing.length > 50 ? `, and ${missing.length - 50} more` : ""})
            </span>
          ) : null}
        </li>
        <li>Unchanged: {report.unchanged.length}</li>
        <li>
          {future ? "Rows that will be refused" : "Rejected"}: {report.rejected.length}
        </li>
      </ul>
      {report.rejected.length ? (
        <>
          <h3>{future ? "Rows that will be refused" : "Rejected rows"}</h3>
          <ul>
            {report.rejected.map((row) => (
              <li key={row.line}>
                Line {row.line}: {row.reason}
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
  return (
    <>
      <h1>Import the staff directory</h1>
      <p>
        Upload a CSV with the header <code>email,name,department,location</code> and optionally{" "}
        <code>active</code> (true/false). People are matched by email, ignoring case; importing the same file
        twice changes nothing. You see what the file would change before anything does. Deactivated people are
        signed out at once.
      </p>
      {confirmError ? (
        <FormErrors errors={data?.result.error?.[""] ?? data?.result.error?.pendingId ?? undefined} />
      ) : null}
      {preview ? (
        <section className="card report" aria-labelledby="preview-title">
          <h2 id="preview-title">Check before importing</h2>
          <p>Nothing has changed yet. Importing this file would make these changes:</p>
          <Outcomes report={preview.report} future />
          {preview.report.deactivatedMissing.length ? (
            <p className="flash flash-error">
              This deactivates {preview.report.deactivatedMissing.length.toLocaleString("en")}{" "}
              {preview.report.deactivatedMissing.length === 1 ? "person" : "people"} who are not in the file,
              and signs them out.
            </p>
          ) : null}
          <Form method="post" className="row">
            <input type="hidden" name="pendingId" value={preview.pendingId} />
            <button type="submit" name="intent" value="confirm" disabled={navigation.state === "submitting"}>
              Import these changes
            </button>
          </Form>
          <p className="hint">Or choose another file below.</p>
        </section>
      ) : null}
      {report ? (
        <section className="card report" aria-labelledby="report-title" role="status">
          <h2 id="report-title">Import finished</h2>
          <Outcomes report={report} future={false} />
        </section>
      ) : null}
      <Form method="post" encType="multipart/form-data" className="card" {...getFormProps(form)}>
        <InputField label="CSV file" field={fields.file} type="file" accept=".csv,text/csv" />
        <div className="checkbox">
          <input
            id={fields.deactivateMissing.id}
            name={fields.deactivateMissing.name}
            type="checkbox"
            value="on"
          />
          <label htmlFor={fields.deactivateMissing.id}>
            This is the whole directory: deactivate directory people who are not in the file
          </label>
        </div>
        <button
          type="submit"
          name="intent"
          value="preview"
          className={preview ? "secondary" : undefined}
          disabled={navigation.state === "submitting"}
        >
          Preview the import
        </button>
      </Form>
    </>
  );
}
