/** The wallet's one error type (its message is for people) and its JSON requests. */
export class WalletError extends Error {}

export async function postJson(
  url: string,
  body: unknown,
  credentials: RequestCredentials,
): Promise<{ status: number; data: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: "POST",
    credentials,
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
  });
  const data = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  return { status: response.status, data };
}

export const errorOf = (data: Record<string, unknown>, fallback: string) =>
  typeof data.error === "string" ? data.error : fallback;

/** A random wait of `min`–`max` ms, so that a request does not follow the page's others in a pattern. */
export const randomWait = (min: number, max: number) =>
  new Promise((resolve) => setTimeout(resolve, min + Math.random() * (max - min)));
