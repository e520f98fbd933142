import { randomBytes, X509Certificate } from "node:crypto";
import { accessSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import proxyaddr from "proxy-addr";
import { z } from "zod";
import { isRole, type Role } from "./vocabulary/roles";

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

const envSchema = z.object({
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

/** The company's OpenID Provider, when OIDC_ISSUER is set. */
export type OidcConfig = {
  issuer: string;
  clientId: string;
  clientSecret: string;
  scopes: string;
  /** The provider's `email` claim is verified even without `email_verified` (Microsoft Entra ID). */
  emailsVerified: boolean;
  /** http is allowed only for a provider on this machine (the local one `npm run idp` starts). */
  allowInsecure: boolean;
};

/** The company's SAML identity provider, when SAML_ENTRY_POINT is set. */
export type SamlConfig = {
  entryPoint: string;
  /** PEM of the certificate that signs the provider's assertions. */
  idpCert: string;
  /** The provider's entity id: every response and assertion must name it as its issuer. */
  idpIssuer: string;
  spEntityId: string;
};

/** Claim (OIDC) or attribute (SAML) names read at each sign-in through the provider. */
export type ClaimNames = {
  name: string;
  email: string;
  department: string;
  location: string;
  groups: string;
};

export type Config = {
  port: number;
  appUrl: string;
  databasePath: string;
  dataDir: string;
  sessionSecret: string;
  /**
   * IP_HASH_KEY: keys the hashes of public signers' addresses; null means a random key held only in
   * memory (under `npm start` the primary makes it and hands it to its workers).
   */
  ipHashKey: string | null;
  smtpUrl: string | null;
  mailFrom: string;
  allowedEmailDomains: string[];
  adminEmails: string[];
  secureCookies: boolean;
  anonymousBatch: { periodMs: number; minSize: number };
  /**
   * UNDERSIGNED_TEST_CLOCK_FILE (tests only, refused under NODE_ENV=production): a file holding an
   * offset in milliseconds that the scheduler's batch and forgetting jobs and the anonymous routes add
   * to the clock (platform/clock.server.ts), so a test reaches a batch boundary without waiting.
   */
  testClockFile: string | null;
  /** A session ends this long after sign-in, however often it is used (renewal never passes it). */
  sessionMaxAgeMs: number;
  companyName: string;
  oidc: OidcConfig | null;
  saml: SamlConfig | null;
  claims: ClaimNames;
  /** Roles the provider gives and takes: a role listed here is managed there, not on the admin page. */
  roleGroups: Partial<Record<Role, string[]>>;
  /** Worker processes serving HTTP (WEB_CONCURRENCY; default: the number of cores). */
  webConcurrency: number;
  /** Express's `trust proxy`: whose X-Forwarded-For names the client (TRUST_PROXY). */
  trustProxy: TrustProxy;
  /**
   * The dev mailbox (every queued email, sign-in links included, and sign-in links in the log): on
   * only without SMTP_URL, unless DEV_MAILBOX=0. Served on a port of its own (DEV_MAILBOX_PORT,
   * default PORT+1) bound to 127.0.0.1, never on the app's port (ADR 34).
   */
  devMailbox: { port: number; url: string } | null;
  /** Scheduled backups: off without BACKUP_DIR. */
  backups: { dir: string; everyMs: number; keep: number } | null;
  /** LOG_ORIGIN: the transparency log's name when it is made (null: this server's host + /undersigned-log). */
  logOrigin: string | null;
  /** WITNESSES: the C2SP verifier keys of the witnesses every checkpoint browsers trust must carry. */
  witnesses: string[];
  /** How old the required witnesses' newest cosignatures may be before anonymous signing pauses. */
  witnessFreshnessMs: number;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/**
 * Validates the environment. The session secret, when not given, is generated once and kept in the
 * data folder so sessions survive restarts without any setup.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  const problems = [
    ...(parsed.success
      ? []
      : parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`)),
    ...providerProblems(env),
  ];
  if (parsed.success && parsed.data.UNDERSIGNED_TEST_CLOCK_FILE && parsed.data.NODE_ENV === "production")
    problems.push(
      "UNDERSIGNED_TEST_CLOCK_FILE: is for tests only and refused under NODE_ENV=production: unset it",
    );
  if (!parsed.success || problems.length) throw new ConfigError(problems);
  const values = parsed.data;
  const devMailbox = devMailboxConfig(values);
  if (typeof devMailbox === "string") throw new ConfigError([devMailbox]);
  const databasePath = values.DATABASE_URL.replace(/^file:/, "");
  const dataDir = path.dirname(path.resolve(databasePath));
  const appUrl = (values.APP_URL ?? `http://localhost:${values.PORT}`).replace(/\/+$/, "");
  return {
    port: values.PORT,
    appUrl,
    databasePath,
    dataDir,
    sessionSecret: values.SESSION_SECRET ?? persistedSessionSecret(dataDir),
    ipHashKey: values.IP_HASH_KEY ?? null,
    smtpUrl: values.SMTP_URL ? values.SMTP_URL : null,
    mailFrom: values.MAIL_FROM,
    allowedEmailDomains: values.ALLOWED_EMAIL_DOMAINS,
    adminEmails: values.ADMIN_EMAILS,
    secureCookies: appUrl.startsWith("https://"),
    anonymousBatch: {
      periodMs: values.ANONYMOUS_BATCH_MINUTES * 60_000,
      minSize: values.ANONYMOUS_BATCH_SIZE,
    },
    testClockFile: values.UNDERSIGNED_TEST_CLOCK_FILE?.trim() || null,
    sessionMaxAgeMs: values.SESSION_MAX_DAYS * 24 * 60 * 60_000,
    companyName: values.COMPANY_NAME ?? "your company",
    oidc:
      values.OIDC_ISSUER && values.OIDC_CLIENT_ID && values.OIDC_CLIENT_SECRET
        ? {
            issuer: values.OIDC_ISSUER,
            clientId: values.OIDC_CLIENT_ID,
            clientSecret: values.OIDC_CLIENT_SECRET,
            scopes: values.OIDC_SCOPES,
            emailsVerified: values.OIDC_EMAILS_VERIFIED,
            allowInsecure: new URL(values.OIDC_ISSUER).protocol === "http:",
          }
        : null,
    saml:
      values.SAML_ENTRY_POINT && values.SAML_IDP_CERT && values.SAML_IDP_ISSUER
        ? {
            entryPoint: values.SAML_ENTRY_POINT,
            idpCert: readCertificate(values.SAML_IDP_CERT) ?? "",
            idpIssuer: values.SAML_IDP_ISSUER,
            spEntityId: values.SAML_SP_ENTITY_ID ?? `${appUrl}/auth/saml/metadata`,
          }
        : null,
    claims: {
      name: values.IDP_CLAIM_NAME,
      email: values.IDP_CLAIM_EMAIL,
      department: values.IDP_CLAIM_DEPARTMENT,
      location: values.IDP_CLAIM_LOCATION,
      groups: values.IDP_CLAIM_GROUPS,
    },
    roleGroups: values.IDP_ROLE_GROUPS,
    webConcurrency: values.WEB_CONCURRENCY ?? os.availableParallelism(),
    trustProxy: values.TRUST_PROXY,
    devMailbox,
    backups: values.BACKUP_DIR?.trim()
      ? {
          dir: path.resolve(values.BACKUP_DIR.trim()),
          everyMs: values.BACKUP_EVERY,
          keep: values.BACKUP_KEEP,
        }
      : null,
    logOrigin: values.LOG_ORIGIN || null,
    witnesses: values.WITNESSES,
    witnessFreshnessMs: values.WITNESS_FRESHNESS_MINUTES * 60_000,
  };
}

/** The dev mailbox's port and address while it is on, null while off, or what is wrong (one line). */
function devMailboxConfig(values: z.infer<typeof envSchema>): Config["devMailbox"] | string {
  if (values.SMTP_URL || values.DEV_MAILBOX === "0") return null;
  const port = values.DEV_MAILBOX_PORT ?? values.PORT + 1;
  if (port > 65535) return "DEV_MAILBOX_PORT: PORT is 65535, so the dev mailbox needs a port set here";
  if (port === values.PORT)
    return "DEV_MAILBOX_PORT: must differ from PORT (the dev mailbox never answers on the app's port)";
  return { port, url: `http://127.0.0.1:${port}/` };
}

/** The provider variables that only make sense together, each problem naming its variable. */
function providerProblems(env: Record<string, string | undefined>): string[] {
  const values = Object.fromEntries(
    [
      "OIDC_ISSUER",
      "OIDC_CLIENT_ID",
      "OIDC_CLIENT_SECRET",
      "SAML_ENTRY_POINT",
      "SAML_IDP_CERT",
      "SAML_IDP_ISSUER",
      "IDP_ROLE_GROUPS",
    ].map((name) => [name, env[name]?.trim() || undefined]),
  );
  const problems: string[] = [];
  const oidc = [values.OIDC_ISSUER, values.OIDC_CLIENT_ID, values.OIDC_CLIENT_SECRET];
  if (oidc.some(Boolean)) {
    if (!values.OIDC_ISSUER)
      problems.push("OIDC_ISSUER: is required when OIDC_CLIENT_ID or OIDC_CLIENT_SECRET is set");
    if (!values.OIDC_CLIENT_ID) problems.push("OIDC_CLIENT_ID: is required when OIDC_ISSUER is set");
    if (!values.OIDC_CLIENT_SECRET) problems.push("OIDC_CLIENT_SECRET: is required when OIDC_ISSUER is set");
  }
  if (values.SAML_ENTRY_POINT || values.SAML_IDP_CERT || values.SAML_IDP_ISSUER) {
    if (!values.SAML_ENTRY_POINT)
      problems.push("SAML_ENTRY_POINT: is required when SAML_IDP_CERT or SAML_IDP_ISSUER is set");
    // Required: one signing key may sign for other issuers (a multi-tenant provider signs every
    // tenant's assertions with the same key), so the certificate alone does not say whose they are.
    if (!values.SAML_IDP_ISSUER)
      problems.push(
        "SAML_IDP_ISSUER: is required when SAML_ENTRY_POINT is set: the identity provider's entity id (the entityID in its metadata), which every assertion must name as its issuer",
      );
    if (!values.SAML_IDP_CERT) problems.push("SAML_IDP_CERT: is required when SAML_ENTRY_POINT is set");
    else if (!readCertificate(values.SAML_IDP_CERT))
      problems.push(
        "SAML_IDP_CERT: must be the identity provider's signing certificate: PEM text, or the path of a PEM file",
      );
  }
  if (values.IDP_ROLE_GROUPS && !values.OIDC_ISSUER && !values.SAML_ENTRY_POINT)
    problems.push("IDP_ROLE_GROUPS: needs an identity provider (OIDC_ISSUER or SAML_ENTRY_POINT)");
  return problems;
}

/** A certificate as PEM text (literal "\\n" allowed, as env files write newlines) or a PEM file's path. */
function readCertificate(value: string): string | null {
  let text = value.replace(/\\n/g, "\n");
  if (!text.includes("-----BEGIN")) {
    try {
      text = readFileSync(value, "utf8");
    } catch {
      return null;
    }
  }
  try {
    return new X509Certificate(text).toString();
  } catch {
    return null;
  }
}

/**
 * A problem that stops the server (or a command) at start, said in one line: the path, the cause and
 * what to do. Never a stack trace.
 */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StartupError";
  }
}

/** The error's code and message in a few words: "read-only file system (EROFS)". */
export function describeFileError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  const reason = error.message.replace(/^[A-Z]+: /, "").replace(/, \w+ '.*'$/, "");
  return code && !reason.includes(code) ? `${reason} (${code})` : reason;
}

/**
 * Why a folder cannot be written (its nearest existing ancestor checked, as mkdir would need it):
 * "read-only file system (EROFS)", or null when it can.
 */
export function whyNotWritable(folder: string): string | null {
  let existing = path.resolve(folder);
  while (!existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  try {
    accessSync(existing, constants.W_OK);
    return null;
  } catch (error) {
    return `${existing} is not writable: ${describeFileError(error)}`;
  }
}

function persistedSessionSecret(dataDir: string): string {
  const file = path.join(dataDir, "session-secret");
  const read = () => {
    const secret = existsSync(file) ? readFileSync(file, "utf8").trim() : "";
    return secret.length >= 32 ? secret : null;
  };
  const kept = read();
  if (kept) return kept;
  const secret = randomBytes(32).toString("base64url");
  try {
    mkdirSync(dataDir, { recursive: true });
    // "wx": two processes starting at once (a server and a command) keep the first one's secret.
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: existsSync(file) ? "w" : "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return read() ?? secret;
    throw new StartupError(
      `Cannot keep the session secret in ${file}: ${whyNotWritable(dataDir) ?? describeFileError(error)}. Set DATABASE_URL to a file on a writable disk (or restore a backup there: npm run cli -- restore FILE), or set SESSION_SECRET.`,
    );
  }
  return secret;
}

let cached: Config | undefined;

/** The process-wide configuration, validated on first use. */
export function getConfig(): Config {
  cached ??= loadConfig();
  return cached;
}
