import { describe, expect, it } from "vitest";
import { scanXml, type XmlBounds } from "../../app/platform/security/xml-bounds.server";

const bounds: XmlBounds = { maxNodes: 10, maxAttributes: 6, maxAttributesPerElement: 3, maxDepth: 3 };
const problem = (xml: string) => scanXml(xml, bounds).problem;

/**
 * The look taken at a SAML answer before any XML library parses it: linear, it counts what the
 * libraries' cost grows with and refuses what no identity provider sends.
 */
describe("the bounded XML scan", () => {
  it("passes a document within the bounds, reading the root element's attributes as written", () => {
    const scan = scanXml(
      `\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<r:Response xmlns:r="urn:x" InResponseTo='_abc' Note="a > b / c"><a><b x="1"/><!-- a comment > --><![CDATA[<not-a-tag>]]></a>text &amp; more</r:Response>`,
      bounds,
    );
    expect(scan.problem).toBeNull();
    expect(Object.fromEntries(scan.rootAttributes ?? [])).toEqual({
      "xmlns:r": "urn:x",
      InResponseTo: "_abc",
      Note: "a > b / c",
    });
  });

  it("stops at the first bound passed: nodes, attributes, attributes of one element, depth", () => {
    expect(problem(`<r>${"<a/>".repeat(9)}</r>`)).toBeNull();
    expect(problem(`<r>${"<a/>".repeat(10)}</r>`)).toBe("more than 10 nodes");
    expect(problem(`<r>${"<!--c-->".repeat(10)}</r>`)).toBe("more than 10 nodes");
    expect(problem(`<r>${'<a x="1" y="2"/>'.repeat(4)}</r>`)).toBe("more than 6 attributes");
    expect(problem('<r a="1" b="2" c="3" d="4"/>')).toBe("an element has more than 3 attributes");
    expect(problem("<r><a><b/></a></r>")).toBeNull();
    expect(problem("<r><a><b><c/></b></a></r>")).toBe("elements nested more than 3 deep");
    expect(problem("<r><a><b></b></a><a><b></b></a></r>")).toBeNull();
  });

  it("refuses a DOCTYPE (entities), a processing instruction, and markup it cannot read", () => {
    expect(problem('<!DOCTYPE r [<!ENTITY e "e">]><r>&e;</r>')).toMatch(/DOCTYPE/);
    expect(problem('<r><!ENTITY e "e"></r>')).toMatch(/DOCTYPE/);
    expect(problem("<r><?pi data?></r>")).toMatch(/processing instruction/);
    expect(problem("<r a=1/>")).toMatch(/not quoted/);
    expect(problem('<r a="1/>')).toMatch(/not closed/);
    expect(problem("<r a/>")).toMatch(/name="value"/);
    expect(problem("<r><!-- open")).toMatch(/not closed/);
    expect(problem("< r/>")).toMatch(/no name/);
  });

  it("reads no root from text that is not XML", () => {
    expect(scanXml("not xml at all", bounds)).toEqual({ rootAttributes: null, problem: null });
    expect(scanXml('<!DOCTYPE r><r a="1"/>', bounds).rootAttributes).toBeNull();
  });
});
