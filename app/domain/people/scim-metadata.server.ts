import { absoluteUrl } from "../../platform/site/addresses.server";
import { SCIM_MAX_RESULTS } from "./provisioning.server";
import {
  SCIM_ENTERPRISE_SCHEMA,
  SCIM_LIST_SCHEMA,
  SCIM_USER_SCHEMA,
  ScimError,
} from "./scim-resource.server";

/** What the SCIM API says about itself (RFC 7643 §5–7): the discovery resources clients read first. */

const list = (resources: unknown[]) => ({
  schemas: [SCIM_LIST_SCHEMA],
  totalResults: resources.length,
  startIndex: 1,
  itemsPerPage: resources.length,
  Resources: resources,
});

export function serviceProviderConfig() {
  return {
    schemas: ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
    documentationUri: absoluteUrl("/scim/v2/ServiceProviderConfig"),
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: SCIM_MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [
      {
        type: "oauthbearertoken",
        name: "Bearer token",
        description: "A token made with `npm run cli -- create-scim-token LABEL`",
        primary: true,
      },
    ],
    meta: { resourceType: "ServiceProviderConfig", location: absoluteUrl("/scim/v2/ServiceProviderConfig") },
  };
}

const attribute = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  type: "string",
  multiValued: false,
  required: false,
  caseExact: false,
  mutability: "readWrite",
  returned: "default",
  uniqueness: "none",
  ...extra,
});

const SCHEMAS = [
  {
    id: SCIM_USER_SCHEMA,
    name: "User",
    description: "A colleague in the staff directory",
    attributes: [
      attribute("userName", {
        required: true,
        uniqueness: "server",
        description: "Unique among every user's userName and email address, without regard to case",
      }),
      attribute("externalId", { caseExact: true }),
      attribute("displayName"),
      attribute("name", {
        type: "complex",
        description: "Kept as one name: formatted is the name, givenName its first word",
        subAttributes: [attribute("formatted"), attribute("givenName"), attribute("familyName")],
      }),
      attribute("emails", {
        type: "complex",
        multiValued: true,
        required: true,
        description:
          "One work address is kept (lower-cased), as the primary one; a userName that is an address will do when none is sent",
        subAttributes: [
          attribute("value", { required: true }),
          attribute("type", { canonicalValues: ["work"] }),
          attribute("primary", { type: "boolean" }),
        ],
      }),
      attribute("active", {
        type: "boolean",
        required: true,
        description: "Every colleague is active or not; true when a new user is sent without it",
      }),
      attribute("addresses", {
        type: "complex",
        multiValued: true,
        description: "One work address is kept: its locality",
        subAttributes: [attribute("type", { canonicalValues: ["work"] }), attribute("locality")],
      }),
    ],
  },
  {
    id: SCIM_ENTERPRISE_SCHEMA,
    name: "EnterpriseUser",
    description: "The department a colleague belongs to",
    attributes: [attribute("department")],
  },
].map((schema) => ({
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
  ...schema,
  meta: { resourceType: "Schema", location: absoluteUrl(`/scim/v2/Schemas/${schema.id}`) },
}));

export const scimSchemas = () => list(SCHEMAS);

/** GET /Schemas/<urn>: the URL each schema's meta.location gives. */
export function scimSchema(id: string) {
  const schema = SCHEMAS.find((s) => s.id === id);
  if (!schema) throw new ScimError(`No schema ${id}.`, 404);
  return schema;
}

const userResourceType = () => ({
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
  id: "User",
  name: "User",
  endpoint: "/Users",
  description: "A colleague in the staff directory",
  schema: SCIM_USER_SCHEMA,
  schemaExtensions: [{ schema: SCIM_ENTERPRISE_SCHEMA, required: false }],
  meta: { resourceType: "ResourceType", location: absoluteUrl("/scim/v2/ResourceTypes/User") },
});

export const scimResourceTypes = () => list([userResourceType()]);

/** GET /ResourceTypes/User: the URL its meta.location gives. */
export function scimResourceType(id: string) {
  if (id !== "User") throw new ScimError(`No resource type ${id}.`, 404);
  return userResourceType();
}
