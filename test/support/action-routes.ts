import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { transitionSchema } from "../../app/domain/petitions/forms";
import { EMAIL_TOPICS } from "../../app/vocabulary/email-topics";
import { readFlash } from "../../app/web/flash.server";

/**
 * Every route whose module exports an `action` — everything that can change data over HTTP — with
 * the `intent`s it accepts and the fields its forms post. The system suites iterate over this list,
 * and `missingFromInventory` makes them fail when a route or an intent is added without it.
 */
export type ActionRoute = {
  /** The module in app/routes. */
  file: string;
  /** Values of the `intent` field ([""] for an action with one job). */
  intents: readonly string[];
  /** Names the forms post, for building (and breaking) bodies. */
  fields: readonly string[];
  /** Not a form: an API with its own credentials and body format. */
  api?: "scim";
};

const PETITION_FIELDS = ["title", "summary", "body", "category", "policyId", "openForDays"];
const ANNOUNCEMENT_FIELDS = [
  "title",
  "body",
  "responses[0].petitionId",
  "responses[0].stance",
  "policyId",
  "policyBody",
  "policyChangeSummary",
  "policyEffectiveAt",
  "commitments[0].text",
  "commitments[0].dueAt",
  "commitments[0].status",
  "onBehalf",
];
const COMMENT_FIELDS = ["body", "anonymous", "returnTo", "_fetcher"];

/** The steps of the petition page's `transition` intent (the state machine's actions). */
export const TRANSITION_STEPS: readonly string[] = transitionSchema.options.map((o) => o.shape.action.value);

export const ACTION_ROUTES: readonly ActionRoute[] = [
  { file: "admin.backups.tsx", intents: ["backup"], fields: ["intent"] },
  { file: "admin.erasures.tsx", intents: ["erase"], fields: ["intent", "personId", "confirm"] },
  {
    file: "admin.directory.tsx",
    intents: ["preview", "confirm"],
    fields: ["intent", "file", "deactivateMissing", "pendingId"],
  },
  {
    file: "admin.chat.tsx",
    intents: ["add", "update", "remove", "test"],
    fields: ["intent", "id", "name", "kind", "webhookUrl", "events"],
  },
  { file: "auth.saml.acs.tsx", intents: [""], fields: ["SAMLResponse", "RelayState"] },
  { file: "admin.outbox.tsx", intents: ["retry", "retry-hidden"], fields: ["id", "kind", "day"] },
  {
    file: "admin.people.$personId.tsx",
    intents: [
      "grant",
      "revoke",
      "deactivate",
      "activate",
      "approve-link",
      "refuse-link",
      "confirm-directory-change",
      "refuse-directory-change",
    ],
    fields: ["role", "requestId", "email", "userName", "externalId"],
  },
  {
    file: "admin.settings.tsx",
    intents: [""],
    fields: [
      "coSponsorsRequired",
      "openForDays",
      "commentReportThreshold",
      "anonymousAuthorDays",
      "emailSignIn",
      "categories",
      "milestones[0].threshold",
      "milestones[0].responseRequired",
      "milestones[0].responseDays",
    ],
  },
  {
    file: "announcements.$slug._index.tsx",
    intents: ["publish", "schedule", "commitment"],
    fields: ["publishAt", "timeZone", "commitmentId", "status", "note", "dueAt", "onBehalf"],
  },
  { file: "announcements.$slug.edit.tsx", intents: [""], fields: ANNOUNCEMENT_FIELDS },
  { file: "announcements.new.tsx", intents: [""], fields: ANNOUNCEMENT_FIELDS },
  {
    file: "comments.$commentId.tsx",
    intents: ["reply", "edit", "delete", "vote", "report", "hide", "restore", "dismiss"],
    fields: [...COMMENT_FIELDS, "up", "reason", "note"],
  },
  {
    file: "discussions.$subjectType.$subjectId.tsx",
    intents: ["post", "lock", "unlock"],
    fields: [...COMMENT_FIELDS, "reason"],
  },
  {
    file: "petitions.$slug._index.tsx",
    intents: [
      "sign",
      "withdraw",
      ...TRANSITION_STEPS.map((s) => `transition:${s}`),
      "add-milestone",
      "approve-response",
      "drop-co-sponsor",
    ],
    fields: [
      "visibility",
      "reason",
      "wantsUpdates",
      "step",
      "note",
      "threshold",
      "responseRequired",
      "responseDays",
      "milestoneId",
      "personId",
    ],
  },
  {
    file: "petitions.$slug.dashboard.tsx",
    intents: [
      "preview-update",
      "post-update",
      "declare-victory",
      "invite-organizer",
      "remove-organizer",
      "leave",
    ],
    fields: ["body", "email", "personId"],
  },
  { file: "petitions.$slug.invitation.tsx", intents: ["accept", "decline"], fields: [] },
  { file: "petitions.$slug.edit.tsx", intents: [""], fields: PETITION_FIELDS },
  { file: "petitions.$slug.export.ts", intents: [""], fields: [] },
  {
    file: "petitions.$slug.invalidate.tsx",
    intents: ["preview", "confirm"],
    fields: ["emails", "from", "to", "ip", "reason", "expected"],
  },
  { file: "petitions.new.tsx", intents: [""], fields: PETITION_FIELDS },
  {
    file: "policies.$slug._index.tsx",
    intents: ["publish-version", "send-feedback"],
    fields: ["body", "changeSummary", "effectiveAt", "rating", "anonymous"],
  },
  {
    file: "policies.$slug.feedback.tsx",
    intents: ["status", "tag", "untag", "reply"],
    fields: ["feedbackId", "status", "tag", "body"],
  },
  {
    file: "policies.new.tsx",
    intents: [""],
    fields: ["title", "summary", "ownerTeam", "ownerEmails", "body", "changeSummary", "effectiveAt"],
  },
  // SCIM: a JSON API with a bearer token, not forms (the fuzzer breaks it in its own way).
  { file: "scim.v2.$.ts", intents: [""], fields: [], api: "scim" },
  { file: "scim.v2.Users.$id.ts", intents: [""], fields: [], api: "scim" },
  { file: "scim.v2.Users._index.ts", intents: [""], fields: [], api: "scim" },
  { file: "scim.v2.[.]search.ts", intents: [""], fields: [], api: "scim" },
  { file: "scim.v2.Users.[.]search.ts", intents: [""], fields: [], api: "scim" },
  { file: "my.data.tsx", intents: ["request-erasure"], fields: ["intent"] },
  {
    file: "notifications.tsx",
    intents: ["read", "read-all", "follow", "cadence"],
    fields: ["key", "petitionId", "follow", "cadence"],
  },
  { file: "settings.tsx", intents: ["email", "reader"], fields: [...EMAIL_TOPICS, "locale", "timeZone"] },
  { file: "sign-in.tsx", intents: [""], fields: ["email", "redirectTo"] },
  { file: "sign-in_.link.tsx", intents: ["confirm", "refuse"], fields: ["token"] },
  { file: "sign-in_.provider.tsx", intents: [""], fields: ["protocol", "redirectTo"] },
  { file: "sign-in_.verify.tsx", intents: [""], fields: ["token"] },
  { file: "sign-out.tsx", intents: [""], fields: [] },
  { file: "unsubscribe.$token.tsx", intents: [""], fields: ["List-Unsubscribe"] },
  { file: "welcome.tsx", intents: [""], fields: ["name", "redirectTo"] },
];

const ROUTES_DIR = path.resolve("app/routes");
const EXPORTS_ACTION =
  /export\s+(async\s+)?function\s+action\b|export\s+const\s+action\b|export\s*\{[^}]*\baction\b/;

/** The route modules that export an action, read from app/routes now (not from a list). */
export function routeFilesWithActions(): string[] {
  return readdirSync(ROUTES_DIR)
    .filter(
      (file) =>
        /\.tsx?$/.test(file) && EXPORTS_ACTION.test(readFileSync(path.join(ROUTES_DIR, file), "utf8")),
    )
    .sort();
}

/** The intents a route's source declares (`intent: z.literal("…")`), transitions spelled out. */
export function declaredIntents(file: string): string[] {
  const source = readFileSync(path.join(ROUTES_DIR, file), "utf8");
  const intents = [...source.matchAll(/intent:\s*z\.literal\("([^"]+)"\)/g)].map((m) => m[1] ?? "");
  if (!intents.length) return [""];
  return intents.flatMap((intent) =>
    intent === "transition" ? TRANSITION_STEPS.map((s) => `transition:${s}`) : [intent],
  );
}

/** What the inventory lacks (or still lists) compared with the route files: empty when complete. */
/**
 * The JSON API's actions (no forms, no intents): the anonymity protocol's routes. Each is attacked by
 * test/system/json-api.test.ts; `session` says whether it needs a signed-in session ("required") or
 * must neither read nor set a cookie ("none").
 */
export type JsonRoute = {
  file: string;
  session: "required" | "none";
  sample: Record<string, unknown>;
  /** The sample is a request the route carries out (no cryptography to forge): not sent as a forgery. */
  sampleIsValid?: true;
};

export const JSON_ROUTES: readonly JsonRoute[] = [
  {
    file: "api.tokens.ts",
    session: "required",
    sample: { requests: [{ scope: "petition:1", blindedMessage: "A".repeat(342) }] },
  },
  {
    file: "api.wallet._index.ts",
    session: "required",
    sample: { check: "0".repeat(32) },
    sampleIsValid: true,
  },
  {
    file: "api.wallet.passkeys.ts",
    session: "required",
    sample: { credentialId: "A".repeat(43), wrapped: "A".repeat(60) },
  },
  { file: "api.wallet.reset.ts", session: "required", sample: { confirm: "reset" }, sampleIsValid: true },
  {
    file: "api.petitions.$idOrSlug.anonymous.ts",
    session: "none",
    sample: { message: "A".repeat(300), signature: "A".repeat(342) },
  },
  {
    file: "api.petitions.$idOrSlug.anonymous.actions.ts",
    session: "none",
    sample: { tokenId: "a".repeat(64), action: "withdraw", seq: 1, proof: "A".repeat(86) },
  },
  // A witness's cosignature: text/plain (a signed note), so every JSON body here is a 415; the
  // notes themselves are attacked in test/integration/transparency-log.test.ts.
  { file: "api.log.cosignature.ts", session: "none", sample: { note: "example.test/log\n1\n" } },
  {
    file: "api.policies.$id.anonymous-feedback.ts",
    session: "none",
    sample: {
      body: "Too much.",
      secret: "A".repeat(43),
      message: "A".repeat(300),
      signature: "A".repeat(342),
    },
  },
];

export function missingFromInventory(): string[] {
  const problems: string[] = [];
  const files = routeFilesWithActions().filter((file) => !JSON_ROUTES.some((r) => r.file === file));
  for (const file of JSON_ROUTES.map((r) => r.file)) {
    if (!routeFilesWithActions().includes(file))
      problems.push(`${file} is listed but has no action any more`);
  }
  for (const file of files) {
    const route = ACTION_ROUTES.find((r) => r.file === file);
    if (!route) {
      problems.push(`${file} has an action that test/support/action-routes.ts does not list`);
      continue;
    }
    const declared = declaredIntents(file);
    for (const intent of declared)
      if (!route.intents.includes(intent)) problems.push(`${file}: intent "${intent}" is not listed`);
    for (const intent of route.intents)
      if (!declared.includes(intent)) problems.push(`${file}: listed intent "${intent}" is not in the route`);
  }
  for (const route of ACTION_ROUTES)
    if (!files.includes(route.file)) problems.push(`${route.file} is listed but has no action any more`);
  return problems;
}

/** Remix's id for a route module, as `?_data=` names it. */
export const routeId = (file: string) => `routes/${file.replace(/\.tsx?$/, "")}`;

/**
 * The URL a form posts to for this route (Remix flat-routes naming), with `$params` filled in; index
 * routes carry `?index` as Remix's own forms do.
 */
export function actionPath(file: string, params: Record<string, string | number> = {}): string {
  const { parts, index } = pathSegments(file);
  const path = parts.map((segment) => {
    if (!segment.startsWith("$")) return segment;
    const value = params[segment.slice(1)];
    if (value === undefined) throw new Error(`${file} needs the parameter ${segment}`);
    return encodeURIComponent(String(value));
  });
  return `/${path.join("/")}${index ? "?index" : ""}`;
}

/** The parameters in `path`, an address of route `file` (actionPath's inverse): `{ slug: "x" }`. */
export function actionParams(file: string, path: string): Record<string, string> {
  const { parts } = pathSegments(file);
  const values = path
    .replace(/[?#].*$/, "")
    .split("/")
    .slice(1);
  if (values.length !== parts.length) throw new Error(`${path} is not an address of ${file}`);
  return Object.fromEntries(
    parts.flatMap((segment, i) =>
      segment.startsWith("$") ? [[segment.slice(1), decodeURIComponent(values[i] ?? "")]] : [],
    ),
  );
}

/** A route file's path segments (`$name` for a parameter), and whether it is an index route. */
function pathSegments(file: string): { parts: string[]; index: boolean } {
  // "[.]" escapes a dot inside a segment (announcements[.]atom): split only on the other dots.
  const segments = file
    .replace(/\.tsx?$/, "")
    .split(/(?<!\[)\.(?!\])/)
    .map((segment) => segment.replace(/\[\.\]/g, "."));
  const index = segments.at(-1) === "_index";
  const parts = (index ? segments.slice(0, -1) : segments).map((segment) => segment.replace(/_$/, ""));
  return { parts, index };
}

/** How the server answered a POST, reduced to what the suites judge. */
export type ActionOutcome = {
  status: number;
  /** Where a redirect goes (a document's Location, or a data request's X-Remix-Redirect). */
  location: string | null;
  /** The flash message the redirect carries, if any. */
  flash: { kind: string; message: string } | null;
  body: string;
};

/** Reads a response: redirects (plain or Remix data requests) with their flash, bodies as text. */
export async function readOutcome(response: Response): Promise<ActionOutcome> {
  const location = response.headers.get("X-Remix-Redirect") ?? response.headers.get("Location");
  const cookies = response.headers.getSetCookie().map((c) => c.split(";")[0] ?? "");
  const flashCookie = cookies.find((c) => c.startsWith("__flash="));
  const flash = flashCookie
    ? (await readFlash(new Request("http://x/", { headers: { Cookie: flashCookie } }))).flash
    : null;
  return { status: response.status, location, flash, body: await response.text() };
}

/** Remix data requests answer a redirect with 204 and X-Remix-Redirect; documents with a 3xx. */
export const isRedirect = (outcome: ActionOutcome) =>
  outcome.location !== null && (outcome.status === 204 || (outcome.status >= 300 && outcome.status < 400));

export const toSignIn = (outcome: ActionOutcome) =>
  isRedirect(outcome) && /^\/sign-in\?/.test(outcome.location ?? "");

/**
 * A refusal: a 4xx, a redirect to sign-in, a redirect whose flash is an error, or a fetcher's 200
 * carrying conform's error reply.
 */
export function isRefusal(outcome: ActionOutcome): boolean {
  if (outcome.status >= 400 && outcome.status < 500) return true;
  if (isRedirect(outcome)) return toSignIn(outcome) || outcome.flash?.kind === "error";
  if (outcome.status === 200 && outcome.body.startsWith("{")) {
    try {
      const data: unknown = JSON.parse(outcome.body);
      return typeof data === "object" && data !== null && "status" in data && data.status === "error";
    } catch {
      return false;
    }
  }
  return false;
}

export type ActionRequest = {
  path: string;
  body?: Record<string, string> | FormData | URLSearchParams | string | Blob;
  /** Content-Type for string and byte bodies (the others set their own). */
  contentType?: string;
  cookie?: string;
  /** The Origin header; defaults to the app's own, as a browser posting one of its forms sends. */
  origin?: string | null;
  headers?: Record<string, string>;
  method?: string;
  /** As a Remix data request (how forms post with JavaScript): `?_data=` naming this route module. */
  dataFor?: string;
  /** Gives up (and throws) after this long: a request that hangs the server is a failure too. */
  timeoutMs?: number;
};

/** Sends one request to an action the way a browser (or a mail client) would, without following redirects. */
export async function sendAction(baseUrl: string, request: ActionRequest): Promise<ActionOutcome> {
  const url = new URL(request.path, baseUrl);
  if (request.dataFor) url.searchParams.set("_data", routeId(request.dataFor));
  const headers = new Headers(request.headers);
  const origin = request.origin === undefined ? baseUrl : request.origin;
  if (origin !== null) headers.set("Origin", origin);
  if (request.cookie) headers.set("Cookie", request.cookie);
  if (request.contentType) headers.set("Content-Type", request.contentType);
  const { body } = request;
  const response = await fetch(url, {
    method: request.method ?? "POST",
    headers,
    body:
      body === undefined || typeof body === "string" || body instanceof Blob || body instanceof FormData
        ? body
        : new URLSearchParams(body),
    redirect: "manual",
    signal: request.timeoutMs ? AbortSignal.timeout(request.timeoutMs) : undefined,
  });
  return readOutcome(response);
}
