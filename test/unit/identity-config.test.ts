import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../app/config.server";
import { selfSignedCertificate } from "../support/certificate";

/** The identity provider's variables: validated at start, each problem naming its variable. */
const dir = mkdtempSync(path.join(tmpdir(), "undersigned-idp-config-"));
const base = { DATABASE_URL: path.join(dir, "app.db"), APP_URL: "https://petitions.corp.example" };
const oidc = {
  OIDC_ISSUER: "https://login.corp.example",
  OIDC_CLIENT_ID: "undersigned",
  OIDC_CLIENT_SECRET: "s3cret",
};
const { certificate } = selfSignedCertificate("idp.corp.example");

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...base, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe("identity provider configuration", () => {
  it("has no provider by default, and sensible claim names", () => {
    const config = loadConfig(base);
    expect(config.oidc).toBeNull();
    expect(config.saml).toBeNull();
    expect(config.companyName).toBeNull();
    expect(config.claims).toEqual({
      name: "name",
      email: "email",
      department: "department",
      location: "locality",
      groups: "groups",
    });
    expect(config.roleGroups).toEqual({});
  });

  it("reads an OpenID Provider, its scopes and the role groups", () => {
    const config = loadConfig({
      ...base,
      ...oidc,
      COMPANY_NAME: "Corp",
      IDP_CLAIM_DEPARTMENT: "dept",
      IDP_ROLE_GROUPS: "admin=it-admins, moderator=mods,moderator=trust",
      OIDC_EMAILS_VERIFIED: "true",
    });
    expect(config.oidc).toEqual({
      issuer: "https://login.corp.example",
      clientId: "undersigned",
      clientSecret: "s3cret",
      scopes: "openid email profile",
      emailsVerified: true,
      allowInsecure: false,
    });
    expect(config.claims.department).toBe("dept");
    expect(config.roleGroups).toEqual({ admin: ["it-admins"], moderator: ["mods", "trust"] });
    expect(loadConfig({ ...base, ...oidc, OIDC_ISSUER: "http://127.0.0.1:4000" }).oidc?.allowInsecure).toBe(
      true,
    );
  });

  it("stops on a bad issuer URL or a missing client id or secret, naming the variable", () => {
    expect(problems({ ...oidc, OIDC_ISSUER: "not a url" })).toEqual([
      "OIDC_ISSUER: must be an absolute https URL (http only on localhost or 127.0.0.1)",
    ]);
    expect(problems({ ...oidc, OIDC_ISSUER: "http://login.corp.example" })[0]).toMatch(/^OIDC_ISSUER: /);
    expect(problems({ ...oidc, OIDC_CLIENT_SECRET: "" })).toEqual([
      "OIDC_CLIENT_SECRET: is required when OIDC_ISSUER is set",
    ]);
    expect(problems({ OIDC_CLIENT_ID: "x" })).toEqual([
      "OIDC_ISSUER: is required when OIDC_CLIENT_ID or OIDC_CLIENT_SECRET is set",
      "OIDC_CLIENT_SECRET: is required when OIDC_ISSUER is set",
    ]);
    expect(problems({ ...oidc, OIDC_SCOPES: "email profile" })[0]).toMatch(/^OIDC_SCOPES: /);
    expect(problems({ ...oidc, IDP_ROLE_GROUPS: "boss=admins" })[0]).toMatch(/^IDP_ROLE_GROUPS: /);
    expect(problems({ IDP_ROLE_GROUPS: "admin=admins" })[0]).toMatch(
      /^IDP_ROLE_GROUPS: needs an identity provider/,
    );
    expect(problems({ ...oidc, IDP_CLAIM_GROUPS: "two words" })[0]).toMatch(/^IDP_CLAIM_GROUPS: /);
    expect(problems({ ...oidc, OIDC_EMAILS_VERIFIED: "perhaps" })[0]).toMatch(/^OIDC_EMAILS_VERIFIED: /);
  });

  it("reads a SAML identity provider's certificate as PEM text or a file, and refuses anything else", () => {
    const saml = {
      SAML_ENTRY_POINT: "https://idp.corp.example/sso",
      SAML_IDP_CERT: certificate,
      SAML_IDP_ISSUER: "https://idp.corp.example/metadata",
    };
    const config = loadConfig({ ...base, ...saml });
    expect(config.saml).toMatchObject({
      entryPoint: "https://idp.corp.example/sso",
      idpIssuer: "https://idp.corp.example/metadata",
      spEntityId: "https://petitions.corp.example/auth/saml/metadata",
    });
    expect(config.saml?.idpCert).toContain("BEGIN CERTIFICATE");
    const file = path.join(dir, "idp.pem");
    writeFileSync(file, certificate);
    expect(loadConfig({ ...base, ...saml, SAML_IDP_CERT: file }).saml?.idpCert).toContain(
      "BEGIN CERTIFICATE",
    );
    expect(
      loadConfig({ ...base, ...saml, SAML_IDP_CERT: certificate.replace(/\n/g, "\\n") }).saml,
    ).not.toBeNull();
    expect(
      problems({ ...saml, SAML_IDP_CERT: "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----" })[0],
    ).toMatch(/^SAML_IDP_CERT: must be/);
    expect(problems({ ...saml, SAML_IDP_CERT: "/no/such/file.pem" })[0]).toMatch(/^SAML_IDP_CERT: /);
    expect(
      problems({ SAML_ENTRY_POINT: "https://idp.corp.example/sso", SAML_IDP_ISSUER: "https://idp" }),
    ).toEqual(["SAML_IDP_CERT: is required when SAML_ENTRY_POINT is set"]);
    expect(problems({ ...saml, SAML_ENTRY_POINT: "ftp://idp" })[0]).toMatch(/^SAML_ENTRY_POINT: /);
  });

  it("refuses to start SAML without the provider's issuer: the certificate alone does not say whose assertions it signs", () => {
    const saml = { SAML_ENTRY_POINT: "https://idp.corp.example/sso", SAML_IDP_CERT: certificate };
    expect(problems(saml)).toEqual([
      expect.stringMatching(/^SAML_IDP_ISSUER: is required when SAML_ENTRY_POINT is set: .*entityID/),
    ]);
    expect(problems({ ...saml, SAML_IDP_ISSUER: "  " })[0]).toMatch(/^SAML_IDP_ISSUER: is required/);
    expect(problems({ SAML_IDP_ISSUER: "https://idp.corp.example/metadata" })).toEqual([
      "SAML_ENTRY_POINT: is required when SAML_IDP_CERT or SAML_IDP_ISSUER is set",
      "SAML_IDP_CERT: is required when SAML_ENTRY_POINT is set",
    ]);
  });
});
