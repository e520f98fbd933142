import { createPrivateKey, generateKeyPairSync, sign } from "node:crypto";

/**
 * Walks an authorization request through the local OpenID Provider as a browser would (its cookies
 * kept, redirects followed, the account picked on its sign-in page) until it redirects to
 * `callbackPrefix`; returns that address (code, state, iss).
 */
export async function authorizeAtProvider(
  authorizationUrl: string,
  account: string,
  callbackPrefix: string,
): Promise<URL> {
  const jar = new Map<string, string>();
  const send = async (url: string, init: RequestInit = {}) => {
    const response = await fetch(url, {
      ...init,
      redirect: "manual",
      headers: { ...(init.headers ?? {}), Cookie: [...jar].map(([k, v]) => `${k}=${v}`).join("; ") },
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ""] = cookie.split(";");
      const [name = "", ...value] = pair.split("=");
      jar.set(name.trim(), value.join("="));
    }
    return response;
  };
  let url = authorizationUrl;
  for (let hop = 0; hop < 20; hop++) {
    const response = await send(url);
    const location = response.headers.get("Location");
    if (location) {
      const next = new URL(location, url);
      if (next.href.startsWith(callbackPrefix)) return next;
      url = next.href;
      continue;
    }
    const html = await response.text();
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    if (!action) throw new Error(`The provider answered ${response.status}: ${html.slice(0, 300)}`);
    const posted = await send(new URL(action, url).href, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ account }),
    });
    const after = posted.headers.get("Location");
    if (!after) throw new Error(`The provider's sign-in answered ${posted.status}`);
    url = new URL(after, url).href;
  }
  throw new Error("Too many redirects at the provider");
}

const base64url = (data: Buffer | string) => Buffer.from(data).toString("base64url");

/** The ID token with its payload changed but its signature kept: what a tamperer sends. */
export function tamperIdToken(idToken: string, change: Record<string, unknown>): string {
  const [header = "", payload = "", signature = ""] = idToken.split(".");
  const claims = { ...JSON.parse(Buffer.from(payload, "base64url").toString()), ...change };
  return `${header}.${base64url(JSON.stringify(claims))}.${signature}`;
}

/** The same claims signed by a key the provider never had, under the provider's key id. */
export function forgeIdToken(idToken: string): string {
  const [header = "", payload = ""] = idToken.split(".");
  const key = createPrivateKey(
    generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "pem", type: "pkcs8" }),
  );
  const signature = sign("sha256", Buffer.from(`${header}.${payload}`), key);
  return `${header}.${payload}.${base64url(signature)}`;
}
