import { redirect } from "@remix-run/node";

/**
 * A GET or HEAD at a record's former address (ADR 40) moves for good to its current one: a 301 to the
 * same page below it, with the same query. `prefix` is the path before the address ("/petitions/");
 * `given` is the address asked for (the route's param), `current` the record's. A number is an id,
 * never a former address; other methods act on the record where they were sent.
 */
export function redirectFromFormerAddress(
  request: Request,
  prefix: string,
  given: string | undefined,
  current: string,
): void {
  if (given === undefined || given === current || /^\d+$/.test(given)) return;
  if (request.method !== "GET" && request.method !== "HEAD") return;
  const url = new URL(request.url);
  // Routes match whatever the case ("/PETITIONS/…"), so the prefix is compared so too.
  if (!url.pathname.toLowerCase().startsWith(prefix)) return;
  const below = url.pathname.slice(prefix.length).replace(/^[^/]*/, "");
  throw redirect(`${prefix}${encodeURIComponent(current)}${below}${url.search}`, 301);
}
