import { asc } from "drizzle-orm";
import { z } from "zod";
import { type Executor, getDb, preparedStatements } from "../../../db/client";
import { milestoneDefaults, siteSettings } from "../../../db/schema";
import { companyWords, getConfig } from "../../config.server";
import { isTimeZone, LOCALES } from "../../i18n/locales";
import { CATEGORIES_MAX, CATEGORY_MAX_LENGTH, OPEN_FOR_DAYS } from "../../vocabulary/petitions";
import { singleLine } from "../content/text";
import { Refusal } from "../refusal";
import { say, sayText } from "../said";
import { type Actor, recordAudit } from "../security/audit.server";

/** Site-wide settings with their defaults; admins change them on /admin/settings. */
export const settingsSchema = z.object({
  coSponsorsRequired: z.coerce.number().int().min(0).max(50),
  /** The default a petition takes when its creator leaves the field empty: within the form's bounds. */
  openForDays: z.coerce.number().int().min(OPEN_FOR_DAYS.min).max(OPEN_FOR_DAYS.max),
  /** Open reports at which a comment hides itself until a moderator looks at it. */
  commentReportThreshold: z.coerce.number().int().min(1).max(100),
  /**
   * Days an anonymous comment keeps its author (who may edit or delete it meanwhile) before the link
   * is forgotten; it is forgotten sooner if the discussion closes.
   */
  anonymousAuthorDays: z.coerce.number().int().min(1).max(365),
  /**
   * Whether the emailed link stays as a way to sign in beside the company's identity provider. Only
   * honoured while a provider is configured: without one the link is the only way in.
   */
  emailSignIn: z.boolean(),
  /**
   * The categories a new petition may take, in the order the form lists them. A petition keeps the
   * one it has when it leaves the list.
   */
  categories: z.array(z.string().overwrite(singleLine).min(1).max(CATEGORY_MAX_LENGTH)).max(CATEGORIES_MAX),
  /** The language of pages and emails for whoever has chosen none and whose browser asks for none we speak. */
  defaultLocale: z.enum(LOCALES),
  /** The time zone times are shown in for whoever has chosen none and whose browser has not said. */
  defaultTimeZone: z.string().refine(isTimeZone, "Choose a time zone from the list."),
});
export type Settings = z.infer<typeof settingsSchema>;
export const DEFAULT_SETTINGS: Settings = {
  coSponsorsRequired: 3,
  openForDays: 90,
  commentReportThreshold: 3,
  anonymousAuthorDays: 30,
  emailSignIn: true,
  // The demo company's subjects, and benefits: admins edit the list at /admin/settings.
  categories: ["Benefits", "Facilities", "Hybrid work", "Pay", "Privacy"],
  defaultLocale: "en",
  defaultTimeZone: "UTC",
};

/** Whether a company identity provider (OIDC or SAML) is configured. */
export const providerConfigured = () => {
  const config = getConfig();
  return Boolean(config.oidc || config.saml);
};

/** Whether sign-in by an emailed link is open now: always without a provider, else as the admin set it. */
export function emailSignInOpen(): boolean {
  return !providerConfigured() || getSettings().emailSignIn;
}

/** What the sign-in page offers: the company's provider(s) first, the emailed link while it is open. */
export function signInOptions() {
  const config = getConfig();
  return {
    company: companyWords(),
    oidc: Boolean(config.oidc),
    saml: Boolean(config.saml),
    email: emailSignInOpen(),
  };
}

export class SettingsError extends Refusal {}

/** Each setting's own schema, to read a stored value alone (see getSettings). */
const settingSchemas: Record<string, z.ZodType> = settingsSchema.shape;
const statements = preparedStatements((db) => ({
  all: db.select({ key: siteSettings.key, value: siteSettings.value }).from(siteSettings).prepare(),
}));

/**
 * Read from the database on every call, never cached in memory: an admin's change through one worker
 * holds at once in every other. The statement runs on the one connection, so inside a transaction it
 * reads what that transaction sees.
 */
export function getSettings(): Settings {
  // Each value read alone: one stored under older bounds (a default of 500 days, say) falls back to
  // its own default, never taking every other setting with it.
  const stored: Record<string, unknown> = {};
  for (const row of statements().all.all()) {
    // Own keys only: a row named "constructor" would find an inherited property.
    if (!Object.hasOwn(settingSchemas, row.key)) continue;
    const parsed = settingSchemas[row.key]?.safeParse(row.value);
    if (parsed?.success) stored[row.key] = parsed.data;
  }
  return { ...DEFAULT_SETTINGS, ...stored };
}

export type MilestoneDefault = { threshold: number; responseRequired: boolean; responseDays: number | null };

export function getMilestoneDefaults(exec: Executor = getDb()): MilestoneDefault[] {
  return exec.select().from(milestoneDefaults).orderBy(asc(milestoneDefaults.threshold)).all();
}

export function updateSettings(settings: Settings, defaults: MilestoneDefault[], actor: Actor): void {
  if (!settings.emailSignIn && !providerConfigured()) {
    throw new SettingsError(say("server.settings.emailSignInNeedsProvider"), 400, {
      emailSignIn: [sayText("server.settings.configureProviderFirst")],
    });
  }
  getDb().transaction(
    (tx) => {
      for (const [key, value] of Object.entries(settings)) {
        tx.insert(siteSettings)
          .values({ key, value, updatedAt: new Date() })
          .onConflictDoUpdate({ target: siteSettings.key, set: { value, updatedAt: new Date() } })
          .run();
      }
      tx.delete(milestoneDefaults).run();
      if (defaults.length) tx.insert(milestoneDefaults).values(defaults).run();
      recordAudit(tx, actor, "settings.update", undefined, { ...settings, milestones: defaults });
    },
    { behavior: "immediate" },
  );
}
