import { json } from "@remix-run/node";
import { databaseAnswers } from "../platform/health.server";

/** 200 once the database is open and answering; 503 otherwise. */
export function loader() {
  return databaseAnswers()
    ? json({ status: "ok", database: "ok" }, { headers: { "Cache-Control": "no-store" } })
    : json(
        { status: "error", database: "unavailable" },
        { status: 503, headers: { "Cache-Control": "no-store" } },
      );
}
