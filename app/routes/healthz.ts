import { json } from "@remix-run/node";
import { databaseAnswers } from "../platform/runtime/health.server";
import { processRole } from "../platform/runtime/process-group.server";
import { STORAGE_RETRY_AFTER_S, storageFullSince } from "../platform/runtime/storage.server";

/**
 * 200 once the database is open and answering; 503 when it is not, or when nothing can be stored
 * (the disk is full: pages still read, writes are refused). `worker` says which worker process
 * answered (null outside `npm start`'s group) and `jobs` whether it is the one running the background
 * jobs (mail, scheduler, session sweeper, backups).
 */
export function loader() {
  const headers = { "Cache-Control": "no-store" };
  const role = processRole();
  if (!databaseAnswers())
    return json({ status: "error", database: "unavailable", ...role }, { status: 503, headers });
  const full = storageFullSince();
  if (full !== null)
    return json(
      {
        status: "error",
        database: "ok",
        storage: "full",
        storageFullSince: new Date(full).toISOString(),
        ...role,
      },
      { status: 503, headers: { ...headers, "Retry-After": String(STORAGE_RETRY_AFTER_S) } },
    );
  return json({ status: "ok", database: "ok", storage: "ok", ...role }, { headers });
}
