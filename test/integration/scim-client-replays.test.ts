import { beforeAll, describe, expect, it } from "vitest";
import { createScimToken } from "../../app/domain/identity/scim-tokens.server";
import { CLI_ACTOR } from "../../app/platform/security/audit.server";
import { scimRequest } from "../support/scim-client";
import { type DocumentedStep, ENTRA_SEQUENCE, OKTA_SEQUENCE } from "../support/scim-documented-requests";

/**
 * Okta's and Microsoft Entra ID's documented provisioning requests, replayed in their order against
 * the SCIM routes on a real SQLite file, each answer checked against what it must be (the sequences
 * and their sources are data: test/support/scim-documented-requests.ts).
 */
let token = "";
beforeAll(() => {
  token = createScimToken("provisioning client", CLI_ACTOR).token;
});

/** The value with every "{id}" (in strings, arrays and objects) replaced by the saved id. */
function withId(value: unknown, id: string): unknown {
  if (typeof value === "string") return value.replaceAll("{id}", id);
  if (Array.isArray(value)) return value.map((item) => withId(item, id));
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, withId(inner, id)]));
  return value;
}

async function replay(steps: DocumentedStep[]) {
  let id = "";
  for (const step of steps) {
    const answer = await scimRequest(
      token,
      step.method,
      withId(step.path, id) as string,
      withId(step.body, id),
    );
    const what = `${step.doc}: ${step.method} ${step.path}`;
    expect(answer.status, what).toBe(step.status);
    if (step.status !== 204)
      expect(answer.headers.get("Content-Type"), what).toContain("application/scim+json");
    if (step.json) expect(answer.json, what).toMatchObject(withId(step.json, id) as Record<string, unknown>);
    if (step.saveId) id = String(answer.json?.id);
  }
}

describe("Documented provisioning request sequences", () => {
  it("Okta's (SCIM 2.0 Protocol Reference): check, create, conflict, list, get, PUT, deactivate, reactivate", async () => {
    await replay(OKTA_SEQUENCE);
  });

  it("Microsoft Entra ID's (SCIM endpoint tutorial): query, create, get, filter, PATCH both ways, disable, DELETE then GET 404", async () => {
    await replay(ENTRA_SEQUENCE);
  });
});
