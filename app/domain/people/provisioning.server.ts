import { and, asc, count, eq, inArray, isNull, or, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { type Executor, getDb } from "../../../db/client";
import { people, personRoles } from "../../../db/schema";
import { singleLine } from "../../platform/content/text";
import { normalizeEmail } from "../../platform/mail/email-address";
import { Refusal } from "../../platform/refusal";
import { say } from "../../platform/said";
import { type Actor, recordAudit, SCIM_ACTOR } from "../../platform/security/audit.server";
import { revokeAllSessions } from "../identity/sessions.server";
import { recordActivationChange } from "./activation.server";
import type { Person } from "./directory.server";
import { directoryMove } from "./directory-import.server";
import { followEmailChange } from "./email-change.server";
import {
  dropHeldScimChange,
  heldScimChange,
  holdScimChange,
  type ScimIdentity,
} from "./scim-held-changes.server";
import {
  parseScimId,
  SCIM_ENTERPRISE_SCHEMA,
  SCIM_LIST_SCHEMA,
  SCIM_PATCH_SCHEMA,
  SCIM_USER_SCHEMA,
  ScimError,
  type ScimUser,
  scimUser,
} from "./scim-resource.server";

/**
 * The staff directory kept by the company's provisioning client over SCIM 2.0 (RFC 7643/7644):
 * Users only, as Okta and Microsoft Entra ID send them. A SCIM user is a person of the directory
 * (scim-resource.server.ts shows them). Deactivating (PATCH active:false, PUT with active false, or
 * DELETE) ends the person's sessions at once and keeps their signatures counted, as the CSV import
 * does; DELETE also removes the SCIM user (404 from then on) while the person stays.
 *
 * Who a person is — their email (how they sign in by link), userName and externalId, and which SCIM
 * user they are — is not changed by SCIM alone for someone who holds a role: the change is held for
 * an admin (scim-held-changes.server.ts). Any change of anyone's email ends their sessions and links
 * and tells the old address (email-change.server.ts).
 */

/** Text from the provisioning client: one line, no bidi controls (a name is shown beside others). */
const text = (max: number) =>
  z
    .string()
    .transform(singleLine)
    .pipe(z.string().max(max, `at most ${max} characters`));
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** Entra sends booleans as "True"/"False" in PATCH values. */
const scimBoolean = z.union([
  z.boolean(),
  z
    .string()
    .regex(/^(true|false)$/i)
    .transform((v) => v.toLowerCase() === "true"),
]);

const userSchema = z
  .object({
    schemas: z.array(z.string()).optional(),
    userName: text(254).pipe(z.string().min(1, "userName is required")),
    externalId: text(200).optional().nullable(),
    displayName: text(200).optional().nullable(),
    name: z
      .object({
        formatted: text(200).optional().nullable(),
        givenName: text(100).optional().nullable(),
        familyName: text(100).optional().nullable(),
      })
      .loose()
      .optional()
      .nullable(),
    emails: z
      .array(
        z
          .object({
            value: text(254),
            type: z.string().optional().nullable(),
            primary: scimBoolean.optional().nullable(),
          })
          .loose(),
      )
      .max(20)
      .optional()
      .nullable(),
    active: scimBoolean.optional().nullable(),
    addresses: z
      .array(
        z
          .object({ type: z.string().optional().nullable(), locality: text(100).optional().nullable() })
          .loose(),
      )
      .max(20)
      .optional()
      .nullable(),
    [SCIM_ENTERPRISE_SCHEMA]: z
      .object({ department: text(100).optional().nullable() })
      .loose()
      .optional()
      .nullable(),
  })
  .loose();
type UserInput = z.infer<typeof userSchema>;

/** What SCIM may set on a person: the directory's columns. */
type Attributes = {
  email: string;
  scimUserName: string | null;
  externalId: string | null;
  name: string | null;
  department: string | null;
  location: string | null;
  active: boolean;
};
const ATTRIBUTE_KEYS = [
  "email",
  "scimUserName",
  "externalId",
  "name",
  "department",
  "location",
  "active",
] as const satisfies ReadonlyArray<keyof Attributes>;

function parseUser(body: unknown): UserInput {
  const parsed = userSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ScimError(
      `Invalid user: ${issue?.path.join(".") || "body"}: ${issue?.message ?? "malformed"}`,
      400,
      "invalidValue",
    );
  }
  return parsed.data;
}

const joinName = (given?: string | null, family?: string | null) =>
  [given, family].filter(Boolean).join(" ") || null;

function attributesOf(input: UserInput): Attributes & { scimUserName: string } {
  const primaryEmail =
    input.emails?.find((e) => e.primary === true)?.value ??
    input.emails?.find((e) => e.type === "work")?.value ??
    input.emails?.[0]?.value;
  const email = primaryEmail ?? input.userName;
  if (!EMAIL.test(email)) {
    throw new ScimError(
      "The user needs an email address: a userName or a primary email that is one.",
      400,
      "invalidValue",
    );
  }
  const work = input.addresses?.find((a) => a.type === "work") ?? input.addresses?.[0];
  return {
    email: normalizeEmail(email),
    scimUserName: input.userName,
    externalId: input.externalId || null,
    name:
      input.displayName ||
      input.name?.formatted ||
      joinName(input.name?.givenName, input.name?.familyName) ||
      null,
    department: input[SCIM_ENTERPRISE_SCHEMA]?.department || null,
    location: work?.locality || null,
    active: input.active ?? true,
  };
}

/** The userName SCIM shows: the one a client set, else the email. */
const shownUserName = (person: Person) => person.scimUserName ?? person.email;

const identityOf = (attributes: Attributes): ScimIdentity => ({
  email: attributes.email,
  userName: attributes.scimUserName ?? attributes.email,
  externalId: attributes.externalId,
});

function holdsRole(exec: Executor, personId: number): boolean {
  return Boolean(
    exec.select({ role: personRoles.role }).from(personRoles).where(eq(personRoles.personId, personId)).get(),
  );
}

/** The live SCIM user an id names (deleted ones, and people outside the directory, are nobody's). */
function findById(exec: Executor, id: string): Person {
  const parsed = parseScimId(id);
  const person = parsed ? exec.select().from(people).where(eq(people.id, parsed.personId)).get() : undefined;
  if (!parsed || !person?.inDirectory || person.scimDeleted || person.scimGeneration !== parsed.generation)
    throw new ScimError(`No user ${id}.`, 404);
  return person;
}

/** A user provisioned: created, adopted from the CSV directory, or linked again after a DELETE. */
function auditProvision(exec: Executor, person: Person, how: Record<string, boolean> = {}): void {
  recordAudit(
    exec,
    SCIM_ACTOR,
    "directory.provision",
    { type: "person", id: person.id },
    { email: person.email, active: person.active, ...how },
  );
}

/**
 * A userName as SQLite's lower() lowers it: ASCII letters only. Compared with lower(scim_user_name),
 * JavaScript's full Unicode lowering would miss "Émile" (SQLite keeps the É), and the insert that
 * followed would hit the unique index.
 */
const lowerAsSqlite = (text: string) => text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase());

/**
 * The people an email or userName belongs to. userName and email are one namespace (a userName is
 * matched against everyone's email and userName, without regard to ASCII case), so one filter never finds
 * two people for one name.
 */
function holdersOf(exec: Executor, names: { email: string; scimUserName: string | null }): Person[] {
  const keys = [...new Set([names.email, lowerAsSqlite(names.scimUserName ?? names.email)])];
  return exec
    .select()
    .from(people)
    .where(or(inArray(people.email, keys), inArray(sql`lower(${people.scimUserName})`, keys)))
    .all();
}

/** Someone else already holds this email or userName: 409 uniqueness. */
function refuseTaken(exec: Executor, names: Parameters<typeof holdersOf>[1], selfId: number | null): void {
  if (holdersOf(exec, names).some((other) => other.id !== selfId))
    throw new ScimError("Another colleague already has this userName or email address.", 409, "uniqueness");
}

/**
 * Applies attributes to a person (in the caller's transaction) and audits what changed. For someone
 * who holds a role, a new email, userName or externalId is held for an admin instead, and their
 * current ones kept (the answer shows them: Okta and Entra ID take a 200 and retry later, while an
 * error would mark the user failed and, repeated, quarantine the whole provisioning job).
 */
function apply(exec: Executor, person: Person, proposed: Attributes): Person {
  const identityChanged =
    proposed.email !== person.email ||
    (proposed.scimUserName ?? proposed.email) !== shownUserName(person) ||
    proposed.externalId !== person.externalId;
  if (identityChanged) refuseTaken(exec, proposed, person.id);
  const roleHolder = holdsRole(exec, person.id);
  if (roleHolder && identityChanged) holdScimChange(exec, person, identityOf(proposed), false);
  else if (identityChanged) dropHeldScimChange(exec, person.id);
  const attributes: Attributes = roleHolder
    ? { ...proposed, email: person.email, scimUserName: person.scimUserName, externalId: person.externalId }
    : proposed;
  const changed = ATTRIBUTE_KEYS.filter((key) => attributes[key] !== person[key]);
  if (!changed.length && person.inDirectory) return person;
  const updated = exec
    .update(people)
    .set({ ...attributes, inDirectory: true, updatedAt: new Date() })
    .where(eq(people.id, person.id))
    .returning()
    .get();
  if (updated.email !== person.email)
    followEmailChange(exec, updated, { from: person.email, to: updated.email }, SCIM_ACTOR, "directory");
  const fields = changed.filter((key) => key !== "active");
  if (fields.length) {
    // Who moved where, as a CSV import's entry says it.
    const move = directoryMove(person, attributes);
    recordAudit(
      exec,
      SCIM_ACTOR,
      "directory.update",
      { type: "person", id: person.id },
      {
        email: updated.email,
        fields,
        department: move?.department,
        location: move?.location,
      },
    );
  }
  if (person.active !== updated.active) {
    if (!updated.active) revokeAllSessions(exec, person.id);
    recordActivationChange(exec, SCIM_ACTOR, { id: person.id, email: updated.email }, updated.active);
  }
  return updated;
}

const FILTER =
  /^\s*(userName|externalId|id|emails(?:\[type eq "work"\])?(?:\.value)?)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$/i;
export const SCIM_MAX_RESULTS = 200;

/** The SCIM users a filter names (at most a handful: each names one person by a unique key). */
function filtered(filter: string): Person[] {
  const match = FILTER.exec(filter);
  if (!match) {
    throw new ScimError(
      'Only filters of the form userName eq "…" are supported (also externalId, id, and emails[type eq "work"].value).',
      400,
      "invalidFilter",
    );
  }
  const attribute = (match[1] ?? "").toLowerCase();
  const value = (match[2] ?? "").replace(/\\(.)/g, "$1");
  const live = and(eq(people.inDirectory, true), eq(people.scimDeleted, false));
  const db = getDb();
  const where = (condition: SQL | undefined) => db.select().from(people).where(and(live, condition));
  if (attribute === "username") {
    const rows = where(
      or(
        eq(sql`lower(${people.scimUserName})`, lowerAsSqlite(value)),
        and(isNull(people.scimUserName), eq(people.email, normalizeEmail(value))),
      ),
    ).all();
    // A userName a client set outranks an email that only looks like it (one name, one person).
    const named = rows.filter((person) => person.scimUserName !== null);
    return named.length ? named : rows;
  }
  if (attribute === "externalid") return where(eq(people.externalId, value)).all();
  if (attribute === "id") {
    const id = parseScimId(value);
    return id ? where(and(eq(people.id, id.personId), eq(people.scimGeneration, id.generation))).all() : [];
  }
  return where(eq(people.email, normalizeEmail(value))).all();
}

/**
 * GET /Users (and POST /.search): the directory, or the user a filter names. `count` follows RFC 7644
 * §3.4.2.4: a negative one counts as 0, and 0 asks for totalResults only.
 */
export function listScimUsers(query: { filter?: string | null; startIndex?: number; count?: number }) {
  const startIndex = Math.max(1, query.startIndex ?? 1);
  const size = Math.min(SCIM_MAX_RESULTS, Math.max(0, query.count ?? 100));
  let total: number;
  let rows: Person[];
  if (query.filter) {
    const all = filtered(query.filter);
    total = all.length;
    rows = all.slice(startIndex - 1, startIndex - 1 + size);
  } else {
    const db = getDb();
    const where = and(eq(people.inDirectory, true), eq(people.scimDeleted, false));
    total = db.select({ n: count() }).from(people).where(where).get()?.n ?? 0;
    rows = size
      ? db
          .select()
          .from(people)
          .where(where)
          .orderBy(asc(people.id))
          .limit(size)
          .offset(startIndex - 1)
          .all()
      : [];
  }
  return {
    schemas: [SCIM_LIST_SCHEMA],
    totalResults: total,
    startIndex,
    itemsPerPage: rows.length,
    Resources: rows.map(scimUser),
  };
}

export function getScimUser(id: string): ScimUser {
  return scimUser(findById(getDb(), id));
}

export type ScimCreation = { user: ScimUser };

/**
 * POST /Users. A person the directory already lists under this email or userName and no provisioning
 * client has claimed (a CSV import, a first sign-in) is adopted; one whose SCIM user was deleted gets
 * a new one (a new id; their signatures stay theirs). One already provisioned is a conflict. Adopting
 * someone who holds a role is held for an admin, and answered 409 until confirmed.
 */
export function createScimUser(body: unknown): ScimCreation {
  const attributes = attributesOf(parseUser(body));
  const result = getDb().transaction(
    (tx): ScimCreation | { held: true } => {
      const matches = holdersOf(tx, attributes);
      const existing = matches[0];
      if (matches.length > 1 || (existing && existing.scimUserName !== null && !existing.scimDeleted))
        throw new ScimError(
          "Another colleague already has this userName or email address.",
          409,
          "uniqueness",
        );
      if (existing) {
        if (holdsRole(tx, existing.id)) {
          holdScimChange(tx, existing, identityOf(attributes), true);
          return { held: true };
        }
        const relinked = existing.scimDeleted;
        const base = relinked
          ? tx
              .update(people)
              .set({ scimDeleted: false, scimGeneration: existing.scimGeneration + 1 })
              .where(eq(people.id, existing.id))
              .returning()
              .get()
          : existing;
        const person = apply(tx, base, attributes);
        auditProvision(tx, person, relinked ? { relinked: true } : { adopted: true });
        return { user: scimUser(person) };
      }
      const now = new Date();
      const person = tx
        .insert(people)
        .values({ ...attributes, inDirectory: true, createdAt: now, updatedAt: now })
        .returning()
        .get();
      auditProvision(tx, person);
      return { user: scimUser(person) };
    },
    { behavior: "immediate" },
  );
  // After the commit: the held request stays recorded for the admin.
  if ("held" in result) {
    throw new ScimError(
      "This colleague holds a role here, so an Undersigned admin must confirm linking them on their page first; then their user can be found by userName.",
      409,
      "uniqueness",
    );
  }
  return result;
}

/** PUT /Users/:id: the user as sent (attributes left out are cleared; `active` defaults to true). */
export function replaceScimUser(id: string, body: unknown): ScimUser {
  const attributes = attributesOf(parseUser(body));
  return getDb().transaction((tx) => scimUser(apply(tx, findById(tx, id), attributes)), {
    behavior: "immediate",
  });
}

/**
 * DELETE /Users/:id: the person is deactivated (erasing a person is a separate feature; their
 * signatures stay counted) and their SCIM user is gone: 404 and left out of lists from now on, its
 * userName free again. A later POST for their email creates a new user linked to the same person.
 */
export function deleteScimUser(id: string): void {
  getDb().transaction(
    (tx) => {
      const person = findById(tx, id);
      const deactivated = apply(tx, person, { ...draftOf(person), active: false });
      tx.update(people)
        .set({ scimDeleted: true, scimUserName: null, externalId: null, updatedAt: new Date() })
        .where(eq(people.id, person.id))
        .run();
      dropHeldScimChange(tx, person.id);
      recordAudit(
        tx,
        SCIM_ACTOR,
        "directory.delete",
        { type: "person", id: person.id },
        {
          email: deactivated.email,
        },
      );
    },
    { behavior: "immediate" },
  );
}

function draftOf(person: Person): Attributes {
  return {
    email: person.email,
    scimUserName: person.scimUserName,
    externalId: person.externalId,
    name: person.name,
    department: person.department,
    location: person.location,
    active: person.active,
  };
}

const patchSchema = z.object({
  schemas: z.array(z.string()).refine((s) => s.includes(SCIM_PATCH_SCHEMA), {
    message: `must include ${SCIM_PATCH_SCHEMA}`,
  }),
  Operations: z
    .array(
      z
        .object({
          op: z
            .string()
            .transform((op) => op.toLowerCase())
            .pipe(z.enum(["add", "replace", "remove"])),
          path: z.string().max(300).optional(),
          value: z.unknown().optional(),
        })
        .loose(),
    )
    .min(1)
    .max(100),
});

type Draft = Attributes & { givenName?: string | null; familyName?: string | null };
const CORE_PREFIX = `${SCIM_USER_SCHEMA.toLowerCase()}:`;
const ENTERPRISE = SCIM_ENTERPRISE_SCHEMA.toLowerCase();

const required = (attribute: string) =>
  new ScimError(`${attribute} is required: it cannot be removed.`, 400, "mutability");

/** The first value of a multi-valued attribute sent as a list or as one object (the primary first). */
function oneOf(value: unknown): Record<string, unknown> | undefined {
  const items = Array.isArray(value) ? value : [value];
  const objects = items.filter((item): item is Record<string, unknown> => typeof item === "object" && !!item);
  return objects.find((item) => item.primary === true || item.primary === "True") ?? objects[0];
}

/**
 * One attribute of a PATCH (a path, or a key of a path-less value) onto the draft. `remove` really
 * removes (RFC 7644 §3.5.2.2); removing a required attribute (userName, emails, active) is refused
 * with scimType mutability.
 */
function patchAttribute(draft: Draft, rawPath: string, value: unknown, remove: boolean): void {
  const trimmed = rawPath.trim();
  const lower = trimmed.toLowerCase().startsWith(CORE_PREFIX)
    ? trimmed.toLowerCase().slice(CORE_PREFIX.length)
    : trimmed.toLowerCase();
  const asText = (max: number): string | null => {
    if (remove || value === null || value === undefined) return null;
    if (typeof value !== "string") throw new ScimError(`${trimmed} must be a string.`, 400, "invalidValue");
    return singleLine(value).slice(0, max) || null;
  };
  if (lower === "active") {
    if (remove) throw required("active");
    const parsed = scimBoolean.safeParse(value);
    if (!parsed.success) throw new ScimError("active must be true or false.", 400, "invalidValue");
    draft.active = parsed.data;
  } else if (lower === "username") {
    const name = asText(254);
    if (!name) throw required("userName");
    draft.scimUserName = name;
  } else if (lower === "externalid") draft.externalId = asText(200);
  else if (lower === "displayname" || lower === "name.formatted") draft.name = asText(200);
  else if (lower === "name.givenname") draft.givenName = asText(100);
  else if (lower === "name.familyname") draft.familyName = asText(100);
  else if (lower === "name") {
    if (remove || value === null) {
      draft.name = null;
      draft.givenName = undefined;
      draft.familyName = undefined;
    } else if (typeof value === "object" && !Array.isArray(value)) {
      for (const [key, inner] of Object.entries(value)) patchAttribute(draft, `name.${key}`, inner, false);
    } else throw new ScimError("name must be an object.", 400, "invalidValue");
  } else if (/^emails(\[(type eq "work"|primary eq true)\])?(\.value)?$/.test(lower)) {
    if (remove) throw required("emails");
    const email = typeof value === "string" ? value : oneOf(value)?.value;
    if (typeof email !== "string" || !EMAIL.test(email.trim()))
      throw new ScimError("The email must be an address.", 400, "invalidValue");
    draft.email = normalizeEmail(email);
  } else if (/^addresses(\[type eq "work"\])?(\.locality)?$/.test(lower)) {
    if (remove || value === null) draft.location = null;
    else if (lower.endsWith(".locality")) draft.location = asText(100);
    else {
      const locality = oneOf(value)?.locality;
      draft.location = typeof locality === "string" ? singleLine(locality).slice(0, 100) || null : null;
    }
  } else if (lower === ENTERPRISE || lower === `${ENTERPRISE}:department`) {
    if (remove || value === null) draft.department = null;
    else if (lower === ENTERPRISE) {
      if (typeof value !== "object" || Array.isArray(value))
        throw new ScimError(`${SCIM_ENTERPRISE_SCHEMA} must be an object.`, 400, "invalidValue");
      const department = (value as Record<string, unknown>).department;
      if (department !== undefined) patchAttribute(draft, `${ENTERPRISE}:department`, department, false);
    } else draft.department = asText(100);
  }
  // Anything else (title, phoneNumbers, manager…) is an attribute this directory does not keep.
}

/**
 * PATCH /Users/:id, as Okta sends it (`{op:"replace", value:{active:false}}`) and as Entra ID does
 * (`{op:"Replace", path:"active", value:"False"}`, paths such as `emails[type eq "work"].value`).
 * Attributes the directory does not keep are ignored; a malformed operation changes nothing.
 */
export function patchScimUser(id: string, body: unknown): ScimUser {
  const parsed = patchSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ScimError(
      `Invalid PATCH: ${issue?.path.join(".") || "body"}: ${issue?.message ?? "malformed"}`,
      400,
      "invalidSyntax",
    );
  }
  return getDb().transaction(
    (tx) => {
      const person = findById(tx, id);
      const draft: Draft = { ...draftOf(person), scimUserName: shownUserName(person) };
      for (const operation of parsed.data.Operations) {
        const remove = operation.op === "remove";
        if (operation.path) patchAttribute(draft, operation.path, operation.value, remove);
        else if (remove) throw new ScimError("remove needs a path.", 400, "noTarget");
        else if (operation.value && typeof operation.value === "object" && !Array.isArray(operation.value)) {
          for (const [key, value] of Object.entries(operation.value))
            patchAttribute(draft, key, value, false);
        } else throw new ScimError("An operation without a path needs an object value.", 400, "invalidValue");
      }
      if (draft.givenName !== undefined || draft.familyName !== undefined) {
        const [given = "", ...family] = (draft.name ?? "").split(" ");
        draft.name = joinName(
          draft.givenName !== undefined ? draft.givenName : given,
          draft.familyName !== undefined ? draft.familyName : family.join(" "),
        );
      }
      const { givenName: _given, familyName: _family, ...attributes } = draft;
      return scimUser(apply(tx, person, attributes));
    },
    { behavior: "immediate" },
  );
}

/** Confirming or refusing a held change: not the provisioning client's to do. */
export class HeldChangeError extends Refusal {}

/**
 * An admin confirms what the provisioning client asked for a role holder (held by apply or
 * createScimUser): the email, userName and externalId it sent, and the link of its user to them (a
 * deleted user's person gets a new SCIM id). An email change follows as every other one does.
 */
export function confirmHeldScimChange(personId: number, shown: ScimIdentity, actor: Actor): void {
  getDb().transaction(
    (tx) => {
      const held = heldScimChange(personId, tx);
      const person = tx.select().from(people).where(eq(people.id, personId)).get();
      if (!held || !person) throw new HeldChangeError(say("admin.refusal.held.nothingWaiting"), 404);
      // What the admin read, not whatever the client asked for since: a token swapping the held address
      // between the page and the click would otherwise have the admin confirm its own address.
      if (
        held.email !== shown.email ||
        held.userName !== shown.userName ||
        held.externalId !== shown.externalId
      )
        throw new HeldChangeError(say("admin.refusal.held.changedSince"), 409);
      if (holdersOf(tx, { email: held.email, scimUserName: held.userName }).some((p) => p.id !== person.id))
        throw new HeldChangeError(say("admin.refusal.held.taken"), 409);
      const updated = tx
        .update(people)
        .set({
          email: held.email,
          scimUserName: held.userName,
          externalId: held.externalId,
          inDirectory: true,
          ...(held.relink && person.scimDeleted
            ? { scimDeleted: false, scimGeneration: person.scimGeneration + 1 }
            : {}),
          updatedAt: new Date(),
        })
        .where(eq(people.id, personId))
        .returning()
        .get();
      if (updated.email !== person.email) {
        followEmailChange(
          tx,
          updated,
          { from: person.email, to: updated.email },
          actor,
          "adminForDirectory",
          { requestedBy: "scim" },
        );
      }
      dropHeldScimChange(tx, personId);
      recordAudit(
        tx,
        actor,
        "directory.hold.confirm",
        { type: "person", id: personId },
        {
          email: updated.email,
          userName: held.userName,
          externalId: held.externalId,
          relink: held.relink,
        },
      );
    },
    { behavior: "immediate" },
  );
}

/** An admin refuses the held change: nothing about the person changes. */
export function refuseHeldScimChange(personId: number, actor: Actor): void {
  getDb().transaction(
    (tx) => {
      const held = heldScimChange(personId, tx);
      if (!held) throw new HeldChangeError(say("admin.refusal.held.nothingWaiting"), 404);
      dropHeldScimChange(tx, personId);
      recordAudit(
        tx,
        actor,
        "directory.hold.refuse",
        { type: "person", id: personId },
        {
          email: held.email,
          userName: held.userName,
          externalId: held.externalId,
          relink: held.relink,
        },
      );
    },
    { behavior: "immediate" },
  );
}
