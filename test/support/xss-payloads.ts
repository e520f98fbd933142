/**
 * Known XSS vectors (OWASP filter-evasion cheat sheet, PortSwigger's list, markdown-specific ones).
 * Each one, posted as a comment, must come out as inert text: no element that runs script, no event
 * handler attribute, no javascript:/data:/vbscript: URL.
 */
export const XSS_PAYLOADS = [
  "<script>window.__xss=1</script>",
  "<SCRIPT SRC=http://xss.example/xss.js></SCRIPT>",
  "<img src=x onerror=window.__xss=1>",
  '<IMG SRC="javascript:window.__xss=1">',
  "<IMG SRC=javascript:window.__xss=1>",
  "<IMG SRC=JaVaScRiPt:window.__xss=1>",
  "<IMG SRC=`javascript:window.__xss=1`>",
  '<IMG """><SCRIPT>window.__xss=1</SCRIPT>">',
  "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;window.__xss=1>",
  '<IMG SRC="jav\tascript:window.__xss=1;">',
  '<IMG SRC=" &#14;  javascript:window.__xss=1;">',
  "<svg/onload=window.__xss=1>",
  "<svg><script>window.__xss=1</script></svg>",
  "<body onload=window.__xss=1>",
  '<iframe src="javascript:window.__xss=1"></iframe>',
  '<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>',
  '<object data="javascript:window.__xss=1"></object>',
  '<embed src="javascript:window.__xss=1">',
  '<a href="javascript:window.__xss=1">click</a>',
  '<a href="JAVASCRIPT:window.__xss=1">click</a>',
  '<a href="  javascript:window.__xss=1">click</a>',
  '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>',
  '<a href="vbscript:msgbox(1)">click</a>',
  '<div style="background:url(javascript:window.__xss=1)">x</div>',
  '<div style="width: expression(window.__xss=1);">x</div>',
  "<style>@import 'http://xss.example/xss.css';</style>",
  '<link rel=stylesheet href="http://xss.example/xss.css">',
  '<meta http-equiv="refresh" content="0;url=javascript:window.__xss=1">',
  "<input onfocus=window.__xss=1 autofocus>",
  "<select onfocus=window.__xss=1 autofocus>",
  "<textarea onfocus=window.__xss=1 autofocus>",
  "<keygen onfocus=window.__xss=1 autofocus>",
  '<video><source onerror="window.__xss=1">',
  "<audio src=x onerror=window.__xss=1>",
  "<details open ontoggle=window.__xss=1>",
  "<marquee onstart=window.__xss=1>",
  '<form action="javascript:window.__xss=1"><button>x</button></form>',
  '<button formaction="javascript:window.__xss=1">x</button>',
  "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=1>",
  '<noscript><p title="</noscript><img src=x onerror=window.__xss=1>">',
  '<base href="javascript:window.__xss=1//">',
  "<isindex type=image src=1 onerror=window.__xss=1>",
  '<table background="javascript:window.__xss=1">',
  '<xss onmouseover="window.__xss=1">hover</xss>',
  '"><script>window.__xss=1</script>',
  "'><img src=x onerror=window.__xss=1>",
  "</textarea><script>window.__xss=1</script>",
  "<scr<script>ipt>window.__xss=1</scr</script>ipt>",
  "[click](javascript:window.__xss=1)",
  "[click](JaVaScRiPt:window.__xss=1)",
  "[click](javascript&#58;window.__xss=1)",
  "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
  "![img](javascript:window.__xss=1)",
  '![img](x "onerror=window.__xss=1")',
  '[a](https://example.com "onmouseover=window.__xss=1")',
  '<https://example.com/" onmouseover="window.__xss=1>',
  "[ref]\n\n[ref]: javascript:window.__xss=1",
  "```html\n<script>window.__xss=1</script>\n```",
  "`<img src=x onerror=window.__xss=1>`",
  "<!--<img src=x onerror=window.__xss=1>-->",
  "<![CDATA[<script>window.__xss=1</script>]]>",
  '<a href="#" id="user-content-x" name="__proto__">clobber</a>',
  "<img src=x id=__xss name=__xss>",
] as const;

const ALLOWED_TAGS = new Set(
  "p a em strong code pre blockquote ul ol li h1 h2 h3 h4 h5 h6 hr br del table thead tbody tr th td input sup sub".split(
    " ",
  ),
);

/**
 * Problems in sanitized HTML (no <img> either: a remote image would be a third-party request). Text never holds a raw "<" (the serializer writes &#x3C;), so every "<"
 * starts a real element, and every attribute found belongs to one.
 */
export function unsafeParts(html: string): string[] {
  const problems: string[] = [];
  for (const [, closing, name = "", attributes = ""] of html.matchAll(/<(\/?)([a-zA-Z0-9-]+)([^>]*)>/g)) {
    if (closing) continue;
    if (!ALLOWED_TAGS.has(name.toLowerCase())) problems.push(`element <${name}>`);
    if (name.toLowerCase() === "input" && !/type="checkbox"/.test(attributes)) problems.push("input");
    for (const [, attribute = "", value = ""] of attributes.matchAll(/([^\s=]+)(?:="([^"]*)")?/g)) {
      if (/^on/i.test(attribute) || /^style$/i.test(attribute)) problems.push(`attribute ${attribute}`);
      // A URL with a scheme must be http(s) or mailto; relative ones stay on this site.
      const scheme = /^\s*([a-z][a-z0-9+.-]*):/i.exec(value.replace(/&#x?[0-9a-f]+;?/gi, ""))?.[1];
      if (/^(href|src)$/i.test(attribute) && scheme && !/^(https?|mailto)$/i.test(scheme)) {
        problems.push(`${attribute}="${value}"`);
      }
    }
  }
  return problems;
}
