import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { findAnnouncement, toApiAnnouncement } from "../domain/announcements/reads.server";
import { redirectFromFormerAddress } from "../web/former-addresses.server";
import { apiNotFound } from "../web/refusal-reply.server";

/** GET /api/announcements/:idOrSlug — one published announcement. */
export function loader({ request, params }: LoaderFunctionArgs) {
  const announcement = findAnnouncement(params.id ?? "");
  if (announcement?.state !== "published") {
    return apiNotFound("No published announcement with that id or slug.");
  }
  redirectFromFormerAddress(request, "/api/announcements/", params.id, announcement.slug);
  return json(toApiAnnouncement(announcement));
}
