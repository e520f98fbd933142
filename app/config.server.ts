import { randomBytes, X509Certificate } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type EnvValues, envSchema, type TrustProxy } from "./config/environment.server";
import { describeFileError, StartupError, whyNotWritable } from "./config/startup-errors.server";
import type { Role } from "./vocabulary/roles";

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
  /** Whether posts to company chat are delivered (CHAT_POSTS, on unless 0). */
  chatPosts: boolean;
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
  /** COMPANY_NAME; null when unset, and the messages then say "your company" in the reader's words. */
  companyName: string | null;
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
    chatPosts: values.CHAT_POSTS !== "0",
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
    companyName: values.COMPANY_NAME ?? null,
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
function devMailboxConfig(values: EnvValues): Config["devMailbox"] | string {
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

/**
 * The arguments every message naming the company takes: `company`, and `named` for the select that
 * words it without a name (`{named, select, yes {… {company} …} other {… your company …}}`).
 */
export function companyWords(): { company: string; named: "yes" | "no" } {
  const name = getConfig().companyName;
  return name ? { company: name, named: "yes" } : { company: "", named: "no" };
}
