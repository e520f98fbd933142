import { eq } from "drizzle-orm";
import { getDb } from "../../../db/client";
import { siteSettings } from "../../../db/schema";
import { type AtomEntry, atomFeed, escapeXml } from "../../platform/content/atom";
import { companyWords } from "../../platform/mail/recipient-words.server";
import { absoluteUrl, petitionUrl } from "../../platform/site/addresses.server";
import { startOfDay } from "../../platform/time";
import { firstAddress } from "../addresses/addresses.server";
import type { Petition } from "./rights.server";
import { petitionEvents } from "./timeline.server";
import { listPetitionUpdates } from "./updates.server";

/**
 * The site_settings row, written by the feed_ids_stable_since migration when it ran: the time from which the
 * petition feeds' event ids are made of stable data (epoch milliseconds).
 */
export const FEED_IDS_STABLE_SINCE = "feedIdsStableSince";

function stableIdsSince(): number {
  const row = getDb()
    .select({ value: siteSettings.value })
    .from(siteSettings)
    .where(eq(siteSettings.key, FEED_IDS_STABLE_SINCE))
    .get();
  return typeof row?.value === "number" ? row.value : 0;
}

/**
 * The id an event had before: its day and the first 40 characters of its percent-encoded text. Made
 * from words that can be edited, equal for two like events of a day, and invalid (not an IRI) when
 * the cut fell inside an escape.
 */
const previousEventId = (url: string, at: Date, text: string) =>
  `${url}#event-${startOfDay(at.getTime())}-${encodeURIComponent(text).slice(0, 40)}`;

/**
 * A public petition's Atom feed: organizers' updates, and its events (milestones, responses, policy
 * versions, commitments, closing), newest first — how anonymous signers, whom the platform cannot
 * email, follow what they signed. Reading it names nobody.
 *
 * Entry ids (RFC 4287 §4.2.6) are IRIs that never change, since readers tell entries apart by them:
 * the petition's address and the event's stable key (`#milestone-500`, `#commitment-update-7`).
 * (An old id is made of the event's English text: that text must stay English however the feed
 * is worded.) An event from before those keys keeps the id readers already hold if it was a valid IRI, and of
 * events that shared one, the first keeps it (readers hold one entry by it); any other event takes
 * its stable id. Ids are made of the petition's first address: one that moved (ADR 40) keeps them.
 */
export function petitionFeed(petition: Petition): string {
  // Fetched by a feed reader, not a person: the feed's own words are in the company's language.
  const { t } = companyWords();
  const url = petitionUrl(petition.slug);
  const idBase = petitionUrl(firstAddress("petition", petition));
  const since = stableIdsSince();
  const updates: AtomEntry[] = listPetitionUpdates(petition.id).map((u) => ({
    id: `${idBase}#update-${u.id}`,
    title: t(u.kind === "victory" ? "server.feed.petition.won" : "server.feed.petition.update"),
    link: petitionUrl(petition.slug, "updates"),
    published: u.createdAt,
    html: u.bodyHtml,
  }));
  // The organizers' updates are entries of their own (above), with their text; creation is no news.
  const events = petitionEvents(petition).filter((e) => e.kind !== "created" && e.kind !== "update");
  const previous = events.map((e) => (e.at.getTime() < since ? previousEventId(idBase, e.at, e.text) : null));
  const entries: AtomEntry[] = events.map((e, i) => {
    const kept = previous[i];
    // Cut inside an escape ("%E2%8"): not an IRI, so never a usable id.
    const keep = kept && !/%[0-9A-F]?$/.test(kept) && previous.indexOf(kept) === i;
    return {
      id: keep ? kept : `${idBase}#${e.key}`,
      title: e.text,
      link: e.href ? absoluteUrl(e.href) : url,
      // Dated by day, as the petition's page shows them.
      published: new Date(startOfDay(e.at.getTime())),
      html: `<p>${escapeXml(e.text)}</p>`,
    };
  });
  return atomFeed({
    id: idBase,
    title: t("server.feed.petition.title", { title: petition.title }),
    self: `${url}/feed.atom`,
    alternate: url,
    author: t("server.feed.petition.author"),
    entries: [...updates, ...entries].sort((a, b) => b.published.getTime() - a.published.getTime()),
  });
}
