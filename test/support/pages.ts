import { readdirSync } from "node:fs";
import { unsubscribeToken } from "../../app/platform/mail/email-preferences.server";
import { actionPath } from "./action-routes";
import type { World } from "./system-world";

/** A GET address for every route module (its parameters filled with real things), found at run time. */
export function everyPage(world: World): Array<{ file: string; url: string }> {
  const params: Record<string, string | number> = {
    idOrSlug: world.petitions.open.id,
    id: world.announcements.published.id,
    commentId: world.comments.plain,
    personId: world.people.staff.id,
    messageId: world.failedEmail,
    subjectType: "petition",
    subjectId: world.petitions.open.id,
    // A token id nobody holds: its status page answers "unknown" without reading anyone.
    tokenId: "0".repeat(64),
    token: unsubscribeToken(world.pool[0]?.id ?? 1, "comment-replies"),
    "": "no-such-page",
  };
  const slugs: Record<string, string> = {
    petitions: world.petitions.open.slug,
    announcements: world.announcements.published.slug,
    policies: world.policy.slug,
  };
  return readdirSync("app/routes")
    .filter((file) => /\.tsx?$/.test(file))
    .map((file) => ({
      file,
      url: actionPath(file, { ...params, slug: slugs[file.split(".")[0] ?? ""] ?? "x" }).replace(
        "?index",
        "",
      ),
    }));
}
