import { beforeEach, describe, expect, it } from "vitest";
import { loadComment } from "../../../app/domain/discussion/thread.server";
import { resetRateLimits } from "../../../app/platform/security/rate-limits.server";
import { post } from "../../support/comments";
import { makeCompany, openPetition } from "../../support/petition-fixtures";
import { unsafeParts, XSS_PAYLOADS } from "../../support/xss-payloads";

const company = makeCompany(30);
const staff = company.member;

beforeEach(() => resetRateLimits());

describe("cross-site scripting", () => {
  it(`renders ${XSS_PAYLOADS.length} known XSS payloads as inert text`, async () => {
    expect(XSS_PAYLOADS.length).toBeGreaterThanOrEqual(50);
    const petition = openPetition(company);
    for (const [i, payload] of XSS_PAYLOADS.entries()) {
      if (i % 5 === 0) resetRateLimits();
      const id = await post(petition.id, staff(5 + (i % 20)), payload);
      const html = loadComment(id, null)?.comment.bodyHtml ?? "";
      expect(unsafeParts(html), `${payload} → ${html}`).toEqual([]);
    }
    // Every link that survives carries rel="nofollow noopener ugc", relative and mailto: ones too.
    resetRateLimits();
    const link = await post(
      petition.id,
      staff(5),
      "[docs](https://example.com/policy) [home](/) [mail](mailto:a@b.example)",
    );
    const html = loadComment(link, null)?.comment.bodyHtml ?? "";
    expect(html.match(/<a /g)).toHaveLength(3);
    expect(html.match(/rel="nofollow noopener ugc"/g)).toHaveLength(3);
  });
});
