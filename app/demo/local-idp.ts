import { generateKeyPairSync, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import Provider, { type Adapter, type AdapterPayload, type Configuration } from "oidc-provider";

/**
 * A real OpenID Provider (oidc-provider) on 127.0.0.1, for `npm run idp` and the tests: a client for
 * Undersigned, a sign-in page that lists its accounts (no passwords: it is for trying the app on one
 * machine), consent granted at once, RP-initiated logout. Only ever listens on the loopback address.
 */

export type LocalAccount = {
  sub: string;
  email: string;
  name: string;
  department?: string;
  locality?: string;
  groups?: string[];
  emailVerified?: boolean;
};

export type LocalIdpOptions = {
  port?: number;
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  accounts: LocalAccount[];
};

/** Everything the provider stores, in memory; tests reach in to expire a code. */
class MemoryAdapter implements Adapter {
  static store = new Map<string, AdapterPayload>();
  constructor(private readonly model: string) {}
  private key(id: string) {
    return `${this.model}:${id}`;
  }
  async upsert(id: string, payload: AdapterPayload): Promise<void> {
    MemoryAdapter.store.set(this.key(id), payload);
  }
  async find(id: string) {
    return MemoryAdapter.store.get(this.key(id));
  }
  async findByUserCode(userCode: string) {
    return [...MemoryAdapter.store.values()].find((p) => p.userCode === userCode);
  }
  async findByUid(uid: string) {
    return [...MemoryAdapter.store.values()].find((p) => p.uid === uid);
  }
  async consume(id: string): Promise<void> {
    const payload = MemoryAdapter.store.get(this.key(id));
    if (payload) payload.consumed = Math.floor(Date.now() / 1000);
  }
  async destroy(id: string): Promise<void> {
    MemoryAdapter.store.delete(this.key(id));
  }
  async revokeByGrantId(grantId: string): Promise<void> {
    for (const [key, payload] of MemoryAdapter.store)
      if (payload.grantId === grantId) MemoryAdapter.store.delete(key);
  }
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const page = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{font-family:system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem}button{display:block;width:100%;margin:.4rem 0;padding:.6rem;font-size:1rem;text-align:left}</style>
</head><body><main>${body}</main></body></html>`;

async function readBody(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

export async function startLocalIdp(options: LocalIdpOptions) {
  const accounts = new Map(options.accounts.map((a) => [a.sub, { ...a }]));
  let tokenHook: ((body: Record<string, unknown>) => Record<string, unknown>) | null = null;
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end();
  const server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const signingKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" });
  const configuration: Configuration = {
    adapter: MemoryAdapter,
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uris: options.redirectUris,
        post_logout_redirect_uris: options.postLogoutRedirectUris,
        response_types: ["code"],
        grant_types: ["authorization_code"],
        token_endpoint_auth_method: "client_secret_basic",
      },
    ],
    jwks: { keys: [{ ...signingKey, kid: randomUUID(), use: "sig", alg: "RS256" }] },
    cookies: { keys: [randomUUID()] },
    claims: {
      openid: ["sub"],
      email: ["email", "email_verified"],
      profile: ["name", "department", "locality", "groups"],
    },
    // The ID token carries the claims too (real providers differ; the app also asks userinfo).
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.body = page(
            "Sign out",
            `<h1>Sign out of the local identity provider?</h1>${form}<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>`,
          );
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.body = page("Signed out", "<h1>You are signed out.</h1>");
        },
      },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx, id) {
      const account = accounts.get(id);
      if (!account) return undefined;
      return {
        accountId: id,
        async claims() {
          return {
            sub: id,
            email: account.email,
            email_verified: account.emailVerified ?? true,
            name: account.name,
            ...(account.department ? { department: account.department } : {}),
            ...(account.locality ? { locality: account.locality } : {}),
            groups: account.groups ?? [],
          };
        },
      };
    },
  };
  const provider = new Provider(issuer, configuration);
  const callback = provider.callback();

  async function interaction(
    req: IncomingMessage,
    res: ServerResponse,
    uid: string,
    action: string | undefined,
  ) {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new Error("interaction mismatch");
    if (details.prompt.name === "login") {
      if (action === "login" && req.method === "POST") {
        const accountId = (await readBody(req)).get("account") ?? "";
        if (!accounts.has(accountId)) {
          res.writeHead(400, { "Content-Type": "text/plain" }).end("No such account.\n");
          return;
        }
        await provider.interactionFinished(
          req,
          res,
          { login: { accountId } },
          { mergeWithLastSubmission: false },
        );
        return;
      }
      const buttons = [...accounts.values()]
        .map(
          (a) =>
            `<button type="submit" name="account" value="${escapeHtml(a.sub)}">${escapeHtml(a.name)} · ${escapeHtml(a.email)}</button>`,
        )
        .join("");
      res
        .writeHead(200, { "Content-Type": "text/html; charset=utf-8" })
        .end(
          page(
            "Local identity provider",
            `<h1>Local identity provider</h1><p>Sign in as (no password: this provider is for trying Undersigned on one machine):</p><form method="post" action="/interaction/${escapeHtml(uid)}/login">${buttons}</form>`,
          ),
        );
      return;
    }
    // Consent: Undersigned is the company's own app, so what it asks is granted at once.
    const { prompt, params, session } = details;
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session?.accountId, clientId: String(params.client_id) });
    if (!grant) throw new Error("grant not found");
    const missing = prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(" "));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  handler = (req, res) => {
    const url = new URL(req.url ?? "/", issuer);
    const match = /^\/interaction\/([^/]+)(?:\/([a-z]+))?$/.exec(url.pathname);
    if (match) {
      interaction(req, res, match[1] ?? "", match[2]).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(400, { "Content-Type": "text/plain" });
        res.end(`This sign-in cannot continue: ${error instanceof Error ? error.message : "error"}\n`);
      });
      return;
    }
    if (tokenHook && url.pathname === "/token") interceptTokenResponse(res, tokenHook);
    callback(req, res);
  };

  return {
    issuer,
    provider,
    /** The accounts, changeable while running (a claim that changed at the provider). */
    accounts,
    /** Tests: rewrite the token endpoint's JSON answer (a tampered or forged ID token); null stops. */
    setTokenHook(hook: typeof tokenHook) {
      tokenHook = hook;
    },
    /** Tests: every authorization code issued so far expires now. */
    expireCodes() {
      for (const [key, payload] of MemoryAdapter.store)
        if (key.startsWith("AuthorizationCode:")) payload.exp = Math.floor(Date.now() / 1000) - 10;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
export type LocalIdp = Awaited<ReturnType<typeof startLocalIdp>>;

function interceptTokenResponse(
  res: ServerResponse,
  hook: (body: Record<string, unknown>) => Record<string, unknown>,
): void {
  const end = res.end.bind(res) as (chunk?: unknown) => ServerResponse;
  res.end = ((chunk?: unknown) => {
    if (typeof chunk !== "string" && !Buffer.isBuffer(chunk)) return end(chunk);
    let body = chunk.toString();
    try {
      body = JSON.stringify(hook(JSON.parse(body) as Record<string, unknown>));
    } catch {
      // not JSON: leave it
    }
    if (!res.headersSent) res.setHeader("Content-Length", Buffer.byteLength(body));
    return end(body);
  }) as typeof res.end;
}
