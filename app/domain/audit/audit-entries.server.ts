import { inArray } from "drizzle-orm";
import { getDb } from "../../../db/client";
import {
  announcements,
  comments,
  commentThreads,
  commitments,
  people,
  petitions,
  policies,
  policyFeedback,
  scimTokens,
} from "../../../db/schema";
import { listAuditActions, listAuditEntries } from "../../platform/security/audit.server";
import { petitionPath } from "../../platform/site/addresses.server";
import { AUDIT_ACTOR_LABELS, auditAction } from "../../vocabulary/audit-actions";

/**
 * The audit log in words, for admins: each entry as a sentence (who did what to which thing), the
 * thing by its name with a link, and its details as a list of labelled values — no codes, ids or JSON.
 */

export type AuditLink = { text: string; to: string | null };
export type AuditValue = { text: string } | { date: string } | { links: AuditLink[] } | { items: string[] };
export type AuditDetail = { label: string; value: AuditValue };

/** Detail keys in words; keys not here are split from camelCase. */
const DETAIL_LABELS: Record<string, string> = {
  act: "What they did",
  added: "Added",
  announcementId: "Memo",
  authorId: "The memo's author",
  by: "By",
  bytes: "Size in bytes",
  failed: "Why it failed",
  file: "File",
  count: "How many",
  day: "Day",
  deactivateMissing: "Deactivate everyone not in the file",
  deactivated: "Deactivated",
  effectiveAt: "Takes effect",
  email: "Email",
  from: "From",
  issuer: "Company sign-in",
  kind: "Kind of email",
  label: "Name",
  milestones: "Milestones",
  moved: "Moved department or location",
  moves: "Who moved",
  openReports: "Open reports",
  people: "People",
  petitions: "Petitions answered",
  policyId: "Policy",
  protocol: "Protocol",
  publishAt: "Publish at",
  reason: "Why",
  rejected: "Rows refused",
  reports: "Reports",
  reset: "Started afresh",
  restored: "Shown again",
  role: "Role",
  status: "Status",
  subject: "Discussion of",
  title: "Title",
  to: "To",
  unchanged: "Unchanged",
  updated: "Updated",
  version: "Version",
};
/** Shown elsewhere in the entry (the reactivation flag) or nothing a reader can use. */
const HIDDEN_DETAILS = new Set(["flagged", "reactivatedAfter"]);

const words = (key: string) =>
  DETAIL_LABELS[key] ?? key.replace(/([a-z])([A-Z])/g, "$1 $2").replace(/^./, (c) => c.toUpperCase());
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z)?$/;

function plain(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "number") return value.toLocaleString("en");
  if (typeof value === "string") return /^[a-z]+(_[a-z]+)+$/.test(value) ? value.replaceAll("_", " ") : value;
  if (Array.isArray(value)) return value.map(plain).join(", ");
  if (typeof value === "object")
    return Object.entries(value)
      .map(([k, v]) => `${words(k).toLowerCase()} ${plain(v)}`)
      .join(", ");
  return String(value);
}

type Move = {
  email?: string;
  department?: { from: string | null; to: string | null };
  location?: { from: string | null; to: string | null };
};
const moveInWords = (move: Move) =>
  `${move.email}: ${[
    move.department ? `department ${move.department.from ?? "none"} → ${move.department.to ?? "none"}` : null,
    move.location ? `location ${move.location.from ?? "none"} → ${move.location.to ?? "none"}` : null,
  ]
    .filter(Boolean)
    .join("; ")}`;

type Entry = ReturnType<typeof listAuditEntries>["entries"][number];

/** Names and links for every id the entries point at, fetched once per kind of thing. */
function resolveNames(entries: Entry[]) {
  const ids = (type: string, detailKeys: string[] = []) => {
    const found = new Set<number>();
    for (const entry of entries) {
      if (entry.targetType === type && entry.targetId && /^\d+$/.test(entry.targetId))
        found.add(Number(entry.targetId));
      for (const key of detailKeys) {
        const value = entry.details?.[key];
        for (const v of Array.isArray(value) ? value : [value]) if (typeof v === "number") found.add(v);
      }
    }
    return [...found];
  };
  const db = getDb();
  const byId = <T extends { id: number }>(rows: T[]) => new Map(rows.map((r) => [r.id, r]));
  const personIds = ids("person", ["authorId"]);
  const petitionIds = ids("petition", ["petitions"]);
  const announcementIds = ids("announcement", ["announcementId"]);
  const policyIds = ids("policy", ["policyId"]);
  const commitmentIds = ids("commitment");
  const threadIds = ids("comment-thread");
  const tokenIds = ids("scim-token");
  const feedbackIds = ids("feedback");
  const commentIds = ids("comment");
  const personRows = personIds.length
    ? db
        .select({ id: people.id, name: people.name, email: people.email })
        .from(people)
        .where(inArray(people.id, personIds))
        .all()
    : [];
  const commitmentRows = commitmentIds.length
    ? db
        .select({ id: commitments.id, text: commitments.text, announcementId: commitments.announcementId })
        .from(commitments)
        .where(inArray(commitments.id, commitmentIds))
        .all()
    : [];
  const threadRows = threadIds.length
    ? db
        .select({
          id: commentThreads.id,
          subjectType: commentThreads.subjectType,
          subjectId: commentThreads.subjectId,
        })
        .from(commentThreads)
        .where(inArray(commentThreads.id, threadIds))
        .all()
    : [];
  const feedbackRows = feedbackIds.length
    ? db
        .select({ id: policyFeedback.id, policyId: policyFeedback.policyId })
        .from(policyFeedback)
        .where(inArray(policyFeedback.id, feedbackIds))
        .all()
    : [];
  const commentRows = commentIds.length
    ? db
        .select({ id: comments.id, threadId: comments.threadId })
        .from(comments)
        .where(inArray(comments.id, commentIds))
        .all()
    : [];
  // Memos, petitions and policies the other things belong to are named too.
  for (const c of commitmentRows) announcementIds.push(c.announcementId);
  for (const f of feedbackRows) policyIds.push(f.policyId);
  for (const t of threadRows) {
    if (t.subjectType === "petition") petitionIds.push(t.subjectId);
    if (t.subjectType === "policy") policyIds.push(t.subjectId);
    if (t.subjectType === "announcement") announcementIds.push(t.subjectId);
  }
  // Petitions, memos and policies are named alike: a title, linked by its address.
  const titled = (table: typeof petitions | typeof announcements | typeof policies, ids: number[]) =>
    ids.length
      ? db
          .select({ id: table.id, title: table.title, slug: table.slug })
          .from(table)
          .where(inArray(table.id, ids))
          .all()
      : [];
  const petitionRows = titled(petitions, petitionIds);
  const announcementRows = titled(announcements, announcementIds);
  const policyRows = titled(policies, policyIds);
  const tokenRows = tokenIds.length
    ? db
        .select({ id: scimTokens.id, label: scimTokens.label })
        .from(scimTokens)
        .where(inArray(scimTokens.id, tokenIds))
        .all()
    : [];
  const person = byId(personRows);
  const petition = byId(petitionRows);
  const announcement = byId(announcementRows);
  const policy = byId(policyRows);
  const token = byId(tokenRows);
  const thread = byId(threadRows);
  const links = {
    person: (id: number): AuditLink => {
      const p = person.get(id);
      return {
        text: p ? (p.name ?? p.email) : "a person no longer in the directory",
        to: `/admin/people/${id}`,
      };
    },
    petition: (id: number): AuditLink => {
      const p = petition.get(id);
      return p
        ? { text: `the petition “${p.title}”`, to: petitionPath(p.slug) }
        : { text: "a petition", to: null };
    },
    announcement: (id: number): AuditLink => {
      const a = announcement.get(id);
      return a ? { text: `“${a.title}”`, to: `/announcements/${a.slug}` } : { text: "a memo", to: null };
    },
    policy: (id: number): AuditLink => {
      const p = policy.get(id);
      return p
        ? { text: `the policy “${p.title}”`, to: `/policies/${p.slug}` }
        : { text: "a policy", to: null };
    },
    thread: (id: number): AuditLink => {
      const t = thread.get(id);
      const of =
        t?.subjectType === "petition"
          ? links.petition(t.subjectId)
          : t?.subjectType === "policy"
            ? links.policy(t.subjectId)
            : t?.subjectType === "announcement"
              ? links.announcement(t.subjectId)
              : null;
      return of
        ? { text: `the discussion of ${of.text}`, to: of.to ? `${of.to}#comments` : null }
        : { text: "a discussion", to: null };
    },
  };
  const commitment = new Map(commitmentRows.map((c) => [c.id, c]));
  const feedback = new Map(feedbackRows.map((f) => [f.id, f]));
  const comment = new Map(commentRows.map((c) => [c.id, c]));
  const target = (entry: Entry): AuditLink | null => {
    const id = entry.targetId;
    if (!entry.targetType || !id) return null;
    const n = Number(id);
    switch (entry.targetType) {
      case "person":
        return links.person(n);
      case "petition":
        return links.petition(n);
      case "announcement":
        return links.announcement(n);
      case "policy":
        return links.policy(n);
      case "comment-thread":
        return links.thread(n);
      case "commitment": {
        const c = commitment.get(n);
        if (!c) return { text: "a commitment", to: null };
        const memo = links.announcement(c.announcementId);
        return { text: `“${c.text}” of ${memo.text}`, to: memo.to };
      }
      case "comment": {
        const c = comment.get(n);
        return {
          text: c ? `a comment in ${links.thread(c.threadId).text}` : "a comment since deleted",
          to: `/comments/${id}`,
        };
      }
      case "feedback": {
        const f = feedback.get(n);
        if (!f) return { text: "feedback since deleted", to: null };
        const p = links.policy(f.policyId);
        return {
          text: `feedback on ${p.text.replace(/^the policy /, "")}`,
          to: p.to ? `${p.to}/feedback#feedback-${id}` : null,
        };
      }
      case "outbox":
        return { text: "an email", to: "/admin/outbox" };
      case "scim-token":
        return { text: `“${token.get(n)?.label ?? "a token"}”`, to: null };
      default:
        return { text: `a ${entry.targetType.replace(/-/g, " ")}`, to: null };
    }
  };
  return { links, target };
}

function detailsOf(entry: Entry, links: ReturnType<typeof resolveNames>["links"]): AuditDetail[] {
  if (!entry.details) return [];
  const details: AuditDetail[] = [];
  for (const [key, value] of Object.entries(entry.details)) {
    if (HIDDEN_DETAILS.has(key)) continue;
    const label = words(key);
    if (key === "announcementId" && typeof value === "number")
      details.push({ label, value: { links: [links.announcement(value)] } });
    else if (key === "policyId" && typeof value === "number")
      details.push({ label, value: { links: [links.policy(value)] } });
    else if (key === "authorId" && typeof value === "number")
      details.push({ label, value: { links: [links.person(value)] } });
    else if (key === "petitions" && Array.isArray(value))
      details.push({
        label,
        value: { links: value.filter((v): v is number => typeof v === "number").map(links.petition) },
      });
    else if (key === "moves" && Array.isArray(value)) {
      if (value.length) details.push({ label, value: { items: (value as Move[]).map(moveInWords) } });
    } else if (Array.isArray(value) && value.some((v) => typeof v === "object" && v !== null))
      details.push({ label, value: { items: value.map(plain) } });
    else if (typeof value === "string" && ISO_DATE.test(value))
      details.push({ label, value: { date: value } });
    else details.push({ label, value: { text: plain(value) } });
  }
  return details;
}

/** What the filter's "who" box accepts besides an email: the words the page shows for each actor. */
function actorLabelOf(who: string): string {
  const wanted = who.trim().toLowerCase();
  const named = Object.entries(AUDIT_ACTOR_LABELS).find(
    ([label, words]) => label === wanted || words.toLowerCase() === wanted,
  );
  return named ? named[0] : wanted;
}

/** One page of the audit log in words (newest first), and the filter's choices by plain name. */
export function auditLogInWords(filter: { who?: string; action?: string; beforeId?: number }) {
  const { entries, nextBeforeId } = listAuditEntries({
    actorEmail: filter.who ? actorLabelOf(filter.who) : undefined,
    action: filter.action,
    beforeId: filter.beforeId,
  });
  const { links, target } = resolveNames(entries);
  return {
    entries: entries.map((entry) => ({
      id: entry.id,
      at: entry.createdAt,
      actor:
        entry.actorName !== null || entry.actorLabel.includes("@")
          ? { text: entry.actorName ?? entry.actorLabel, to: null, email: entry.actorLabel }
          : { text: AUDIT_ACTOR_LABELS[entry.actorLabel] ?? entry.actorLabel, to: null, email: null },
      did: auditAction(entry.action).did,
      target: target(entry),
      details: detailsOf(entry, links),
      /** A reactivation soon after a deactivation (how one would test who wrote something anonymous). */
      flagged:
        entry.details?.flagged === true
          ? `Reactivated ${String(entry.details.reactivatedAfter ?? "")} after a deactivation`
          : null,
    })),
    nextBeforeId,
    actions: listAuditActions()
      .map((code) => ({ value: code, name: auditAction(code).name }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    actors: Object.values(AUDIT_ACTOR_LABELS),
  };
}
