import type { AppLoadContext } from "@remix-run/node";
import { z } from "zod";

/** `?page=` as a positive integer, 1 when absent; anything else is a 400. */
export const pageParam = z.coerce.number().int().min(1).max(100_000).default(1);

/** Parses the URL's query with zod; bad input is a 400 with the reasons, never a 500. */
export function parseQuery<T extends z.ZodType>(request: Request, schema: T): z.output<T> {
  const params = Object.fromEntries(
    [...new URL(request.url).searchParams].filter(([, value]) => value !== ""),
  );
  const result = schema.safeParse(params);
  if (!result.success) {
    const reasons = result.error.issues.map((i) => `${i.path.join(".") || "query"}: ${i.message}`).join("; ");
    throw new Response(`The address has invalid parameters (${reasons}).`, { status: 400 });
  }
  return result.data;
}

/** The caller's address, for rate limits only (never stored with identities). */
export const clientIp = (context: AppLoadContext) => context.clientIp ?? "unknown";

/** 404 for ids that are not positive integers, rather than a database error. */
export function parseId(value: string | undefined): number {
  const id = Number(value);
  if (!Number.isSafeInteger(id) || id < 1) throw new Response("Not found", { status: 404 });
  return id;
}
