import { json } from "@remix-run/node";
import { sql } from "drizzle-orm";
import { getDb } from "../../db/client";

/** 200 once the database is open and answering; 503 otherwise. */
export function loader() {
  try {
    getDb().get(sql`select 1`);
    return json({ status: "ok", database: "ok" }, { headers: { "Cache-Control": "no-store" } });
  } catch (error) {
    console.error("healthz:", error);
    return json(
      { status: "error", database: "unavailable" },
      { status: 503, headers: { "Cache-Control": "no-store" } },
    );
  }
}
