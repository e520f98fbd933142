import { randomBytes } from "node:crypto";
import { accessSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import proxyaddr from "proxy-addr";
import { z } from "zod";

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

const envSchema = z.object({
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  APP_URL: z.url({ protocol: /^https?$/, message: "must be an absolute http(s) URL" }).optional(),
  DATABASE_URL: z.string().min(1).default("data/undersigned.db"),
  SESSION_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  SMTP_URL: z
    .string()
    .optional()
    .refine((value) => value === undefined || value === "" || /^smtps?:\/\/[^\s]+$/.test(value), {
      message: "must look like smtp://user:pass@host:587 or smtps://host:465",
    }),
  MAIL_FROM: z.string().min(3).default("Undersigned <noreply@localhost>"),
  ALLOWED_EMAIL_DOMAINS: commaList((d) => domainPattern.test(d), "domains (example.com,corp.example)"),
  ADMIN_EMAILS: commaList((e) => emailPattern.test(e), "email addresses"),
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
  BACKUP_DIR: z.string().optional(),
  BACKUP_EVERY: z.string().default("1d").pipe(duration),
  BACKUP_KEEP: z.coerce.number().int().min(1).max(10_000).default(7),
});

export type Config = {
  port: number;
  appUrl: string;
  databasePath: string;
  dataDir: string;
  sessionSecret: string;
  smtpUrl: string | null;
  mailFrom: string;
  allowedEmailDomains: string[];
  adminEmails: string[];
  secureCookies: boolean;
  /** Worker processes serving HTTP (WEB_CONCURRENCY; default: the number of cores). */
  webConcurrency: number;
  /** Express's `trust proxy`: whose X-Forwarded-For names the client (TRUST_PROXY). */
  trustProxy: TrustProxy;
  /**
   * The dev mailbox (every queued email, sign-in links included, at /dev/mailbox, and sign-in links
   * in the log): on only without SMTP_URL, unless DEV_MAILBOX=0.
   */
  devMailbox: boolean;
  /** Scheduled backups: off without BACKUP_DIR. */
  backups: { dir: string; everyMs: number; keep: number } | null;
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
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`));
  }
  const values = parsed.data;
  const databasePath = values.DATABASE_URL.replace(/^file:/, "");
  const dataDir = path.dirname(path.resolve(databasePath));
  const appUrl = (values.APP_URL ?? `http://localhost:${values.PORT}`).replace(/\/+$/, "");
  return {
    port: values.PORT,
    appUrl,
    databasePath,
    dataDir,
    sessionSecret: values.SESSION_SECRET ?? persistedSessionSecret(dataDir),
    smtpUrl: values.SMTP_URL ? values.SMTP_URL : null,
    mailFrom: values.MAIL_FROM,
    allowedEmailDomains: values.ALLOWED_EMAIL_DOMAINS,
    adminEmails: values.ADMIN_EMAILS,
    secureCookies: appUrl.startsWith("https://"),
    webConcurrency: values.WEB_CONCURRENCY ?? os.availableParallelism(),
    trustProxy: values.TRUST_PROXY,
    devMailbox: !values.SMTP_URL && values.DEV_MAILBOX !== "0",
    backups: values.BACKUP_DIR?.trim()
      ? {
          dir: path.resolve(values.BACKUP_DIR.trim()),
          everyMs: values.BACKUP_EVERY,
          keep: values.BACKUP_KEEP,
        }
      : null,
  };
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
