import { DOMParser } from "@xmldom/xmldom";

/**
 * What a SAML Response must say around its assertion, checked on the document before node-saml
 * verifies any signature: it is a protocol Response, addressed (Destination) to our assertion
 * consumer if addressed at all, from our identity provider (Issuer) if it names one, saying Success,
 * and every signature in it is made with SHA-256 or SHA-512. The assertion's own issuer, recipient and
 * request are checked after verification, on what was signed (saml.server.ts).
 *
 * Parsed by @xmldom/xmldom, the parser node-saml and xml-crypto use, so both read the same document;
 * strictly: what it would only warn about is refused here, as xml-crypto parses the document again
 * with xmldom's default handler, which writes such warnings — with the offending text — to the log.
 */

const PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol";
const ASSERTION = "urn:oasis:names:tc:SAML:2.0:assertion";
const SUCCESS = "urn:oasis:names:tc:SAML:2.0:status:Success";

/** SHA-1 is broken for signatures (chosen-prefix collisions): only the SHA-2 ones xml-crypto knows. */
const SIGNATURE_ALGORITHMS = new Set([
  "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
  "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512",
  "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1",
]);
const DIGEST_ALGORITHMS = new Set([
  "http://www.w3.org/2001/04/xmlenc#sha256",
  "http://www.w3.org/2001/04/xmlenc#sha512",
]);

export type EnvelopeProblem =
  | { kind: "malformed"; detail: string }
  | { kind: "not-a-response" }
  | { kind: "destination"; destination: string }
  | { kind: "issuer"; issuer: string }
  | { kind: "status"; status: string; message: string }
  | { kind: "algorithm"; algorithm: string };

function parse(xml: string): Document | string {
  let problem: string | null = null;
  const note = (message: string) => {
    problem ??= message;
  };
  try {
    const doc = new DOMParser({
      locator: {},
      errorHandler: { warning: note, error: note, fatalError: note },
    }).parseFromString(xml, "text/xml");
    return problem ?? doc;
  } catch (error) {
    return problem ?? (error instanceof Error ? error.message : "not XML");
  }
}

const isElement = (node: Node): node is Element => node.nodeType === 1;

function children(parent: Element, namespace: string, localName: string): Element[] {
  const found: Element[] = [];
  for (let node = parent.firstChild; node; node = node.nextSibling)
    if (isElement(node) && node.namespaceURI === namespace && node.localName === localName) found.push(node);
  return found;
}

/** The first problem with the Response around the assertion; null when there is none. */
export function responseEnvelopeProblem(
  xml: string,
  expected: { destination: string; issuer: string },
): EnvelopeProblem | null {
  const doc = parse(xml);
  if (typeof doc === "string") return { kind: "malformed", detail: doc };
  const response = doc.documentElement;
  if (!response || response.namespaceURI !== PROTOCOL || response.localName !== "Response")
    return { kind: "not-a-response" };

  // Optional in the protocol; when present they must be ours (SAML 2.0 profiles, 4.1.4.3).
  const destination = response.getAttribute("Destination");
  if (destination && destination !== expected.destination) return { kind: "destination", destination };
  for (const issuer of children(response, ASSERTION, "Issuer")) {
    const name = issuer.textContent?.trim() ?? "";
    if (name !== expected.issuer) return { kind: "issuer", issuer: name };
  }

  // A signed assertion inside a refusal still is one: only Success signs anyone in.
  const status = children(response, PROTOCOL, "Status")[0];
  const code = status && children(status, PROTOCOL, "StatusCode")[0];
  const value = code?.getAttribute("Value") ?? "";
  if (value !== SUCCESS) {
    const detail = code && children(code, PROTOCOL, "StatusCode")[0]?.getAttribute("Value");
    const message = status && children(status, PROTOCOL, "StatusMessage")[0]?.textContent;
    return {
      kind: "status",
      status: [value || "none", detail].filter(Boolean).join(" / "),
      message: message ?? "",
    };
  }

  // By local name, in any namespace: xml-crypto finds them that way too.
  for (const [name, allowed] of [
    ["SignatureMethod", SIGNATURE_ALGORITHMS],
    ["DigestMethod", DIGEST_ALGORITHMS],
  ] as const) {
    const elements = doc.getElementsByTagNameNS("*", name);
    for (let i = 0; i < elements.length; i++) {
      const algorithm = elements.item(i)?.getAttribute("Algorithm") ?? "";
      if (!allowed.has(algorithm)) return { kind: "algorithm", algorithm };
    }
  }
  return null;
}
