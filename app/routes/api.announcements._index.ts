import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { z } from "zod";
import { listAnnouncements, toApiAnnouncement } from "../domain/announcements/reads.server";
import { pageParam, parseQuery } from "../web/request.server";

/** GET /api/announcements?page= — published announcements, newest first, 20 a page. */
export function loader({ request }: LoaderFunctionArgs) {
  const { page } = parseQuery(request, z.object({ page: pageParam }));
  const { announcements, pageCount } = listAnnouncements({ page, includeUnpublished: false });
  return json({ announcements: announcements.map(toApiAnnouncement), page, pageCount });
}
