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
import { en } from "../../i18n/catalogs/en";
import { type Formatter, formatterOf } from "../../i18n/format";
import { intlFor, type MessageKey, type Translate, translatorOf } from "../../i18n/translate";
import { listAuditActions, listAuditEntries } from "../../platform/security/audit.server";
import { petitionPath } from "../../platform/site/addresses.server";
import { AUDIT_ACTORS } from "../../vocabulary/audit-actions";
import { MAIL_KINDS } from "../../vocabulary/mail-kinds";
import { isRole } from "../../vocabulary/roles";

/**
 * The audit log in words, for admins, in the reader's language: each entry as a sentence (who did what
 * to which thing; the page fills in who and the thing), the thing by its name with a link, and its
 * details as a list of labelled values — no codes, ids or JSON.
 */

/** The words and numbers the log is written in: the reader's (wordsFor), English by default. */
export type AuditWords = { t: Translate; format: Formatter };
const englishIntl = () => intlFor("en", "UTC", en);
const inEnglish = (): AuditWords => ({ t: translatorOf(englishIntl()), format: formatterOf(englishIntl()) });

/** Whether a key made from a stored code is one the catalogs say (a newer code may not be yet). */
const isMessageKey = (key: string): key is MessageKey => Object.hasOwn(en, key);
const keyOr = (key: string): MessageKey | null => (isMessageKey(key) ? key : null);

const ACTOR_KEYS: Record<(typeof AUDIT_ACTORS)[number], MessageKey> = {
  cli: "admin.audit.actor.cli",
  system: "admin.audit.actor.system",
  "identity-provider": "admin.audit.actor.identityProvider",
  scim: "admin.audit.actor.scim",
};
const actorKey = (label: string): MessageKey | null =>
  Object.hasOwn(ACTOR_KEYS, label) ? ACTOR_KEYS[label as keyof typeof ACTOR_KEYS] : null;

/** An action's code in words when the catalogs do not name it yet. */
const codeInWords = (code: string) => code.replace(/[.-]/g, " ");

export type AuditLink = { text: string; to: string | null };
export type AuditValue = { text: string } | { date: string } | { links: AuditLink[] } | { items: string[] };
export type AuditDetail = { label: string; value: AuditValue };

/** Shown elsewhere in the entry (the reactivation flag) or nothing a reader can use. */
const HIDDEN_DETAILS = new Set(["flagged", "reactivatedAfter"]);

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z)?$/;

/** A detail's key and values in words: labels from the catalogs, keys not there split from camelCase. */
function detailWords({ t, format }: AuditWords) {
  const label = (key: string) => {
    const known = keyOr(`admin.audit.detail.${key}`);
    return known ? t(known) : key.replace(/([a-z])([A-Z])/g, "$1 $2").replace(/^./, (c) => c.toUpperCase());
  };
  const plain = (value: unknown): string => {
    if (value === null || value === undefined) return t("admin.audit.none");
    if (typeof value === "boolean") return value ? t("admin.audit.yes") : t("admin.audit.no");
    if (typeof value === "number") return format.number(value);
    if (typeof value === "string")
      return /^[a-z]+(_[a-z]+)+$/.test(value) ? value.replaceAll("_", " ") : value;
    if (Array.isArray(value)) return value.map(plain).join(", ");
    if (typeof value === "object")
      return Object.entries(value)
        .map(([k, v]) => `${label(k).toLowerCase()} ${plain(v)}`)
        .join(", ");
    return String(value);
  };
  return { label, plain };
}

type Move = {
  email?: string;
  department?: { from: string | null; to: string | null };
  location?: { from: string | null; to: string | null };
};
function moveInWords(move: Move, t: Translate) {
  const nothing = t("admin.audit.move.nothing");
  const change = (key: MessageKey, c: { from: string | null; to: string | null }) =>
    t(key, { from: c.from ?? nothing, to: c.to ?? nothing });
  const changes = [
    move.department ? change("admin.audit.move.department", move.department) : null,
    move.location ? change("admin.audit.move.location", move.location) : null,
  ];
  return t("admin.audit.move", { email: move.email, changes: changes.filter(Boolean).join("; ") });
}

type Entry = ReturnType<typeof listAuditEntries>["entries"][number];

/** Names and links for every id the entries point at, fetched once per kind of thing. */
function resolveNames(entries: Entry[], t: Translate) {
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
        text: p ? (p.name ?? p.email) : t("admin.audit.target.personGone"),
        to: `/admin/people/${id}`,
      };
    },
    petition: (id: number): AuditLink => {
      const p = petition.get(id);
      return p
        ? { text: t("admin.audit.target.petition", { title: p.title }), to: petitionPath(p.slug) }
        : { text: t("admin.audit.target.aPetition"), to: null };
    },
    announcement: (id: number): AuditLink => {
      const a = announcement.get(id);
      return a
        ? { text: t("admin.audit.target.memo", { title: a.title }), to: `/announcements/${a.slug}` }
        : { text: t("admin.audit.target.aMemo"), to: null };
    },
    policy: (id: number): AuditLink => {
      const p = policy.get(id);
      return p
        ? { text: t("admin.audit.target.policy", { title: p.title }), to: `/policies/${p.slug}` }
        : { text: t("admin.audit.target.aPolicy"), to: null };
    },
    thread: (id: number): AuditLink => {
      const th = thread.get(id);
      const of =
        th?.subjectType === "petition"
          ? links.petition(th.subjectId)
          : th?.subjectType === "policy"
            ? links.policy(th.subjectId)
            : th?.subjectType === "announcement"
              ? links.announcement(th.subjectId)
              : null;
      return of
        ? {
            text: t("admin.audit.target.discussion", { of: of.text }),
            to: of.to ? `${of.to}#comments` : null,
          }
        : { text: t("admin.audit.target.aDiscussion"), to: null };
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
        if (!c) return { text: t("admin.audit.target.aCommitment"), to: null };
        const memo = links.announcement(c.announcementId);
        return { text: t("admin.audit.target.commitment", { text: c.text, memo: memo.text }), to: memo.to };
      }
      case "comment": {
        const c = comment.get(n);
        return {
          text: c
            ? t("admin.audit.target.comment", { discussion: links.thread(c.threadId).text })
            : t("admin.audit.target.commentGone"),
          to: `/comments/${id}`,
        };
      }
      case "feedback": {
        const f = feedback.get(n);
        if (!f) return { text: t("admin.audit.target.feedbackGone"), to: null };
        const p = policy.get(f.policyId);
        return p
          ? {
              text: t("admin.audit.target.feedback", { title: p.title }),
              to: `/policies/${p.slug}/feedback#feedback-${id}`,
            }
          : { text: t("admin.audit.target.feedbackOnAPolicy"), to: null };
      }
      case "outbox":
        return { text: t("admin.audit.target.email"), to: "/admin/outbox" };
      case "scim-token":
        return {
          text: t("admin.audit.target.token", {
            label: token.get(n)?.label ?? t("admin.audit.target.aToken"),
          }),
          to: null,
        };
      default:
        return {
          text: t("admin.audit.target.other", { type: entry.targetType.replace(/-/g, " ") }),
          to: null,
        };
    }
  };
  return { links, target };
}

function detailsOf(
  entry: Entry,
  links: ReturnType<typeof resolveNames>["links"],
  words: AuditWords,
): AuditDetail[] {
  if (!entry.details) return [];
  const { t } = words;
  const { label: labelOf, plain } = detailWords(words);
  const details: AuditDetail[] = [];
  for (const [key, value] of Object.entries(entry.details)) {
    if (HIDDEN_DETAILS.has(key)) continue;
    const label = labelOf(key);
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
      if (value.length)
        details.push({ label, value: { items: (value as Move[]).map((move) => moveInWords(move, t)) } });
    } else if (key === "role" && typeof value === "string" && isRole(value)) {
      details.push({ label, value: { text: t("admin.role", { role: value }) } });
    } else if (key === "kind" && typeof value === "string" && Object.hasOwn(MAIL_KINDS, value)) {
      details.push({ label, value: { text: t(MAIL_KINDS[value as keyof typeof MAIL_KINDS].labelKey) } });
    } else if (Array.isArray(value) && value.some((v) => typeof v === "object" && v !== null))
      details.push({ label, value: { items: value.map(plain) } });
    else if (typeof value === "string" && ISO_DATE.test(value))
      details.push({ label, value: { date: value } });
    else details.push({ label, value: { text: plain(value) } });
  }
  return details;
}

/** What the filter's "who" box accepts besides an email: the words the page shows for each actor. */
function actorLabelOf(who: string, t: Translate): string {
  const wanted = who.trim().toLowerCase();
  const named = AUDIT_ACTORS.find(
    (label) => label === wanted || t(ACTOR_KEYS[label]).toLowerCase() === wanted,
  );
  return named ?? wanted;
}

/** An action's name, for the filter. */
function actionName(code: string, t: Translate): string {
  const key = keyOr(`admin.audit.action.${code}`);
  return key ? t(key) : codeInWords(code).replace(/^./, (c) => c.toUpperCase());
}

/** One page of the audit log in words (newest first), and the filter's choices by plain name. */
export function auditLogInWords(
  filter: { who?: string; action?: string; beforeId?: number },
  words: AuditWords = inEnglish(),
) {
  const { t } = words;
  const { entries, nextBeforeId } = listAuditEntries({
    actorEmail: filter.who ? actorLabelOf(filter.who, t) : undefined,
    action: filter.action,
    beforeId: filter.beforeId,
  });
  const { links, target } = resolveNames(entries, t);
  return {
    entries: entries.map((entry) => ({
      id: entry.id,
      at: entry.createdAt,
      actor:
        entry.actorName !== null || entry.actorLabel.includes("@")
          ? { text: entry.actorName ?? entry.actorLabel, to: null, email: entry.actorLabel }
          : {
              text: ((key) => (key ? t(key) : entry.actorLabel))(actorKey(entry.actorLabel)),
              to: null,
              email: null,
            },
      action: entry.action,
      /** The sentence's key: the page says it with who acted and the target filled in. */
      said: keyOr(`admin.audit.said.${entry.action}`) ?? ("admin.audit.said.unknown" satisfies MessageKey),
      /** The action in words, for a sentence the catalogs do not have yet. */
      actionInWords: codeInWords(entry.action),
      target: target(entry),
      details: detailsOf(entry, links, words),
      /** A reactivation soon after a deactivation (how one would test who wrote something anonymous). */
      flagged:
        entry.details?.flagged === true
          ? t("admin.audit.flagged", { after: String(entry.details.reactivatedAfter ?? "") })
          : null,
    })),
    nextBeforeId,
    actions: listAuditActions()
      .map((code) => ({ value: code, name: actionName(code, t) }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    actors: AUDIT_ACTORS.map((label) => t(ACTOR_KEYS[label])),
  };
}
