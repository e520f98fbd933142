import { and, asc, desc, eq, inArray, lte, sql } from "drizzle-orm";
import type { z } from "zod";
import { type Executor, getDb } from "../../../db/client";
import { people, petitions, policies, policyOwners, policyVersions } from "../../../db/schema";
import { renderMarkdown } from "../../platform/content/markdown.server";
import { renderMarkdownDiff } from "../../platform/content/markdown-diff.server";
import { normalizeEmail } from "../../platform/mail/email-address";
import { Refusal } from "../../platform/refusal";
import { say } from "../../platform/said";
import { actorOf, recordAudit } from "../../platform/security/audit.server";
import { formerAddressOwner, newAddress } from "../addresses/addresses.server";
import { can } from "../identity/permissions.server";
import type { User } from "../identity/sessions.server";
import { ensureFeedbackKey } from "./feedback-keys.server";
import type { policyInputSchema, policyVersionSchema } from "./forms";

/**
 * The policy registry: policies, their owners, and versions. The current version is the latest
 * whose effective date has come; versions are never edited, only superseded.
 */

export class PolicyError extends Refusal {}

export type Policy = typeof policies.$inferSelect;
export type PolicyVersionInput = z.output<typeof policyVersionSchema>;
export type PolicyInput = z.output<typeof policyInputSchema>;

function requirePublisher(user: User): void {
  if (!can(user, "publish:policy")) throw new PolicyError(say("server.policy.onlyLeadershipPublishes"), 403);
}

export function createPolicy(input: PolicyInput, user: User, now = Date.now()): Policy {
  requirePublisher(user);
  const bodyHtml = renderMarkdown(input.body);
  const created = getDb().transaction(
    (tx) => {
      const emails = (input.ownerEmails ?? "")
        .split(/[\s,;]+/)
        .filter(Boolean)
        .map(normalizeEmail);
      const owners = emails.length
        ? tx
            .select({ id: people.id, email: people.email })
            .from(people)
            .where(inArray(people.email, emails))
            .all()
        : [];
      const unknown = emails.filter((e) => !owners.some((o) => o.email === e));
      if (unknown.length)
        throw new PolicyError(say("server.policy.notInDirectory", { names: unknown.join(", ") }));
      const slug = newAddress(tx, "policy", input.title);
      const policy = tx
        .insert(policies)
        .values({
          slug,
          title: input.title,
          summary: input.summary,
          ownerTeam: input.ownerTeam || null,
          createdById: user.id,
          createdAt: new Date(now),
        })
        .returning()
        .get();
      for (const owner of owners)
        tx.insert(policyOwners).values({ policyId: policy.id, personId: owner.id }).run();
      insertVersion(
        tx,
        policy.id,
        { ...input, changeSummary: input.changeSummary },
        bodyHtml,
        user,
        now,
        null,
      );
      recordAudit(
        tx,
        actorOf(user),
        "policy.create",
        { type: "policy", id: policy.id },
        { title: policy.title },
      );
      return policy;
    },
    { behavior: "immediate" },
  );
  // Anonymous feedback can be sent from the first minute (docs/anonymity.md).
  ensureFeedbackKey(created.id, now);
  return created;
}

function insertVersion(
  tx: Executor,
  policyId: number,
  input: PolicyVersionInput,
  bodyHtml: string,
  user: User,
  now: number,
  announcementId: number | null,
): number {
  const last = tx
    .select({ version: policyVersions.version })
    .from(policyVersions)
    .where(eq(policyVersions.policyId, policyId))
    .orderBy(desc(policyVersions.version))
    .get();
  const version = (last?.version ?? 0) + 1;
  tx.insert(policyVersions)
    .values({
      policyId,
      version,
      body: input.body,
      bodyHtml,
      changeSummary: input.changeSummary,
      effectiveAt: input.effectiveAt,
      publishedById: user.id,
      publishedAt: new Date(now),
      announcementId,
    })
    .run();
  return version;
}

/**
 * Publishes the next version of a policy. Inside the caller's transaction when an announcement
 * publishes it (`exec`), its own otherwise.
 */
export function publishPolicyVersion(
  policyId: number,
  input: PolicyVersionInput & { bodyHtml?: string },
  user: User,
  options: { now?: number; exec?: Executor; announcementId?: number } = {},
): number {
  requirePublisher(user);
  const now = options.now ?? Date.now();
  const bodyHtml = input.bodyHtml ?? renderMarkdown(input.body);
  const run = (tx: Executor) => {
    const policy = tx.select().from(policies).where(eq(policies.id, policyId)).get();
    if (!policy) throw new PolicyError(say("server.policy.noSuchPolicy"), 404);
    const version = insertVersion(tx, policyId, input, bodyHtml, user, now, options.announcementId ?? null);
    recordAudit(
      tx,
      actorOf(user),
      "policy.publish-version",
      { type: "policy", id: policyId },
      {
        version,
        effectiveAt: input.effectiveAt.toISOString(),
        ...(options.announcementId ? { announcementId: options.announcementId } : {}),
      },
    );
    return version;
  };
  return options.exec ? run(options.exec) : getDb().transaction(run, { behavior: "immediate" });
}

// ---- Reading -------------------------------------------------------------------------------------

/** The policy at this address or former address (which the routes redirect from). */
export function findPolicy(slug: string): Policy | undefined {
  const db = getDb();
  const policy = db.select().from(policies).where(eq(policies.slug, slug)).get();
  const movedId = policy ? undefined : formerAddressOwner("policy", slug);
  return movedId === undefined ? policy : db.select().from(policies).where(eq(policies.id, movedId)).get();
}

/** The states in which a petition is public, and so counts as one "about" its policy. */
const PUBLIC_PETITION_STATES = ["open", "closed", "archived"] as const;

export function listPolicies(now = Date.now()) {
  const db = getDb();
  // Spelled out rather than `${policies.id}`: in a one-table select drizzle writes a column inside a
  // field's SQL without its table ("id"), which inside these subqueries would name the inner row's id.
  const policyId = sql`${policies}.${sql.identifier(policies.id.name)}`;
  const publicStates = sql.join(
    PUBLIC_PETITION_STATES.map((state) => sql`${state}`),
    sql`, `,
  );
  return db
    .select({
      id: policies.id,
      slug: policies.slug,
      title: policies.title,
      summary: policies.summary,
      ownerTeam: policies.ownerTeam,
      versions: sql<number>`(select count(*) from policy_versions v where v.policy_id = ${policyId})`,
      // As the policy page reckons it: the highest version whose effective date has come.
      currentVersion: sql<number | null>`(select max(v.version) from policy_versions v
        where v.policy_id = ${policyId} and v.effective_at <= ${now})`,
      petitions: sql<number>`(select count(*) from petitions p where p.policy_id = ${policyId}
        and p.state in (${publicStates}) and p.hidden_at is null)`,
    })
    .from(policies)
    .orderBy(asc(policies.title))
    .all();
}

/** For the petition form: every policy a petition may name. */
export function policyChoices() {
  return getDb()
    .select({ id: policies.id, title: policies.title })
    .from(policies)
    .orderBy(asc(policies.title))
    .all();
}

export function listVersions(policyId: number) {
  return getDb()
    .select({
      version: policyVersions.version,
      changeSummary: policyVersions.changeSummary,
      effectiveAt: policyVersions.effectiveAt,
      publishedAt: policyVersions.publishedAt,
      bodyHtml: policyVersions.bodyHtml,
      announcementId: policyVersions.announcementId,
      publishedBy: people.name,
    })
    .from(policyVersions)
    .leftJoin(people, eq(people.id, policyVersions.publishedById))
    .where(eq(policyVersions.policyId, policyId))
    .orderBy(desc(policyVersions.version))
    .all();
}

/** Everything the policy page shows. */
export function policyPage(slug: string, now = Date.now()) {
  const policy = findPolicy(slug);
  if (!policy) return null;
  const db = getDb();
  const versions = listVersions(policy.id);
  const current = versions.find((v) => v.effectiveAt.getTime() <= now) ?? null;
  const owners = db
    .select({ name: people.name })
    .from(policyOwners)
    .innerJoin(people, eq(people.id, policyOwners.personId))
    .where(eq(policyOwners.policyId, policy.id))
    .all()
    .map((o) => o.name ?? "A colleague");
  const about = db
    .select({
      slug: petitions.slug,
      title: petitions.title,
      state: petitions.state,
      signatureCount: petitions.signatureCount,
    })
    .from(petitions)
    .where(
      and(
        eq(petitions.policyId, policy.id),
        inArray(petitions.state, [...PUBLIC_PETITION_STATES]),
        sql`${petitions.hiddenAt} is null`,
      ),
    )
    .orderBy(desc(petitions.signatureCount))
    .all();
  return {
    policy,
    owners,
    versions,
    current,
    upcoming: versions.filter((v) => v.effectiveAt.getTime() > now),
    petitions: about,
  };
}

/**
 * The text of a policy's latest version (in force or not yet): what the next version starts from, to
 * edit rather than paste whole. Null for a policy that does not exist or has no version.
 */
export function latestPolicyText(policyId: number): string | null {
  return (
    getDb()
      .select({ body: policyVersions.body })
      .from(policyVersions)
      .where(eq(policyVersions.policyId, policyId))
      .orderBy(desc(policyVersions.version))
      .get()?.body ?? null
  );
}

/** The changes between two versions, rendered (markdown-diff.server.ts): null when either is missing. */
export function diffVersions(policyId: number, from: number, to: number): string | null {
  const rows = getDb()
    .select({ version: policyVersions.version, body: policyVersions.body })
    .from(policyVersions)
    .where(and(eq(policyVersions.policyId, policyId), inArray(policyVersions.version, [from, to])))
    .all();
  const a = rows.find((r) => r.version === from);
  const b = rows.find((r) => r.version === to);
  if (!a || !b) return null;
  return renderMarkdownDiff(a.body, b.body);
}

/** The version of a policy in force at a time (for the announcement that replaced it). */
export function versionInForce(policyId: number, at: number) {
  return getDb()
    .select()
    .from(policyVersions)
    .where(and(eq(policyVersions.policyId, policyId), lte(policyVersions.effectiveAt, new Date(at))))
    .orderBy(desc(policyVersions.effectiveAt), desc(policyVersions.version))
    .get();
}
