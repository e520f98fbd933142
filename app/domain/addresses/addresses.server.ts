import { and, asc, eq, sql } from "drizzle-orm";
import { type Executor, getDb } from "../../../db/client";
import { announcements, formerAddresses, petitions, policies, siteSettings } from "../../../db/schema";
import { slugify, uniqueSlug } from "../../platform/content/slugs";
import { ADDRESSED_KINDS, type AddressedKind } from "../../vocabulary/addresses";

/**
 * The addresses of petitions, policies and announcements (/petitions/<slug>…): a new record's, the
 * ones records had before (each redirects to the record's current address and is never given again),
 * and the one-time move of records whose address the former rules made unreadable (ADR 40).
 */

/** Path segments the routes use beside /petitions/<slug>, /policies/<slug>, /announcements/<slug>. */
const RESERVED: Record<AddressedKind, ReadonlySet<string>> = {
  petition: new Set(["new", "similar"]),
  policy: new Set(["new"]),
  announcement: new Set(["new"]),
};

const TABLES = { petition: petitions, policy: policies, announcement: announcements } as const;

const isCurrent = (exec: Executor, kind: AddressedKind, slug: string) =>
  Boolean(exec.get(sql`select 1 from ${TABLES[kind]} where ${TABLES[kind].slug} = ${slug}`));

/** The id of the record that had this address before, if one did. */
export function formerAddressOwner(
  kind: AddressedKind,
  slug: string,
  exec: Executor = getDb(),
): number | undefined {
  return exec
    .select({ id: formerAddresses.subjectId })
    .from(formerAddresses)
    .where(and(eq(formerAddresses.kind, kind), eq(formerAddresses.slug, slug)))
    .get()?.id;
}

/** A new record's address, from its title: taken by no record of its kind, now or before. */
export function newAddress(exec: Executor, kind: AddressedKind, title: string): string {
  return uniqueSlug(
    title,
    kind,
    RESERVED[kind],
    (slug) => isCurrent(exec, kind, slug) || formerAddressOwner(kind, slug, exec) !== undefined,
  );
}

/**
 * The address a record was first given: its Atom ids are made of it, so a reader's entries keep
 * their ids when the record moves (RFC 4287 §4.2.6: an id never changes).
 */
export function firstAddress(kind: AddressedKind, subject: { id: number; slug: string }): string {
  const first = getDb()
    .select({ slug: formerAddresses.slug })
    .from(formerAddresses)
    .where(and(eq(formerAddresses.kind, kind), eq(formerAddresses.subjectId, subject.id)))
    .orderBy(asc(formerAddresses.id))
    .limit(1)
    .get();
  return first?.slug ?? subject.slug;
}

/** The rules before ADR 40 (ASCII letters and digits only), to recognise the addresses they made. */
function formerSlug(title: string, kind: string): string {
  const base = title
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  const cut = base.length > 60 ? base.slice(0, 61).replace(/-[^-]*$/, "") : base;
  return cut || kind;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * Whether the former rules gave this address to this title (its slug, with the reserved-word or
 * all-digit suffix and a -2, -3… counter), and the current rules give the title another: the records
 * to move. One whose title was edited since keeps its address, as every edit does.
 */
function addressToRenew(kind: AddressedKind, slug: string, title: string): boolean {
  const former = formerSlug(title, kind);
  if (slugify(title, kind) === former) return false;
  return new RegExp(`^${escapeRegExp(former)}(-${kind})?(-\\d+)?$`).test(slug);
}

/** site_settings: when the records the former rules gave unreadable addresses were moved (epoch ms). */
export const ADDRESSES_RENEWED = "addressesRenewedAt";

/**
 * Once per database: each petition, policy and announcement whose address the former rules made from
 * its title ("2-petition" for a Japanese title, "stra-e" for "Straße") gets the address today's rules
 * give it, and its old one becomes a former address that redirects to it. One transaction with the
 * record that it ran, so it runs exactly once, whole or not at all (a failure is retried at the next
 * start). Returns how many records moved.
 */
export function renewFormerRulesAddresses(now = Date.now()): number {
  return getDb().transaction(
    (tx) => {
      const done = tx.select().from(siteSettings).where(eq(siteSettings.key, ADDRESSES_RENEWED)).get();
      if (done) return 0;
      let moved = 0;
      for (const kind of ADDRESSED_KINDS) {
        const table = TABLES[kind];
        const rows = tx.all<{ id: number; slug: string; title: string }>(
          sql`select ${table.id} as id, ${table.slug} as slug, ${table.title} as title from ${table} order by ${table.id}`,
        );
        for (const row of rows) {
          if (!addressToRenew(kind, row.slug, row.title)) continue;
          const slug = newAddress(tx, kind, row.title);
          tx.insert(formerAddresses)
            .values({ kind, slug: row.slug, subjectId: row.id, createdAt: new Date(now) })
            .run();
          tx.run(
            sql`update ${table} set ${sql.identifier(table.slug.name)} = ${slug} where ${table.id} = ${row.id}`,
          );
          moved++;
        }
      }
      tx.insert(siteSettings)
        .values({ key: ADDRESSES_RENEWED, value: now, updatedAt: new Date(now) })
        .run();
      return moved;
    },
    { behavior: "immediate" },
  );
}
