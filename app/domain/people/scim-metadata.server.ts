import { absoluteUrl } from "../../platform/addresses.server";
import { SCIM_ENTERPRISE_SCHEMA, SCIM_LIST_SCHEMA, SCIM_USER_SCHEMA } from "./provisioning.server";

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
    filter: { supported: true, maxResults: 200 },
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
      attribute("userName", { required: true, uniqueness: "server" }),
      attribute("externalId", { caseExact: true }),
      attribute("displayName"),
      attribute("name", {
        type: "complex",
        subAttributes: [attribute("formatted"), attribute("givenName"), attribute("familyName")],
      }),
      attribute("emails", {
        type: "complex",
        multiValued: true,
        subAttributes: [attribute("value"), attribute("type"), attribute("primary", { type: "boolean" })],
      }),
      attribute("active", { type: "boolean" }),
      attribute("addresses", {
        type: "complex",
        multiValued: true,
        subAttributes: [attribute("type"), attribute("locality")],
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

export const scimResourceTypes = () =>
  list([
    {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
      id: "User",
      name: "User",
      endpoint: "/Users",
      description: "A colleague in the staff directory",
      schema: SCIM_USER_SCHEMA,
      schemaExtensions: [{ schema: SCIM_ENTERPRISE_SCHEMA, required: false }],
      meta: { resourceType: "ResourceType", location: absoluteUrl("/scim/v2/ResourceTypes/User") },
    },
  ]);
