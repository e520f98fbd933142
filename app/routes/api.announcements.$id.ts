import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { findAnnouncement, toApiAnnouncement } from "../domain/announcements/reads.server";

/** GET /api/announcements/:idOrSlug — one published announcement. */
export function loader({ params }: LoaderFunctionArgs) {
  const announcement = findAnnouncement(params.id ?? "");
  if (announcement?.state !== "published") {
    return json({ error: "No published announcement with that id or slug." }, { status: 404 });
  }
  return json(toApiAnnouncement(announcement));
}
