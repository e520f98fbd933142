import type { people } from "../../../db/schema";
import { Refusal, type RefusalStatus } from "../../platform/refusal";
import { absoluteUrl } from "../../platform/site/addresses.server";

/**
 * A person as SCIM 2.0 shows them (RFC 7643 §4.1): the User resource, its id and its errors. What a
 * provisioning client may do with it is in provisioning.server.ts.
 */

export const SCIM_USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
export const SCIM_ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
export const SCIM_LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
export const SCIM_PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
export const SCIM_SEARCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
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

type Person = typeof people.$inferSelect;

export type ScimUser = {
  schemas: string[];
  id: string;
  externalId?: string;
  userName: string;
  name?: { formatted: string; givenName: string; familyName?: string };
  displayName?: string;
  emails: Array<{ value: string; type: "work"; primary: true }>;
  active: boolean;
  addresses?: Array<{ type: "work"; locality: string }>;
  [SCIM_ENTERPRISE_SCHEMA]?: { department: string };
  meta: { resourceType: "User"; location: string };
};

/**
 * A person's SCIM id: their id, and `<id>-<n>` for the user a provisioning client created again after
 * deleting it n times — so a deleted user's id keeps answering 404 (RFC 7644 §3.6).
 */
export const scimIdOf = (person: Pick<Person, "id" | "scimGeneration">): string =>
  person.scimGeneration ? `${person.id}-${person.scimGeneration}` : String(person.id);

/** The person id and generation a SCIM id names, or null when it names nobody. */
export function parseScimId(id: string): { personId: number; generation: number } | null {
  const match = /^(\d{1,15})(?:-([1-9]\d{0,8}))?$/.exec(id);
  if (!match) return null;
  return { personId: Number(match[1]), generation: Number(match[2] ?? 0) };
}

/**
 * The person as a SCIM User. The directory keeps one name, one address and one work email, so
 * `name` is rebuilt from the name (its first word the given name) and the email is the primary work
 * one: RFC 7644 §3.3 lets a service provider store what it was sent in its own form.
 */
export function scimUser(person: Person): ScimUser {
  const [given = "", ...family] = (person.name ?? "").split(" ");
  const id = scimIdOf(person);
  return {
    schemas: person.department ? [SCIM_USER_SCHEMA, SCIM_ENTERPRISE_SCHEMA] : [SCIM_USER_SCHEMA],
    id,
    ...(person.externalId ? { externalId: person.externalId } : {}),
    userName: person.scimUserName ?? person.email,
    ...(person.name
      ? {
          name: {
            formatted: person.name,
            givenName: given,
            ...(family.length ? { familyName: family.join(" ") } : {}),
          },
          displayName: person.name,
        }
      : {}),
    emails: [{ value: person.email, type: "work", primary: true }],
    active: person.active,
    ...(person.location ? { addresses: [{ type: "work", locality: person.location }] } : {}),
    ...(person.department ? { [SCIM_ENTERPRISE_SCHEMA]: { department: person.department } } : {}),
    meta: { resourceType: "User", location: absoluteUrl(`/scim/v2/Users/${id}`) },
  };
}
