import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { ENTRIES_PAGE, entriesBetween } from "../domain/transparency/log-reads.server";
import { logJson } from "../web/log-answers.server";
import { parseQuery } from "../web/request.server";

const query = z.object({
  start: z.coerce.number().int().min(0),
  end: z.coerce.number().int().min(0).optional(),
});

/** GET /api/log/entries?start=S&end=E — the log's leaves from S (up to E, at most 1,000 a page). */
export function loader({ request }: LoaderFunctionArgs) {
  const { start, end } = parseQuery(request, query);
  return logJson(() => entriesBetween(start, end ?? start + ENTRIES_PAGE));
}
