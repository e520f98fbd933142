/**
 * The provisioning requests Okta and Microsoft Entra ID document sending, in the order they send them,
 * each with the answer this server gives (test/integration/scim-client-replays.test.ts replays them).
 * Bodies are the documents' own; `{id}` stands for the id the create step answered.
 *
 * - Okta: "Okta and SCIM Version 2.0" (SCIM 2.0 Protocol Reference, developer.okta.com,
 *   docs/reference/scim/scim-20), and the connection test its SCIM test plan starts with.
 * - Entra ID: "Tutorial: Develop and plan provisioning for a SCIM endpoint in Microsoft Entra ID"
 *   (learn.microsoft.com, entra/identity/app-provisioning/use-scim-to-provision-users-and-groups),
 *   section "SCIM protocol requests and responses" → "User Operations".
 *
 * Where our answer differs from a document's example, it is by what RFC 7644 §3.3 allows and
 * docs/identity.md says: emails are stored lower-cased, ids are ours, and a user deleted is gone.
 */
export type DocumentedStep = {
  /** The document's heading for the request. */
  doc: string;
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  path: string;
  body?: unknown;
  /** The answer expected: its status and (a subset of) its JSON. */
  status: number;
  json?: Record<string, unknown>;
  /** This answer's `id` is the `{id}` of the steps after it. */
  saveId?: true;
};

const USER = "urn:ietf:params:scim:schemas:core:2.0:User";
const LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
const ERROR = "urn:ietf:params:scim:api:messages:2.0:Error";
const PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

const OKTA_USER = {
  schemas: [USER],
  userName: "test.user@okta.local",
  name: { givenName: "Test", familyName: "User" },
  emails: [{ primary: true, value: "test.user@okta.local", type: "work" }],
  displayName: "Test User",
  locale: "en-US",
  externalId: "00ujl29u0le5T6Aj10h7",
  groups: [],
  password: "1mz050nq",
  active: true,
};

export const OKTA_SEQUENCE: DocumentedStep[] = [
  {
    doc: "Test connection (the SCIM test plan's first request)",
    method: "GET",
    path: "/Users?count=2&startIndex=1",
    status: 200,
    json: { schemas: [LIST], startIndex: 1 },
  },
  {
    doc: "Determine if the User already exists",
    method: "GET",
    path: "/Users?filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100",
    status: 200,
    json: { schemas: [LIST], totalResults: 0, startIndex: 1, itemsPerPage: 0, Resources: [] },
  },
  {
    doc: "Create the User",
    method: "POST",
    path: "/Users",
    body: OKTA_USER,
    status: 201,
    json: {
      schemas: [USER],
      userName: "test.user@okta.local",
      name: { givenName: "Test", familyName: "User" },
      emails: [{ primary: true, value: "test.user@okta.local", type: "work" }],
      displayName: "Test User",
      externalId: "00ujl29u0le5T6Aj10h7",
      active: true,
      meta: { resourceType: "User" },
    },
    saveId: true,
  },
  {
    doc: "Create the User (it already exists: an error schema stops the job)",
    method: "POST",
    path: "/Users",
    body: OKTA_USER,
    status: 409,
    json: { schemas: [ERROR], status: "409", scimType: "uniqueness" },
  },
  {
    doc: "Retrieve Users",
    method: "GET",
    path: "/Users?startIndex=1&count=100",
    status: 200,
    json: { schemas: [LIST], startIndex: 1 },
  },
  {
    doc: "Retrieve a specific User",
    method: "GET",
    path: "/Users/{id}",
    status: 200,
    json: { id: "{id}", userName: "test.user@okta.local", active: true },
  },
  {
    doc: "Update a specific User (PUT)",
    method: "PUT",
    path: "/Users/{id}",
    body: {
      schemas: [USER],
      id: "{id}",
      userName: "test.user@okta.local",
      name: { givenName: "Another", middleName: "Excited", familyName: "User" },
      emails: [
        { primary: true, value: "test.user@okta.local", type: "work", display: "test.user@okta.local" },
      ],
      active: true,
      groups: [],
      meta: { resourceType: "User" },
    },
    status: 200,
    json: { id: "{id}", name: { givenName: "Another", familyName: "User" }, active: true },
  },
  {
    doc: "Update a specific User (PATCH): deactivate",
    method: "PATCH",
    path: "/Users/{id}",
    body: { schemas: [PATCH], Operations: [{ op: "replace", value: { active: false } }] },
    status: 200,
    json: { id: "{id}", active: false },
  },
  {
    doc: "Delete Users: Okta deactivates and never deletes, so the user is still there",
    method: "GET",
    path: "/Users/{id}",
    status: 200,
    json: { id: "{id}", active: false },
  },
  {
    doc: "Update a specific User (PATCH): activate",
    method: "PATCH",
    path: "/Users/{id}",
    body: { schemas: [PATCH], Operations: [{ op: "replace", value: { active: true } }] },
    status: 200,
    json: { id: "{id}", active: true },
  },
];

export const ENTRA_SEQUENCE: DocumentedStep[] = [
  {
    doc: "Get User by query - Zero results (also how it tests the connection: a random user)",
    method: "GET",
    path: `/Users?filter=${encodeURIComponent('userName eq "non-existent user"')}`,
    status: 200,
    json: { schemas: [LIST], totalResults: 0, Resources: [], startIndex: 1 },
  },
  {
    doc: "Create User",
    method: "POST",
    path: "/Users",
    body: {
      schemas: [USER, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
      externalId: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
      userName: "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1",
      active: true,
      emails: [
        { primary: true, type: "work", value: "Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com" },
      ],
      meta: { resourceType: "User" },
      name: { formatted: "givenName familyName", familyName: "familyName", givenName: "givenName" },
      roles: [],
    },
    status: 201,
    json: {
      schemas: [USER],
      externalId: "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
      userName: "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1",
      name: { formatted: "givenName familyName", familyName: "familyName", givenName: "givenName" },
      active: true,
      emails: [
        { value: "test_user_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com", type: "work", primary: true },
      ],
      meta: { resourceType: "User" },
    },
    saveId: true,
  },
  {
    doc: "Get User",
    method: "GET",
    path: "/Users/{id}",
    status: 200,
    json: { id: "{id}", userName: "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1" },
  },
  {
    doc: "Get User by query",
    method: "GET",
    path: `/Users?filter=${encodeURIComponent('userName eq "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1"')}`,
    status: 200,
    json: { schemas: [LIST], totalResults: 1, Resources: [{ id: "{id}" }], startIndex: 1 },
  },
  {
    doc: 'Users: attributes for uniqueness must be filterable (emails[type eq "work"].value eq …)',
    method: "GET",
    path: `/Users?filter=${encodeURIComponent(
      'emails[type eq "work"].value eq "Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com"',
    )}`,
    status: 200,
    json: { totalResults: 1, Resources: [{ id: "{id}" }] },
  },
  {
    doc: "Update User [Multi-valued properties]",
    method: "PATCH",
    path: "/Users/{id}",
    body: {
      schemas: [PATCH],
      Operations: [
        { op: "Replace", path: 'emails[type eq "work"].value', value: "updatedEmail@microsoft.com" },
        { op: "Replace", path: "name.familyName", value: "updatedFamilyName" },
      ],
    },
    status: 200,
    json: {
      id: "{id}",
      name: {
        formatted: "givenName updatedFamilyName",
        familyName: "updatedFamilyName",
        givenName: "givenName",
      },
      emails: [{ value: "updatedemail@microsoft.com", type: "work", primary: true }],
    },
  },
  {
    doc: "Update User [Single-valued properties]",
    method: "PATCH",
    path: "/Users/{id}",
    body: {
      schemas: [PATCH],
      Operations: [
        { op: "Replace", path: "userName", value: "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com" },
      ],
    },
    status: 200,
    json: { id: "{id}", userName: "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com" },
  },
  {
    doc: "Disable User",
    method: "PATCH",
    path: "/Users/{id}",
    body: { Operations: [{ op: "Replace", path: "active", value: false }], schemas: [PATCH] },
    status: 200,
    json: { id: "{id}", active: false },
  },
  { doc: "Delete User", method: "DELETE", path: "/Users/{id}", status: 204 },
  {
    doc: "Get User (User not found)",
    method: "GET",
    path: "/Users/{id}",
    status: 404,
    json: { schemas: [ERROR], status: "404" },
  },
  {
    doc: "Get User by query, after the delete",
    method: "GET",
    path: `/Users?filter=${encodeURIComponent('userName eq "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"')}`,
    status: 200,
    json: { totalResults: 0, Resources: [] },
  },
];
