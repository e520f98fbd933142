/**
 * Server CPU that one crafted POST to the SAML assertion consumer costs (issue 22, finding 1). Before
 * the fix the answer went straight to node-saml: simulated by calling it directly, its request cache
 * saying yes (one live request id, which anyone gets from /sign-in/provider, was enough). After it,
 * through `completeSamlSignIn`. Crafted answers name a live request and carry a Signature, so
 * node-saml's XPath lookups and xml-crypto's second parse run; an honest sign-in is the baseline.
 * CPU is the process's own (`process.cpuUsage`, user + system), so other load moves it little.
 *
 *   npm run bench:saml     (BENCH_ROUNDS=3; BENCH_LARGE=1 adds a 132 KB answer: 10+ s each before)
 */
import { SAML, ValidateInResponseTo } from "@node-saml/node-saml";
import { samlIdentityProvider } from "../test/support/saml-idp";

const idp = samlIdentityProvider();
process.env.SAML_ENTRY_POINT = "https://idp.corp.example/sso";
process.env.SAML_IDP_CERT = idp.certificate;
process.env.SAML_IDP_ISSUER = idp.entityId;
process.env.APP_URL = "http://undersigned.test:3000";

const { cleanUp } = await import("./setup");
const { machine, ms, spread, table, today, writeLatest } = await import("./report");
const { completeSamlSignIn, samlAcsUrl, serviceProviderMetadata, startSamlSignIn, SAML_XML_BOUNDS } =
  await import("../app/domain/identity/saml.server");
const { getConfig } = await import("../app/config.server");

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const about = machine();
console.log(about);
await idp.warmUp();

async function liveRequest(): Promise<string> {
  return idp.requestId(serviceProviderMetadata(), await startSamlSignIn("/"));
}

/** A Response to `inResponseTo` whose assertion holds `filler` beside a (false) SHA-256 signature. */
function crafted(inResponseTo: string, filler: string): string {
  const signature = `<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/><ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/><ds:Reference URI="#_a"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/></ds:Transforms><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference></ds:SignedInfo><ds:SignatureValue>AAAA</ds:SignatureValue></ds:Signature>`;
  const xml = `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r" Version="2.0" IssueInstant="${new Date().toISOString()}" Destination="${samlAcsUrl()}" InResponseTo="${inResponseTo}"><saml:Issuer>${idp.entityId}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status><saml:Assertion ID="_a" Version="2.0" IssueInstant="${new Date().toISOString()}"><saml:Issuer>${idp.entityId}</saml:Issuer>${signature}${filler}</saml:Assertion></samlp:Response>`;
  return Buffer.from(xml).toString("base64");
}

/** `<a/>` elements enough for an answer of about `kb` KB of base64. */
const flatOfSize = (kb: number) => "<a/>".repeat(Math.round(((kb - 1.6) * 1024 * 3) / 4 / 4));
// As many nodes and attributes as the bounds let through (the Response itself has about 20 nodes).
const spare = SAML_XML_BOUNDS.maxNodes - 25;
const attributesEach = Math.floor((SAML_XML_BOUNDS.maxAttributes - 40) / spare);
const attributes = Array.from({ length: attributesEach }, (_, i) => ` a${i}="1"`).join("");
const depth = SAML_XML_BOUNDS.maxDepth - 3;
const nestedChain = `${"<a>".repeat(depth)}${"</a>".repeat(depth)}`;
const shapes = {
  "46 KB of `<a/>`": flatOfSize(46),
  "68 KB of `<a/>`": flatOfSize(68),
  ...(process.env.BENCH_LARGE === "1" ? { "132 KB of `<a/>`": flatOfSize(132) } : {}),
  [`${spare} elements, ${attributesEach} attributes each (within the bounds)`]: `<a${attributes}/>`.repeat(
    spare,
  ),
  [`${Math.floor(spare / depth) * depth} elements in chains ${depth} deep (within the bounds)`]:
    nestedChain.repeat(Math.floor(spare / depth)),
};

/** node-saml as the assertion consumer used it before: any request id it is asked about is live. */
const config = getConfig().saml;
if (!config) throw new Error("SAML is not configured");
const before = new SAML({
  callbackUrl: samlAcsUrl(),
  entryPoint: config.entryPoint,
  issuer: config.spEntityId,
  audience: config.spEntityId,
  idpCert: config.idpCert,
  wantAssertionsSigned: true,
  wantAuthnResponseSigned: false,
  validateInResponseTo: ValidateInResponseTo.always,
  cacheProvider: {
    saveAsync: async (_key, value) => ({ value, createdAt: Date.now() }),
    getAsync: async () => new Date().toISOString(),
    removeAsync: async (key) => key,
  },
  identifierFormat: null,
});

/** CPU milliseconds of one call, whether it resolves or is refused; and whether it was refused. */
async function cpu(call: () => Promise<unknown>): Promise<{ ms: number; outcome: string }> {
  const start = process.cpuUsage();
  let outcome = "accepted";
  try {
    await call();
  } catch (error) {
    outcome = error instanceof Error ? `${error.constructor.name}: ${error.message}` : "refused";
  }
  const used = process.cpuUsage(start);
  return { ms: (used.user + used.system) / 1000, outcome };
}

const rows: string[][] = [];
// Silence the assertion consumer's one-line log of each refusal while measuring.
const log = console.error;
console.error = () => {};
try {
  const honest: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const samlResponse = await idp.respond(serviceProviderMetadata(), await liveRequest(), {
      nameId: `bench-${r}@corp.example`,
      email: `bench-${r}@corp.example`,
    });
    honest.push((await cpu(() => completeSamlSignIn(samlResponse))).ms);
  }
  rows.push(["an honest answer (samlify), signed in", "", "", spread(honest, ms)]);

  for (const [label, filler] of Object.entries(shapes)) {
    const size = `${(crafted("_x", filler).length / 1024).toFixed(1)} KB`;
    const was: number[] = [];
    const now: number[] = [];
    let refusedBy = "";
    for (let r = 0; r < ROUNDS; r++) {
      const answerBefore = crafted(await liveRequest(), filler);
      was.push((await cpu(() => before.validatePostResponseAsync({ SAMLResponse: answerBefore }))).ms);
      const answerAfter = crafted(await liveRequest(), filler);
      const after = await cpu(() => completeSamlSignIn(answerAfter));
      now.push(after.ms);
      refusedBy = after.outcome;
    }
    rows.push([label, size, spread(was, ms), `${spread(now, ms)}`]);
    console.log(`${label}: ${refusedBy}`);
  }
} finally {
  console.error = log;
}

const summary = table(["answer", "base64", "before: node-saml alone", "after: completeSamlSignIn"], rows);
console.log(summary);
writeLatest(
  "saml-acs",
  `Latest run (${today()}): ${about}. CPU per answer, median (min–max) of ${ROUNDS} rounds.\n\n${summary}`,
);
cleanUp();
