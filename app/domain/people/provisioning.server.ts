import { and, asc, count, eq, or, type SQL } from "drizzle-orm";
import { z } from "zod";
import { type Executor, getDb } from "../../../db/client";
import { people } from "../../../db/schema";
import { absoluteUrl } from "../../platform/addresses.server";
import { recordAudit, SCIM_ACTOR } from "../../platform/audit.server";
import { normalizeEmail } from "../../platform/email-address";
import { Refusal, type RefusalStatus } from "../../platform/refusal";
import { revokeAllSessions } from "../identity/sessions.server";
import { recordActivationChange } from "./activation.server";
import type { Person } from "./directory.server";
import { directoryMove } from "./directory-import.server";

/**
 * The staff directory kept by the company's provisioning client over SCIM 2.0 (RFC 7643/7644):
 * Users only, as Okta and Microsoft Entra ID send them. A SCIM user is a person of the directory;
 * its id is the person's id. Deactivating (PATCH active:false, PUT with active false, or DELETE) ends
 * the person's sessions at once and keeps their signatures counted, as the CSV import does.
 */

export const SCIM_USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
export const SCIM_ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const SCIM_LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
export const SCIM_PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
export const SCIM_ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error";

export type ScimType =
  | "invalidFilter"
  | "invalidSyntax"
  | "invalidPath"
  | "invalidValue"
  | "uniqueness"
  | "mutability"
  | "noTarget"
  | "tooMany";

/** A SCIM request refused: answered in SCIM's error format with its status and scimType. */
export class ScimError extends Refusal {
  constructor(
    message: string,
    status: RefusalStatus,
    readonly scimType?: ScimType,
  ) {
    super(message, status);
  }
}

export type ScimUser = {
  schemas: string[];
  id: string;
  externalId?: string;
  userName: string;
  name: { formatted?: string; givenName?: string; familyName?: string };
  displayName?: string;
  emails: Array<{ value: string; type: "work"; primary: true }>;
  active: boolean;
  addresses?: Array<{ type: "work"; locality: string }>;
  [SCIM_ENTERPRISE_SCHEMA]?: { department: string };
  meta: { resourceType: "User"; location: string };
};

export function scimUser(person: Person): ScimUser {
  const [given, ...family] = (person.name ?? "").split(" ");
  return {
    schemas: person.department ? [SCIM_USER_SCHEMA, SCIM_ENTERPRISE_SCHEMA] : [SCIM_USER_SCHEMA],
    id: String(person.id),
    ...(person.externalId ? { externalId: person.externalId } : {}),
    userName: person.scimUserName ?? person.email,
    name: person.name
      ? {
          formatted: person.name,
          givenName: given,
          ...(family.length ? { familyName: family.join(" ") } : {}),
        }
      : {},
    ...(person.name ? { displayName: person.name } : {}),
    emails: [{ value: person.email, type: "work", primary: true }],
    active: person.active,
    ...(person.location ? { addresses: [{ type: "work", locality: person.location }] } : {}),
    ...(person.department ? { [SCIM_ENTERPRISE_SCHEMA]: { department: person.department } } : {}),
    meta: { resourceType: "User", location: absoluteUrl(`/scim/v2/Users/${person.id}`) },
  };
}

const text = (max: number) => z.string().trim().max(max);
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
    userName: text(254).min(1, "userName is required"),
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
            type: z.string().optional(),
            primary: scimBoolean.optional(),
          })
          .loose(),
      )
      .max(20)
      .optional()
      .nullable(),
    active: scimBoolean.optional(),
    addresses: z
      .array(z.object({ type: z.string().optional(), locality: text(100).optional().nullable() }).loose())
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
  scimUserName: string;
  externalId: string | null;
  name: string | null;
  department: string | null;
  location: string | null;
  active: boolean;
};

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

function attributesOf(input: UserInput): Attributes {
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

function findById(exec: Executor, id: string): Person {
  const personId = /^\d{1,15}$/.test(id) ? Number(id) : Number.NaN;
  const person = Number.isNaN(personId)
    ? undefined
    : exec.select().from(people).where(eq(people.id, personId)).get();
  if (!person?.inDirectory) throw new ScimError(`No user ${id}.`, 404);
  return person;
}

/** Someone else already holds this email or userName: 409 uniqueness. */
function refuseTaken(exec: Executor, attributes: Attributes, selfId: number | null): void {
  const other = exec
    .select({ id: people.id })
    .from(people)
    .where(or(eq(people.email, attributes.email), eq(people.scimUserName, attributes.scimUserName)))
    .all()
    .find((row) => row.id !== selfId);
  if (other) throw new ScimError("Another user has this userName or email.", 409, "uniqueness");
}

/** Applies attributes to a person (in the caller's transaction), audits what changed, ends sessions on deactivation. */
function apply(exec: Executor, person: Person, attributes: Attributes): Person {
  const changed = (Object.keys(attributes) as Array<keyof Attributes>).filter(
    (key) => attributes[key] !== person[key],
  );
  if (!changed.length && person.inDirectory) return person;
  refuseTaken(exec, attributes, person.id);
  const updated = exec
    .update(people)
    .set({ ...attributes, inDirectory: true, updatedAt: new Date() })
    .where(eq(people.id, person.id))
    .returning()
    .get();
  const fields = changed.filter((key) => key !== "active");
  if (fields.length)
    recordAudit(
      exec,
      SCIM_ACTOR,
      "directory.update",
      { type: "person", id: person.id },
      {
        email: updated.email,
        fields,
        // Who moved where, as a CSV import's entry says it.
        department: directoryMove(person, attributes)?.department,
        location: directoryMove(person, attributes)?.location,
      },
    );
  if (person.active !== updated.active) {
    if (!updated.active) revokeAllSessions(exec, person.id);
    recordActivationChange(exec, SCIM_ACTOR, { id: person.id, email: updated.email }, updated.active);
  }
  return updated;
}

const FILTER = /^\s*(userName|externalId|id)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$/i;

/** GET /Users: the directory, or the one user `filter=userName eq "…"` names (also externalId, id). */
export function listScimUsers(query: { filter?: string | null; startIndex?: number; count?: number }) {
  const startIndex = Math.max(1, query.startIndex ?? 1);
  const size = Math.min(200, Math.max(0, query.count ?? 100));
  const conditions: SQL[] = [eq(people.inDirectory, true)];
  if (query.filter) {
    const match = FILTER.exec(query.filter);
    if (!match) {
      throw new ScimError(
        'Only filters of the form userName eq "…" (or externalId, id) are supported.',
        400,
        "invalidFilter",
      );
    }
    const attribute = (match[1] ?? "").toLowerCase();
    const value = (match[2] ?? "").replace(/\\(.)/g, "$1");
    if (attribute === "username") {
      const byName = or(eq(people.scimUserName, value), eq(people.email, normalizeEmail(value)));
      if (byName) conditions.push(byName);
    } else if (attribute === "externalid") conditions.push(eq(people.externalId, value));
    else conditions.push(eq(people.id, /^\d{1,15}$/.test(value) ? Number(value) : -1));
  }
  const db = getDb();
  const where = and(...conditions);
  const total = db.select({ n: count() }).from(people).where(where).get()?.n ?? 0;
  const rows = size
    ? db
        .select()
        .from(people)
        .where(where)
        .orderBy(asc(people.id))
        .limit(size)
        .offset(startIndex - 1)
        .all()
    : [];
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

/**
 * POST /Users. A person the directory already lists under this email (a CSV import, a first sign-in)
 * and whom no provisioning client has claimed yet is adopted; one already provisioned is a conflict.
 */
export function createScimUser(body: unknown): { created: boolean; user: ScimUser } {
  const attributes = attributesOf(parseUser(body));
  return getDb().transaction(
    (tx) => {
      const existing = tx.select().from(people).where(eq(people.email, attributes.email)).get();
      if (existing && existing.scimUserName === null) {
        return { created: true, user: scimUser(apply(tx, existing, attributes)) };
      }
      refuseTaken(tx, attributes, null);
      const now = new Date();
      const person = tx
        .insert(people)
        .values({ ...attributes, inDirectory: true, createdAt: now, updatedAt: now })
        .returning()
        .get();
      recordAudit(
        tx,
        SCIM_ACTOR,
        "directory.provision",
        { type: "person", id: person.id },
        {
          email: person.email,
          active: person.active,
        },
      );
      return { created: true, user: scimUser(person) };
    },
    { behavior: "immediate" },
  );
}

/** PUT /Users/:id: the user as sent (attributes left out are cleared; `active` defaults to true). */
export function replaceScimUser(id: string, body: unknown): ScimUser {
  const attributes = attributesOf(parseUser(body));
  return getDb().transaction((tx) => scimUser(apply(tx, findById(tx, id), attributes)), {
    behavior: "immediate",
  });
}

/** DELETE /Users/:id: deactivates (erasing a person is a separate feature); their signatures stay counted. */
export function deactivateScimUser(id: string): void {
  getDb().transaction(
    (tx) => {
      const person = findById(tx, id);
      apply(tx, person, { ...pick(person), active: false });
    },
    { behavior: "immediate" },
  );
}

function pick(person: Person): Attributes {
  return {
    email: person.email,
    scimUserName: person.scimUserName ?? person.email,
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

/** One attribute of a PATCH (a path, or a key of a path-less value) onto the draft. */
function patchAttribute(draft: Draft, rawPath: string, value: unknown, remove: boolean): void {
  const path = rawPath.trim();
  const lower = path.toLowerCase();
  const enterprise = SCIM_ENTERPRISE_SCHEMA.toLowerCase();
  const asText = (max: number): string | null => {
    if (remove || value === null || value === undefined) return null;
    if (typeof value !== "string") throw new ScimError(`${path} must be a string.`, 400, "invalidValue");
    return value.trim().slice(0, max) || null;
  };
  if (lower === "active") {
    if (remove) throw new ScimError("active cannot be removed.", 400, "mutability");
    const parsed = scimBoolean.safeParse(value);
    if (!parsed.success) throw new ScimError("active must be true or false.", 400, "invalidValue");
    draft.active = parsed.data;
  } else if (lower === "username") {
    const name = asText(254);
    if (!name) throw new ScimError("userName cannot be removed.", 400, "mutability");
    draft.scimUserName = name;
  } else if (lower === "externalid") draft.externalId = asText(200);
  else if (lower === "displayname" || lower === "name.formatted") draft.name = asText(200);
  else if (lower === "name.givenname") draft.givenName = asText(100);
  else if (lower === "name.familyname") draft.familyName = asText(100);
  else if (lower === "name" && value && typeof value === "object" && !remove) {
    for (const [key, inner] of Object.entries(value)) patchAttribute(draft, `name.${key}`, inner, false);
  } else if (/^emails(\[type eq "work"\]|\[primary eq true\])?\.value$/i.test(path)) {
    const email = asText(254);
    if (!email || !EMAIL.test(email))
      throw new ScimError("The email must be an address.", 400, "invalidValue");
    draft.email = normalizeEmail(email);
  } else if (lower === "emails" && Array.isArray(value) && !remove) {
    const first = value.find((e) => e?.primary) ?? value[0];
    if (first && typeof first.value === "string") patchAttribute(draft, "emails.value", first.value, false);
  } else if (
    lower === `${enterprise}:department` ||
    (lower === enterprise && value && typeof value === "object")
  ) {
    if (lower === enterprise) {
      const department = (value as Record<string, unknown>).department;
      if (department !== undefined) patchAttribute(draft, `${enterprise}:department`, department, remove);
    } else draft.department = asText(100);
  } else if (/^addresses(\[type eq "work"\])?\.locality$/i.test(path)) draft.location = asText(100);
  else if (lower === "addresses" && Array.isArray(value) && !remove) {
    const work = value.find((a) => a?.type === "work") ?? value[0];
    if (work && "locality" in work) patchAttribute(draft, "addresses.locality", work.locality, false);
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
      const draft: Draft = pick(person);
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
