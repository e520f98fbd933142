/**
 * Petitions this browser follows on its own (docs/notifications.md): an anonymous signer's, or anyone
 * who chose "Follow on this device only". The list and what was read stay in this browser's storage;
 * news comes from the one public feed every browser fetches alike, so the server never learns who
 * follows what.
 */

import type { PublicNewsItem } from "../vocabulary/notifications";

export const PUBLIC_NEWS_PATH = "/api/news";
const FOLLOWS = "undersigned.follows";
const READ = "undersigned.follows.read";
const NEWS = "undersigned.news";
/** How old a copy of the feed may be before a page fetches it again (the same for every browser). */
const FRESH_MS = 5 * 60_000;

function readList(name: string): number[] | string[] {
  try {
    const value: unknown = JSON.parse(localStorage.getItem(name) ?? "[]");
    return Array.isArray(value) ? value : [];
  } catch {
    return [];
  }
}

export const followedOnThisDevice = (): number[] =>
  (readList(FOLLOWS) as unknown[]).filter((id): id is number => Number.isInteger(id));

export function followOnThisDevice(petitionId: number, follow = true): void {
  const others = followedOnThisDevice().filter((id) => id !== petitionId);
  localStorage.setItem(FOLLOWS, JSON.stringify(follow ? [...others, petitionId] : others));
  window.dispatchEvent(new Event("undersigned:follows"));
}

const readOnThisDevice = () =>
  new Set((readList(READ) as unknown[]).filter((k): k is string => typeof k === "string"));

/** Marks news read on this device; keys no longer in the feed are forgotten, so the list stays short. */
export function markReadOnThisDevice(keys: string[], inFeed: PublicNewsItem[]): void {
  const current = new Set(inFeed.map((n) => n.key));
  const read = [...readOnThisDevice(), ...keys].filter((k) => current.has(k));
  localStorage.setItem(READ, JSON.stringify([...new Set(read)]));
  window.dispatchEvent(new Event("undersigned:follows"));
}

/**
 * The public feed: a copy under FRESH_MS old, else fetched without cookies. Every page of every browser
 * calls this, whether it follows anything or not.
 */
export async function publicNews(now = Date.now()): Promise<PublicNewsItem[]> {
  try {
    const copy = JSON.parse(localStorage.getItem(NEWS) ?? "null") as {
      at: number;
      news: PublicNewsItem[];
    } | null;
    if (copy && now - copy.at < FRESH_MS && now >= copy.at) return copy.news;
  } catch {
    // A damaged copy: fetched again.
  }
  const response = await fetch(PUBLIC_NEWS_PATH, {
    credentials: "omit",
    headers: { Accept: "application/json" },
  });
  if (!response.ok) throw new Error(`The public news could not be read (${response.status}).`);
  const { news } = (await response.json()) as { news: PublicNewsItem[] };
  localStorage.setItem(NEWS, JSON.stringify({ at: now, news }));
  return news;
}

/** This device's notifications: the feed's news of the petitions it follows, newest first, each marked read or not. */
export function deviceNotifications(news: PublicNewsItem[]) {
  const followed = new Set(followedOnThisDevice());
  const read = readOnThisDevice();
  return news.filter((n) => followed.has(n.petitionId)).map((n) => ({ ...n, unread: !read.has(n.key) }));
}
