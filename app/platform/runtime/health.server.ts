import { sql } from "drizzle-orm";
import { getDb } from "../../../db/client";
import { errorForLog } from "./log-text";

/** Whether the database is open and answering, for /healthz. */
export function databaseAnswers(): boolean {
  try {
    getDb().get(sql`select 1`);
    return true;
  } catch (error) {
    console.error(`healthz: ${errorForLog(error)}`);
    return false;
  }
}
