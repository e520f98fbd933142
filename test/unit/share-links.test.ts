import { describe, expect, it } from "vitest";
import { mailtoHref, previewTags, teamsShareHref } from "../../app/domain/sharing/share-links";

describe("share links", () => {
  it("write an email with no recipient, its subject and body percent-encoded and lines ending CRLF (RFC 6068)", () => {
    const href = mailtoHref("Petition: Quiet hours & more", "Read this:\nhttps://x.test/petitions/a?b=c");
    expect(href).toBe(
      "mailto:?subject=Petition%3A%20Quiet%20hours%20%26%20more&body=Read%20this%3A%0D%0Ahttps%3A%2F%2Fx.test%2Fpetitions%2Fa%3Fb%3Dc",
    );
    const url = new URL(href);
    expect(url.searchParams.get("body")).toBe("Read this:\r\nhttps://x.test/petitions/a?b=c");
  });

  it("open Microsoft's Share to Teams page with the address and a message, and nothing else", () => {
    const url = new URL(teamsShareHref("https://x.test/petitions/静か", "Please read: 静か"));
    expect(url.origin + url.pathname).toBe("https://teams.microsoft.com/share");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      href: "https://x.test/petitions/静か",
      msgText: "Please read: 静か",
      preview: "true",
    });
  });

  it("give a chat preview its Open Graph tags and a summary card", () => {
    const tags = previewTags({
      url: "https://x.test/petitions/a",
      preview: { title: "T", description: "D", siteName: "Undersigned" },
      offered: true,
    });
    expect(tags).toContainEqual({ property: "og:title", content: "T" });
    expect(tags).toContainEqual({ property: "og:url", content: "https://x.test/petitions/a" });
    expect(tags).toContainEqual({ name: "twitter:card", content: "summary" });
  });
});
