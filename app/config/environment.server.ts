/**
 * The environment the server and the commands read, as one zod schema: each variable's form, its
 * default and its bounds. What the values become (the Config) is app/config.server.ts.
 */
import proxyaddr from "proxy-addr";
import { z } from "zod";
import { isRole, type Role } from "../vocabulary/roles";

/** Comma-separated list, trimmed and lower-cased; empty entries dropped. */
const commaList = (validate: (item: string) => boolean, what: string) =>
  z
    .string()
    .optional()
    .transform((value) =>
      (value ?? "")
        .split(",")
        .map((item) => item.trim().toLowerCase())
        .filter(Boolean),
    )
    .refine((items) => items.every(validate), { message: `must be a comma-separated list of ${what}` });

/**
 * TRUST_PROXY, with Express's `trust proxy` semantics: `true`/`false`, a number of hops, or a comma
 * list of addresses, subnets and the names `loopback`, `linklocal`, `uniquelocal`.
 */
export type TrustProxy = boolean | number | string[];

function parseTrustProxy(value: string | undefined, ctx: z.RefinementCtx): TrustProxy {
  const text = (value ?? "").trim();
  if (text === "" || text === "false") return false;
  if (text === "true") return true;
  if (/^\d+$/.test(text)) return Number(text);
  const list = text
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
  try {
    proxyaddr.compile(list);
  } catch (error) {
    ctx.addIssue({
      code: "custom",
      message: `must be true, false, a number of hops, or a comma list of addresses, subnets, loopback, linklocal or uniquelocal (${error instanceof Error ? error.message : String(error)})`,
    });
    return false;
  }
  return list;
}

const DURATION_UNITS_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** "30m", "6h", "1d": a duration of at least a minute. */
const duration = z
  .string()
  .regex(/^\d+(m|h|d)$/, "must be a number of minutes, hours or days, like 30m, 6h or 1d")
  .transform((text) => Number(text.slice(0, -1)) * DURATION_UNITS_MS[text.slice(-1) as "m" | "h" | "d"])
  .refine((ms) => ms >= 60_000, "must be at least 1m");

const domainPattern = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const optionalText = z
  .string()
  .trim()
  .optional()
  .transform((value) => value || undefined);
const claimName = (fallback: string) =>
  z
    .string()
    .trim()
    .regex(/^[^\s,]{1,200}$/, "must be one claim or attribute name, without spaces or commas")
    .optional()
    .transform((value) => value || fallback);
const loopbackHosts = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** An identity provider's address: https, or http on this machine only (the local test provider). */
const providerUrl = z
  .string()
  .trim()
  .optional()
  .transform((value) => value || undefined)
  .refine(
    (value) => {
      if (value === undefined) return true;
      try {
        const url = new URL(value);
        return url.protocol === "https:" || (url.protocol === "http:" && loopbackHosts.has(url.hostname));
      } catch {
        return false;
      }
    },
    { message: "must be an absolute https URL (http only on localhost or 127.0.0.1)" },
  );

/** `admin=undersigned-admins,moderator=moderators`: a role per group (several groups may give one role). */
const roleGroups = z
  .string()
  .optional()
  .transform((value, ctx) => {
    const map: Partial<Record<Role, string[]>> = {};
    for (const item of (value ?? "").split(",").map((part) => part.trim())) {
      if (!item) continue;
      const [role = "", ...rest] = item.split("=");
      const group = rest.join("=").trim();
      if (!isRole(role.trim()) || !group) {
        ctx.addIssue({
          code: "custom",
          message: `must be a comma-separated list of role=group (roles: organizer, moderator, leadership, admin), not "${item}"`,
        });
        return z.NEVER;
      }
      const key = role.trim() as Role;
      map[key] = [...(map[key] ?? []), group];
    }
    return map;
  });

const booleanFlag = z
  .string()
  .optional()
  .transform((value, ctx) => {
    const v = (value ?? "").trim().toLowerCase();
    if (["", "0", "false", "no"].includes(v)) return false;
    if (["1", "true", "yes"].includes(v)) return true;
    ctx.addIssue({ code: "custom", message: "must be true or false" });
    return z.NEVER;
  });

/** The least ANONYMOUS_BATCH_MINUTES and ANONYMOUS_BATCH_SIZE may be: below, the server refuses to start. */
export const ANONYMOUS_BATCH_FLOORS = { minutes: 15, size: 5 } as const;

/**
 * A petition's anonymous signatures stay held (uncounted) while fewer than this many colleagues hold
 * its token (its published `tokensIssued`): with fewer, "one of the holders" names too few people.
 */
export const ANONYMOUS_MIN_HOLDERS = 20;

export const envSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  APP_URL: z.url({ protocol: /^https?$/, message: "must be an absolute http(s) URL" }).optional(),
  DATABASE_URL: z.string().min(1).default("data/undersigned.db"),
  SESSION_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  // Keys the hashes of public signers' addresses (invalidation by IP). Never written to the data
  // folder: unset, a random key held in memory for the server's life.
  IP_HASH_KEY: z.string().min(32, "must be at least 32 characters").optional(),
  SMTP_URL: z
    .string()
    .optional()
    .refine((value) => value === undefined || value === "" || /^smtps?:\/\/[^\s]+$/.test(value), {
      message: "must look like smtp://user:pass@host:587 or smtps://host:465",
    }),
  MAIL_FROM: z.string().min(3).default("Undersigned <noreply@localhost>"),
  ALLOWED_EMAIL_DOMAINS: commaList((d) => domainPattern.test(d), "domains (example.com,corp.example)"),
  ADMIN_EMAILS: commaList((e) => emailPattern.test(e), "email addresses"),
  // Anonymous acts are written in shuffled batches at fixed boundaries (docs/anonymity.md): a smaller
  // batch or a shorter period would date each one more finely, so neither goes below its floor.
  ANONYMOUS_BATCH_MINUTES: z.coerce
    .number({ message: "must be a whole number of minutes" })
    .int("must be a whole number of minutes")
    .min(
      ANONYMOUS_BATCH_FLOORS.minutes,
      `must be at least ${ANONYMOUS_BATCH_FLOORS.minutes}: a shorter period dates each anonymous act more finely`,
    )
    .max(1440, "must be at most 1440 (a day)")
    .refine((minutes) => 1440 % minutes === 0, {
      message:
        "must divide a day (1440 minutes) evenly, so that midnight is a batch boundary: say 15, 20, 30, 60, 120, 240, 360, 720 or 1440",
    })
    .default(15),
  ANONYMOUS_BATCH_SIZE: z.coerce
    .number({ message: "must be a whole number" })
    .int("must be a whole number")
    .min(
      ANONYMOUS_BATCH_FLOORS.size,
      `must be at least ${ANONYMOUS_BATCH_FLOORS.size}: a smaller batch could be one person's act alone`,
    )
    .max(10_000, "must be at most 10,000")
    .default(5),
  // Tests only: a file holding a clock offset in milliseconds (refused under NODE_ENV=production).
  UNDERSIGNED_TEST_CLOCK_FILE: z.string().optional(),
  NODE_ENV: z.string().optional(),
  SESSION_MAX_DAYS: z.coerce
    .number({ message: "must be a whole number of days" })
    .int("must be a whole number of days")
    .min(1, "must be at least 1 day")
    .max(365, "must be at most 365 days")
    .default(90),
  COMPANY_NAME: z.string().trim().min(1).max(80, "must be at most 80 characters").optional(),
  OIDC_ISSUER: providerUrl,
  OIDC_CLIENT_ID: optionalText,
  OIDC_CLIENT_SECRET: optionalText,
  OIDC_SCOPES: z
    .string()
    .trim()
    .optional()
    .transform((value) => value || "openid email profile")
    .refine((value) => value.split(/\s+/).includes("openid"), { message: 'must include "openid"' }),
  OIDC_EMAILS_VERIFIED: booleanFlag,
  SAML_ENTRY_POINT: providerUrl,
  SAML_IDP_CERT: optionalText,
  SAML_IDP_ISSUER: optionalText,
  SAML_SP_ENTITY_ID: optionalText,
  IDP_CLAIM_NAME: claimName("name"),
  IDP_CLAIM_EMAIL: claimName("email"),
  IDP_CLAIM_DEPARTMENT: claimName("department"),
  IDP_CLAIM_LOCATION: claimName("locality"),
  IDP_CLAIM_GROUPS: claimName("groups"),
  IDP_ROLE_GROUPS: roleGroups,
  WEB_CONCURRENCY: z
    .string()
    .optional()
    .transform((value) => (value === undefined || value.trim() === "" ? undefined : value.trim()))
    .pipe(
      z
        .string()
        .regex(/^\d+$/, "must be a whole number of worker processes (1 or more)")
        .transform(Number)
        .pipe(z.number().int().min(1, "must be at least 1").max(256, "must be at most 256"))
        .optional(),
    ),
  TRUST_PROXY: z.string().optional().transform(parseTrustProxy),
  DEV_MAILBOX: z.enum(["0", "1"], { message: "must be 0 (off) or 1" }).optional(),
  DEV_MAILBOX_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  // 0 holds posts to company chat in the outbox (docs/chat.md), as emails wait without SMTP_URL.
  CHAT_POSTS: z.enum(["0", "1"], { message: "must be 0 (held) or 1" }).optional(),
  // The transparency log (docs/transparency-log.md): its name, and the witnesses whose cosignatures
  // browsers require before they trust a signing key.
  LOG_ORIGIN: z
    .string()
    .trim()
    .optional()
    .refine((value) => !value || /^[^\s+]{1,200}$/.test(value), {
      message: "must be a name without spaces or + (say, undersigned.example.com/log)",
    }),
  WITNESSES: z
    .string()
    .optional()
    .transform((value) => (value ?? "").split(/[\s,]+/).filter(Boolean))
    .refine((keys) => keys.every((key) => /^[^\s+]+\+[0-9a-f]{8}\+[A-Za-z0-9+/]+=*$/.test(key)), {
      message: "must be witness keys as the witness prints them (name+1234abcd+base64…), separated by spaces",
    }),
  WITNESS_FRESHNESS_MINUTES: z.coerce
    .number({ message: "must be a whole number of minutes" })
    .int("must be a whole number of minutes")
    .min(5, "must be at least 5")
    .max(7 * 24 * 60, "must be at most a week (10080)")
    .default(60),
  BACKUP_DIR: z.string().optional(),
  BACKUP_EVERY: z.string().default("1d").pipe(duration),
  BACKUP_KEEP: z.coerce.number().int().min(1).max(10_000).default(7),
});

export type EnvValues = z.infer<typeof envSchema>;
