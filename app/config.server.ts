import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
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
  // Anonymous acts are written in shuffled batches (docs/anonymity.md): a smaller batch or a
  // shorter period dates each one more finely.
  ANONYMOUS_BATCH_MINUTES: z.coerce.number().int().min(1).max(1440).default(15),
  ANONYMOUS_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(5),
  SESSION_MAX_DAYS: z.coerce
    .number({ message: "must be a whole number of days" })
    .int("must be a whole number of days")
    .min(1, "must be at least 1 day")
    .max(365, "must be at most 365 days")
    .default(90),
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
  anonymousBatch: { periodMs: number; minSize: number };
  /** A session ends this long after sign-in, however often it is used (renewal never passes it). */
  sessionMaxAgeMs: number;
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
    anonymousBatch: {
      periodMs: values.ANONYMOUS_BATCH_MINUTES * 60_000,
      minSize: values.ANONYMOUS_BATCH_SIZE,
    },
    sessionMaxAgeMs: values.SESSION_MAX_DAYS * 24 * 60 * 60_000,
  };
}

function persistedSessionSecret(dataDir: string): string {
  const file = path.join(dataDir, "session-secret");
  if (existsSync(file)) {
    const secret = readFileSync(file, "utf8").trim();
    if (secret.length >= 32) return secret;
  }
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

let cached: Config | undefined;

/** The process-wide configuration, validated on first use. */
export function getConfig(): Config {
  cached ??= loadConfig();
  return cached;
}
