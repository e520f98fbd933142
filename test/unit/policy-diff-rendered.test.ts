import { describe, expect, it } from "vitest";
import { renderMarkdownDiff } from "../../app/platform/content/markdown-diff.server";

const V1 = `## Collection

- Collection is always on while a member of staff is signed in.
- Collected data is kept for two years.

Only the research team reads the data.`;
const V2 = `## Collection

- Collection is on while a member of staff is signed in, except while paused.
- Staff may **pause collection for up to 30 minutes**.
- Collected data is kept for one year.

Only the research team reads the data. Each access is logged.`;

/** The text a reader sees, the screen-reader words left out. */
const seen = (html: string) =>
  html
    .replace(/<span class="sr-only">[^<]*<\/span>/g, "")
    .replace(/<[^>]+>/g, "")
    .trim();

describe("a policy change shown to staff", () => {
  it("is the rendered text with insertions and deletions marked, not raw markdown", () => {
    const html = renderMarkdownDiff(V1, V2);
    expect(html).toContain("<h2>Collection</h2>");
    expect(html).not.toMatch(/##|\*\*/);
    // A new list item stays a list item; its bold part is bold and marked as added.
    expect(html).toMatch(
      /<li><ins>.*Staff may .*<\/ins><strong><ins>.*pause collection for up to 30 minutes/,
    );
    expect(html).toMatch(
      /<del><span class="sr-only">\[removed: <\/span>two years<span class="sr-only">]<\/span><\/del>/,
    );
    expect(html).toMatch(
      /<ins><span class="sr-only">\[added: <\/span>one year<span class="sr-only">]<\/span><\/ins>/,
    );
    expect(seen(html)).toContain("Each access is logged.");
  });

  it("shows no marks when nothing changed, and everything as added for a first version", () => {
    expect(renderMarkdownDiff(V1, V1)).not.toMatch(/<ins|<del/);
    const first = renderMarkdownDiff("", "# Title\n\n- one\n- two");
    expect(first).toMatch(/<h1><ins>/);
    expect(first.match(/<li><ins>/g)).toHaveLength(2);
  });

  it("stays sanitized: raw HTML is text, script links are dropped, the marking characters never leak", () => {
    const html = renderMarkdownDiff(
      "Read [the guide](https://example.com/a).",
      'Read [the guide](javascript:alert(1)) <script>alert(1)</script> <img src=x onerror="alert(1)"> \uE001</ins><b>x</b>',
    );
    expect(html).not.toMatch(/<script|<img|<b>|href="javascript/i);
    expect(html).toContain("&#x3C;script>");
    expect(html).not.toMatch(/[\uE000-\uE003]/);
    // What the sanitizer lets through is only what the diff added: ins, del and their spoken words.
    const tags = new Set([...html.matchAll(/<([a-z0-9]+)/g)].map((m) => m[1]));
    expect([...tags].sort()).toEqual(["a", "del", "ins", "p", "span"]);
  });

  it("keeps fences and rules intact when they are added", () => {
    const html = renderMarkdownDiff("Intro.", "Intro.\n\n---\n\n```\ncode here\n```");
    expect(html).toContain("<hr>");
    expect(html).toMatch(/<pre><code><ins>.*code here/s);
  });
});
