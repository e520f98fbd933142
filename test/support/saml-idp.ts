import { randomUUID } from "node:crypto";
import * as validator from "@authenio/samlify-node-xmllint";
import * as samlify from "samlify";
import { selfSignedCertificate } from "./certificate";

samlify.setSchemaValidator(validator);

/**
 * A SAML identity provider in the test process (samlify), with a certificate made by the test: it
 * reads the AuthnRequest the app sends by the redirect binding and answers with a signed response for
 * the POST binding. `overrides` make the answers a broken provider or an attacker would send.
 */
export type SamlUser = {
  nameId: string;
  email?: string;
  name?: string;
  department?: string;
  locality?: string;
  groups?: string[];
};

export type ResponseOverrides = {
  audience?: string;
  recipient?: string;
  notOnOrAfter?: Date;
  /** The request answered, by the Response and its assertion (null: neither names one). */
  inResponseTo?: string | null;
  /** The request the assertion's SubjectConfirmationData names, when it differs (null: none). */
  assertionInResponseTo?: string | null;
  issueInstant?: Date;
  /** The issuer both the Response and the assertion name, signed with this provider's key. */
  issuer?: string;
  /** The Response's own Issuer alone (null: the Response names none). */
  responseIssuer?: string | null;
  /** The Response's Destination (null: none). */
  destination?: string | null;
  /** The Response's top-level StatusCode, and a StatusMessage. */
  status?: string;
  statusMessage?: string;
  /** Signed with RSA-SHA1 (and SHA-1 digests) instead of RSA-SHA256. */
  sha1?: boolean;
};

const xmlText = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

export function samlIdentityProvider(entityId = "https://idp.corp.example/metadata") {
  const { certificate, privateKey } = selfSignedCertificate("idp.corp.example");
  const provider = (signatureAlgorithm: string) =>
    samlify.IdentityProvider({
      entityID: entityId,
      signingCert: certificate,
      privateKey,
      isAssertionEncrypted: false,
      requestSignatureAlgorithm: signatureAlgorithm,
      nameIDFormat: ["urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"],
      singleSignOnService: [
        { Binding: samlify.Constants.namespace.binding.redirect, Location: "https://idp.corp.example/sso" },
      ],
    });
  const { RSA_SHA256, RSA_SHA1 } = samlify.Constants.algorithms.signature;
  const idp = provider(RSA_SHA256);
  // The same provider as one still signing with SHA-1 (samlify then digests with SHA-1 too).
  const sha1Idp = provider(RSA_SHA1);

  /** The AuthnRequest's id, read by samlify from the app's redirect to the provider. */
  async function requestId(spMetadata: string, authorizeUrl: string): Promise<string> {
    const sp = samlify.ServiceProvider({ metadata: spMetadata });
    const query = Object.fromEntries(new URL(authorizeUrl).searchParams);
    const parsed = await idp.parseLoginRequest(sp, "redirect", { query });
    return String(parsed.extract.request?.id);
  }

  /** A signed SAMLResponse (base64, for the POST binding) answering `inResponseTo`. */
  async function respond(
    spMetadata: string,
    inResponseTo: string | null,
    user: SamlUser,
    overrides: ResponseOverrides = {},
  ) {
    const sp = samlify.ServiceProvider({ metadata: spMetadata });
    const acs = String(sp.entityMeta.getAssertionConsumerService("post"));
    const issued = (overrides.issueInstant ?? new Date()).toISOString();
    const notOnOrAfter = (overrides.notOnOrAfter ?? new Date(Date.now() + 5 * 60_000)).toISOString();
    const notBefore = new Date(Date.parse(issued) - 60_000).toISOString();
    const answers = overrides.inResponseTo === undefined ? inResponseTo : overrides.inResponseTo;
    const inResponse = answers ? ` InResponseTo="${xmlText(answers)}"` : "";
    const assertionAnswers =
      overrides.assertionInResponseTo === undefined ? answers : overrides.assertionInResponseTo;
    const assertionInResponse = assertionAnswers ? ` InResponseTo="${xmlText(assertionAnswers)}"` : "";
    const issuer = overrides.issuer ?? entityId;
    const responseIssuer = overrides.responseIssuer === undefined ? issuer : overrides.responseIssuer;
    const destination = overrides.destination === undefined ? acs : overrides.destination;
    const status = overrides.status ?? "urn:oasis:names:tc:SAML:2.0:status:Success";
    const statusMessage =
      overrides.statusMessage === undefined
        ? ""
        : `<samlp:StatusMessage>${xmlText(overrides.statusMessage)}</samlp:StatusMessage>`;
    const attribute = (name: string, values: string[] | undefined) =>
      values?.length
        ? `<saml:Attribute Name="${name}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic">${values
            .map((v) => `<saml:AttributeValue xsi:type="xs:string">${xmlText(v)}</saml:AttributeValue>`)
            .join("")}</saml:Attribute>`
        : "";
    const attributes = [
      attribute("email", user.email ? [user.email] : undefined),
      attribute("name", user.name ? [user.name] : undefined),
      attribute("department", user.department ? [user.department] : undefined),
      attribute("locality", user.locality ? [user.locality] : undefined),
      attribute("groups", user.groups),
    ].join("");
    const id = `_${randomUUID()}`;
    const xml = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id}" Version="2.0" IssueInstant="${issued}"${destination === null ? "" : ` Destination="${xmlText(destination)}"`}${inResponse}>${responseIssuer === null ? "" : `<saml:Issuer>${xmlText(responseIssuer)}</saml:Issuer>`}<samlp:Status><samlp:StatusCode Value="${xmlText(status)}"/>${statusMessage}</samlp:Status><saml:Assertion xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xs="http://www.w3.org/2001/XMLSchema" ID="_${randomUUID()}" Version="2.0" IssueInstant="${issued}"><saml:Issuer>${xmlText(issuer)}</saml:Issuer><saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${xmlText(user.nameId)}</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${notOnOrAfter}" Recipient="${xmlText(overrides.recipient ?? acs)}"${assertionInResponse}/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="${notBefore}" NotOnOrAfter="${notOnOrAfter}"><saml:AudienceRestriction><saml:Audience>${xmlText(overrides.audience ?? sp.entityMeta.getEntityID())}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="${issued}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>${attributes ? `<saml:AttributeStatement>${attributes}</saml:AttributeStatement>` : ""}</saml:Assertion></samlp:Response>`;
    const { context } = await (overrides.sha1 ? sha1Idp : idp).createLoginResponse(
      sp,
      { extract: { request: { id: answers ?? "" } } },
      "post",
      {},
      () => ({
        id,
        context: xml,
      }),
    );
    return context;
  }

  /** Loads the schema validator (its WebAssembly) now: it takes seconds the first time. */
  async function warmUp(): Promise<void> {
    await validator
      .validate(
        `<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_x" Version="2.0" IssueInstant="${new Date().toISOString()}"><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status></samlp:LogoutResponse>`,
      )
      .catch(() => undefined);
  }

  return { entityId, certificate, requestId, respond, warmUp };
}
export type SamlIdentityProvider = ReturnType<typeof samlIdentityProvider>;
