import { getFormProps, useForm } from "@conform-to/react";
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
import { InputField } from "../components/forms";
import { type ImportReport, importDirectory } from "../domain/people/directory-import.server";
import { refuseImplausibleFieldNames, refuseLargerThan } from "../web/request.server";
import { requirePermission } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction = () => [{ title: "Import directory · Admin · Undersigned" }];

const MAX_CSV_BYTES = 10 * 1024 * 1024;

const schema = z.object({
  file: z
    .instanceof(File, { message: "Choose a CSV file to import" })
    .refine((file) => file.size > 0, "Choose a CSV file to import (this one is empty)")
    .refine((file) => file.size <= MAX_CSV_BYTES, "The file is larger than 10 MB"),
  deactivateMissing: z.boolean().optional(),
});

export async function loader({ request }: LoaderFunctionArgs) {
  await requirePermission(request, "import:directory");
  return json({});
}

import type { SubmissionResult } from "@conform-to/react";
import { refusalReply } from "../web/refusal-reply.server";

type ActionResult = { result: SubmissionResult<string[]>; report?: ImportReport };

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requirePermission(request, "import:directory");
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
  const submission = parseWithZod(formData, { schema });
  if (submission.status !== "success") {
    return json<ActionResult>({ result: submission.reply() }, { status: 400 });
  }
  try {
    const report = importDirectory(
      await submission.value.file.text(),
      { id: admin.id, email: admin.email },
      { deactivateMissing: submission.value.deactivateMissing },
    );
    return json<ActionResult>({ result: submission.reply({ resetForm: true }), report });
  } catch (error) {
    return refusalReply(error, submission, (result): ActionResult => ({ result }));
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

export default function ImportDirectory() {
  const data = useActionData<typeof action>();
  const navigation = useNavigation();
  const [form, fields] = useForm({
    lastResult: data?.result,
    onValidate: ({ formData }) => parseWithZod(formData, { schema }),
    shouldValidate: "onSubmit",
  });
  const report = data?.report;
  return (
    <>
      <h1>Import the staff directory</h1>
      <p>
        Upload a CSV with the header <code>email,name,department,location</code> and optionally{" "}
        <code>active</code> (true/false). People are matched by email, ignoring case; importing the same file
        twice changes nothing. Deactivated people are signed out at once.
      </p>
      {report ? (
        <section className="card report" aria-labelledby="report-title" role="status">
          <h2 id="report-title">Import finished</h2>
          <ul>
            <li>
              Added: {report.added.length}
              <Lines lines={report.added} />
            </li>
            <li>
              Updated: {report.updated.length}
              <Lines lines={report.updated} />
            </li>
            <li>
              Deactivated: {report.deactivated.length + report.deactivatedMissing.length}
              <Lines lines={report.deactivated} />
              {report.deactivatedMissing.length ? (
                <span className="muted"> (not in the file: {report.deactivatedMissing.join(", ")})</span>
              ) : null}
            </li>
            <li>Unchanged: {report.unchanged.length}</li>
            <li>Rejected: {report.rejected.length}</li>
          </ul>
          {report.rejected.length ? (
            <>
              <h3>Rejected rows</h3>
              <ul>
                {report.rejected.map((row) => (
                  <li key={row.line}>
                    Line {row.line}: {row.reason}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
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
        <button type="submit" disabled={navigation.state === "submitting"}>
          Import
        </button>
      </Form>
    </>
  );
}
