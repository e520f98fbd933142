import { and, gte, inArray, isNull, or } from "drizzle-orm";
import { getDb } from "../../../db/client";
import { petitions } from "../../../db/schema";
import { DAY_MS, MINUTE_MS, startOfDay } from "../../platform/time";
import type { PublicNewsItem } from "../../vocabulary/notifications";
import { NEWS } from "../petitions/home-feed.server";
import { petitionsEvents } from "../petitions/timeline.server";
import { plainWords } from "./inbox.server";

/**
 * The public news of every petition anyone may read, from the last PUBLIC_NEWS_DAYS: what a browser
 * that follows petitions on its own (an anonymous signer's) reads, fetched alike by every browser
 * (docs/notifications.md), so the server never learns who follows what. Dated by UTC day, as the
 * petition pages date events; the words are catalog keys, written in the reader's language there.
 */

export const PUBLIC_NEWS_DAYS = 30;

let cached: { minute: number; news: PublicNewsItem[] } | null = null;

export function publicNews(now = Date.now()): { news: PublicNewsItem[] } {
  // Computed at most once a minute: every page of every browser reads it.
  const minute = now - (now % MINUTE_MS);
  if (cached?.minute === minute) return { news: cached.news };
  const since = startOfDay(now) - PUBLIC_NEWS_DAYS * DAY_MS;
  const rows = getDb()
    .select()
    .from(petitions)
    .where(
      and(
        isNull(petitions.hiddenAt),
        or(
          inArray(petitions.state, ["open"]),
          and(inArray(petitions.state, ["closed", "archived"]), gte(petitions.updatedAt, new Date(since))),
        ),
      ),
    )
    .all();
  const events = petitionsEvents(rows);
  const news = rows
    .flatMap((petition) =>
      (events.get(petition.id) ?? [])
        .filter((e) => NEWS.has(e.kind) && e.at.getTime() >= since && e.at.getTime() <= now)
        .map((e) => ({
          at: e.at.getTime(),
          item: {
            petitionId: petition.id,
            slug: petition.slug,
            title: petition.title,
            key: `${petition.id}-${e.key}`,
            kind: e.kind,
            on: new Date(startOfDay(e.at.getTime())).toISOString().slice(0, 10),
            words: plainWords(e.words),
            ...(e.href ? { href: e.href } : {}),
          },
        })),
    )
    .sort((a, b) => b.at - a.at || a.item.key.localeCompare(b.item.key))
    .map((n) => n.item);
  cached = { minute, news };
  return { news };
}
