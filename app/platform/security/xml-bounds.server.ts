/**
 * A bounded look at an XML document before any XML library parses it. The XPath lookups inside the
 * SAML libraries grow faster than linearly with the number of nodes (ADR 35): a few hundred KB of
 * `<a/>` kept a core busy for minutes. One pass with `indexOf`, linear in the text, counts elements,
 * attributes and depth and stops at the first bound passed; it refuses what no identity provider sends
 * (a DOCTYPE — entities, external references — or a processing instruction after the XML
 * declaration). It does not check that the document is well-formed: the parser that follows does.
 */

export type XmlBounds = {
  maxNodes: number;
  maxAttributes: number;
  maxAttributesPerElement: number;
  maxDepth: number;
};

export type XmlScan = {
  /** The first element's attributes as written (entities not decoded); null when there is none. */
  rootAttributes: ReadonlyMap<string, string> | null;
  /** Why the document is refused, in words for the log; null when it is within the bounds. */
  problem: string | null;
};

const isSpace = (c: string | undefined) => c === " " || c === "\t" || c === "\n" || c === "\r";

export function scanXml(xml: string, bounds: XmlBounds): XmlScan {
  let rootAttributes: Map<string, string> | null = null;
  let nodes = 0;
  let attributes = 0;
  let depth = 0;
  const done = (problem: string | null): XmlScan => ({ rootAttributes, problem });

  // An optional byte-order mark, then an optional XML declaration.
  let at = xml.charCodeAt(0) === 0xfeff ? 1 : 0;
  if (xml.startsWith("<?xml", at) && isSpace(xml[at + 5])) {
    const end = xml.indexOf("?>", at);
    if (end < 0) return done("the XML declaration is not closed");
    at = end + 2;
  }

  for (;;) {
    const open = xml.indexOf("<", at);
    if (open < 0) return done(null);
    if (xml.startsWith("<!--", open) || xml.startsWith("<![CDATA[", open)) {
      const comment = xml[open + 2] === "-";
      const end = xml.indexOf(comment ? "-->" : "]]>", open + (comment ? 4 : 9));
      if (end < 0) return done("a comment or CDATA section is not closed");
      if (++nodes > bounds.maxNodes) return done(`more than ${bounds.maxNodes} nodes`);
      at = end + 3;
      continue;
    }
    if (xml[open + 1] === "!") return done("it has a document type declaration (DOCTYPE) or an entity");
    if (xml[open + 1] === "?") return done("it has a processing instruction");
    if (xml[open + 1] === "/") {
      const end = xml.indexOf(">", open);
      if (end < 0) return done("an end tag is not closed");
      depth--;
      at = end + 1;
      continue;
    }

    // A start tag: its name, then name="value" pairs (a value may hold ">"), then ">" or "/>".
    if (++nodes > bounds.maxNodes) return done(`more than ${bounds.maxNodes} nodes`);
    let i = open + 1;
    while (i < xml.length && !isSpace(xml[i]) && xml[i] !== ">" && xml[i] !== "/") i++;
    if (i === open + 1) return done("a tag has no name");
    const attributesHere = new Map<string, string>();
    let selfClosing = false;
    for (;;) {
      while (isSpace(xml[i])) i++;
      if (xml[i] === ">") break;
      if (xml[i] === "/" && xml[i + 1] === ">") {
        selfClosing = true;
        i++;
        break;
      }
      const nameStart = i;
      while (i < xml.length && !isSpace(xml[i]) && !"=>/\"'<".includes(xml[i] ?? "")) i++;
      const name = xml.slice(nameStart, i);
      while (isSpace(xml[i])) i++;
      if (!name || xml[i] !== "=") return done('an attribute is not written name="value"');
      i++;
      while (isSpace(xml[i])) i++;
      const quote = xml[i];
      if (quote !== '"' && quote !== "'") return done("an attribute value is not quoted");
      const end = xml.indexOf(quote, i + 1);
      if (end < 0) return done("an attribute value is not closed");
      if (attributesHere.size >= bounds.maxAttributesPerElement)
        return done(`an element has more than ${bounds.maxAttributesPerElement} attributes`);
      if (++attributes > bounds.maxAttributes) return done(`more than ${bounds.maxAttributes} attributes`);
      attributesHere.set(name, xml.slice(i + 1, end));
      i = end + 1;
    }
    rootAttributes ??= attributesHere;
    if (depth + 1 > bounds.maxDepth) return done(`elements nested more than ${bounds.maxDepth} deep`);
    if (!selfClosing) depth++;
    at = i + 1;
  }
}
