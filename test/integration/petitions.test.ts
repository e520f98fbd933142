import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { grantRole } from "../../app/domain/identity/permissions.server";
import { editPetition } from "../../app/domain/petitions/drafting.server";
import { invalidateSignatures, previewInvalidation } from "../../app/domain/petitions/invalidation.server";
import { closeExpiredPetitions, transitionPetition } from "../../app/domain/petitions/lifecycle.server";
import { answerInvitation, inviteOrganizer } from "../../app/domain/petitions/organizers.server";
import {
  findPetition,
  findSimilarPetitions,
  findViewablePetition,
  listPetitions,
} from "../../app/domain/petitions/reads.server";
import { PetitionError } from "../../app/domain/petitions/rights.server";
import { renderMarkdown } from "../../app/platform/content/markdown.server";
import { sayText } from "../../app/platform/said";
import { actorOf, CLI_ACTOR } from "../../app/platform/security/audit.server";
import { DAY_MS } from "../../app/platform/time";
import * as petitionRoute from "../../app/routes/petitions.$slug._index";
import * as invalidateRoute from "../../app/routes/petitions.$slug.invalidate";
import { getDb } from "../../db/client";
import { auditLog, outbox } from "../../db/schema";
import { callRoute } from "../support/fixtures";
import { draftPetition, makeCompany, openPetition } from "../support/petition-fixtures";

const company = makeCompany(12);
const [creator, s1, s2, s3, s4] = company.staff;
if (!creator || !s1 || !s2 || !s3 || !s4) throw new Error("company too small");

const expectRefused = (fn: () => unknown, status: number, message?: RegExp) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(PetitionError);
    expect((error as PetitionError).status).toBe(status);
    if (message) expect((error as PetitionError).message).toMatch(message);
    return;
  }
  throw new Error("expected a refusal");
};

describe("the petition lifecycle", () => {
  it("goes draft → collecting → awaiting moderation → open → closed → archived, each step audited", () => {
    const petition = draftPetition(creator);
    expect(petition.state).toBe("draft");
    expect(petition.slug).toMatch(/^let-staff-opt-out-of-logging-number-\d+$/);
    expectRefused(() => transitionPetition(petition.id, { action: "submit" }, s1), 403, /Only the creator/);
    expect(transitionPetition(petition.id, { action: "submit" }, creator).state).toBe("collecting");
    expectRefused(() => transitionPetition(petition.id, { action: "co-sponsor" }, creator), 403, /your own/);
    transitionPetition(petition.id, { action: "co-sponsor" }, s1);
    expectRefused(() => transitionPetition(petition.id, { action: "co-sponsor" }, s1), 409, /already/);
    transitionPetition(petition.id, { action: "co-sponsor" }, s2);
    expect(transitionPetition(petition.id, { action: "co-sponsor" }, s3).state).toBe("awaiting_moderation");
    expectRefused(() => transitionPetition(petition.id, { action: "approve" }, s4), 403, /moderators/);
    const opened = transitionPetition(petition.id, { action: "approve" }, company.moderator);
    expect(opened.state).toBe("open");
    expect(opened.closesAt?.getTime()).toBe((opened.openedAt?.getTime() ?? 0) + 90 * DAY_MS);
    expectRefused(() => transitionPetition(petition.id, { action: "close" }, creator), 403);
    expect(transitionPetition(petition.id, { action: "close" }, company.moderator).state).toBe("closed");
    expect(transitionPetition(petition.id, { action: "archive" }, company.moderator).state).toBe("archived");
    expectRefused(
      () => transitionPetition(petition.id, { action: "approve" }, company.moderator),
      409,
      /archived/,
    );
    const actions = getDb()
      .select()
      .from(auditLog)
      .where(eq(auditLog.targetId, String(petition.id)))
      .all()
      .map((e) => e.action);
    expect(actions).toEqual([
      "petition.submit",
      "petition.co-sponsor",
      "petition.co-sponsor",
      "petition.co-sponsor",
      "petition.approve",
      "petition.close",
      "petition.archive",
    ]);
  });

  it("emails the organizers (not the co-sponsors) on approval and on rejection, with the reason", () => {
    const approved = openPetition(company);
    const approvalMail = getDb().select().from(outbox).where(eq(outbox.kind, "petition.open")).all();
    // Co-sponsors endorse a petition; they do not organize it, so organizer emails are not theirs.
    expect(
      approvalMail
        .filter((m) => m.subject.includes(approved.title))
        .map((m) => m.toAddress)
        .sort(),
    ).toEqual([creator.email]);

    const petition = draftPetition(creator);
    transitionPetition(petition.id, { action: "submit" }, creator);
    for (const sponsor of [s1, s2, s3]) transitionPetition(petition.id, { action: "co-sponsor" }, sponsor);
    expect(
      getDb().select().from(outbox).where(eq(outbox.kind, "petition.awaiting_moderation")).all().at(-1)
        ?.toAddress,
    ).toBe(company.moderator.email);
    // The organizers hear that the co-sponsors are complete; the co-sponsors still see the petition.
    const complete = getDb().select().from(outbox).where(eq(outbox.kind, "petition.co-sponsored")).all();
    expect(complete.filter((m) => m.subject.includes(petition.title)).map((m) => m.toAddress)).toEqual([
      creator.email,
    ]);
    expect(complete.at(-1)?.textBody).toContain("waits for a moderator");
    for (const sponsor of [s1, s2, s3])
      expect(findViewablePetition(petition.slug, sponsor)?.id).toBe(petition.id);
    expect(findViewablePetition(petition.slug, s4)).toBeUndefined();
    const rejected = transitionPetition(
      petition.id,
      { action: "reject", reason: "duplicate", note: "See the earlier petition." },
      company.moderator,
    );
    expect(rejected).toMatchObject({ state: "rejected", rejectionReason: "duplicate" });
    const mails = getDb().select().from(outbox).where(eq(outbox.kind, "petition.rejected")).all();
    expect(mails.map((m) => m.toAddress)).toEqual([creator.email]);
    expect(mails[0]?.textBody).toContain("Duplicate of another petition. See the earlier petition.");
  });

  it("lets only the creator edit a draft, and only moderators fix typos later (audited)", () => {
    const petition = draftPetition(creator);
    const input = {
      title: "A corrected title for the petition",
      summary: petition.summary,
      body: petition.body,
    };
    expectRefused(() => editPetition(petition.id, input, s1), 403);
    expect(editPetition(petition.id, input, creator).title).toBe("A corrected title for the petition");
    const opened = openPetition(company);
    expectRefused(() => editPetition(opened.id, input, creator), 403, /moderator can fix typos/);
    editPetition(opened.id, { ...input, title: "Fixed typo in the title" }, company.moderator);
    const entry = getDb().select().from(auditLog).where(eq(auditLog.action, "petition.edit")).get();
    expect(entry?.details).toMatchObject({ before: { title: opened.title } });
  });

  it("shows a moderator's fix of the body at once, though bodies are rendered once and kept", async () => {
    const { loader } = await import("../../app/routes/petitions.$slug._index");
    const opened = openPetition(company);
    const bodyOf = async () => {
      const response = await callRoute({ loader }, "loader", s4, `/petitions/${opened.slug}`, {
        slug: opened.slug,
      });
      return ((await response.json()) as { bodyHtml: string }).bodyHtml;
    };
    const before = await bodyOf();
    expect(before).toBe(renderMarkdown(opened.body));
    expect(await bodyOf()).toBe(before);
    const fixed = `${opened.body}\n\n**Fixed:** <script>alert(1)</script>`;
    editPetition(opened.id, { title: opened.title, summary: opened.summary, body: fixed }, company.moderator);
    const after = await bodyOf();
    expect(after).toBe(renderMarkdown(fixed));
    expect(after).toContain("<strong>Fixed:</strong>");
    expect(after).not.toContain("<script>");
  });

  it("hides an open petition from the lists with a reason", () => {
    const petition = openPetition(company, "A petition that will be hidden by moderators");
    expect(listPetitions({ list: "open", sort: "newest", page: 1 }).petitions.map((p) => p.id)).toContain(
      petition.id,
    );
    expectRefused(() => transitionPetition(petition.id, { action: "hide", reason: "Doxxing" }, creator), 403);
    transitionPetition(petition.id, { action: "hide", reason: "Names a colleague" }, company.moderator);
    expect(listPetitions({ list: "open", sort: "newest", page: 1 }).petitions.map((p) => p.id)).not.toContain(
      petition.id,
    );
  });

  it("closes on its closing date, on read", () => {
    const petition = openPetition(company);
    const closesAt = petition.closesAt?.getTime() ?? 0;
    closeExpiredPetitions(closesAt - 1);
    expect(findPetition(petition.slug)?.state).toBe("open");
    expect(closeExpiredPetitions(closesAt + 1)).toBeGreaterThanOrEqual(1);
    expect(findPetition(petition.slug)?.state).toBe("closed");
    expect(findPetition(petition.slug)?.closedAt?.getTime()).toBe(closesAt);
    expect(findPetition(String(petition.id))?.slug).toBe(petition.slug);
  });

  it("keeps offensive rejections out of every public list", () => {
    const petition = draftPetition(creator, "An offensive petition that should never be listed");
    transitionPetition(petition.id, { action: "submit" }, creator);
    for (const sponsor of [s1, s2, s3]) transitionPetition(petition.id, { action: "co-sponsor" }, sponsor);
    transitionPetition(petition.id, { action: "reject", reason: "offensive" }, company.moderator);
    for (const list of ["open", "closed", "rejected", "awaiting-response"] as const) {
      expect(listPetitions({ list, sort: "newest", page: 1 }).petitions.map((p) => p.id)).not.toContain(
        petition.id,
      );
    }
  });

  it("finds similar petitions and searches with FTS5, treating input as words not syntax", () => {
    openPetition(company, "Pause keystroke logging during private conversations");
    const similar = findSimilarPetitions("keystroke logging");
    expect(similar.length).toBeGreaterThan(0);
    expect(similar.length).toBeLessThanOrEqual(6);
    expect(similar[0]?.title).toMatch(/keystroke/i);
    const found = listPetitions({ list: "open", sort: "signatures", q: "private conversations", page: 1 });
    expect(found.petitions.map((p) => p.title)).toContain(
      "Pause keystroke logging during private conversations",
    );
    // FTS operators and quotes in the query are plain words here, never a syntax error.
    expect(() =>
      listPetitions({ list: "open", sort: "signatures", q: 'NEAR( "x OR * ^', page: 1 }),
    ).not.toThrow();
  });
});

describe("review by someone else", () => {
  it("stops a moderator from moderating a petition they organize: review, edit, close, hide, invalidate", () => {
    const moderatorAsCreator = company.moderator;
    const petition = draftPetition(moderatorAsCreator, "A petition started by a moderator themselves");
    transitionPetition(petition.id, { action: "submit" }, moderatorAsCreator);
    for (const sponsor of [s1, s2, s3]) transitionPetition(petition.id, { action: "co-sponsor" }, sponsor);
    expectRefused(
      () => transitionPetition(petition.id, { action: "approve" }, moderatorAsCreator),
      403,
      /another moderator/,
    );
    expectRefused(
      () => transitionPetition(petition.id, { action: "reject", reason: "other" }, moderatorAsCreator),
      403,
      /another moderator/,
    );

    // Once open, they do not moderate it either: no rewriting its text after people signed, no closing,
    // hiding or unhiding it, no invalidating (or probing) its signatures.
    grantRole(s4.id, "moderator", CLI_ACTOR);
    const otherModerator = { ...s4, roles: ["moderator" as const] };
    transitionPetition(petition.id, { action: "approve" }, otherModerator);
    const input = {
      title: "A petition started by a moderator, rewritten",
      summary: "A different ask from the one people signed.",
      body: "Something else entirely, written after people had signed the original text. ".repeat(2),
    };
    expectRefused(() => editPetition(petition.id, input, moderatorAsCreator), 403, /another moderator/);
    expectRefused(
      () => transitionPetition(petition.id, { action: "close" }, moderatorAsCreator),
      403,
      /another moderator/,
    );
    expectRefused(
      () => transitionPetition(petition.id, { action: "hide", reason: "Mine" }, moderatorAsCreator),
      403,
      /another moderator/,
    );
    transitionPetition(petition.id, { action: "hide", reason: "Names a colleague" }, otherModerator);
    expectRefused(
      () => transitionPetition(petition.id, { action: "unhide" }, moderatorAsCreator),
      403,
      /another moderator/,
    );
    for (const attempt of [
      () => previewInvalidation(petition.id, { from: new Date(0) }, actorOf(moderatorAsCreator)),
      () =>
        invalidateSignatures(
          petition.id,
          { from: new Date(0), reason: "Mine", expected: "few" },
          actorOf(moderatorAsCreator),
        ),
    ]) {
      expect(attempt).toThrowError(
        expect.objectContaining({ status: 403, message: expect.stringMatching(/another moderator/) }),
      );
    }
    expect(findPetition(petition.slug)).toMatchObject({
      title: "A petition started by a moderator themselves",
      hiddenAt: expect.any(Date),
    });
    // Another moderator may — even one the creator invited to co-organize (an invitation is not
    // theirs to send, so it cannot switch moderation off); once they accept, they stand aside too.
    inviteOrganizer(petition.id, otherModerator.email, moderatorAsCreator);
    transitionPetition(petition.id, { action: "unhide" }, otherModerator);
    expect(editPetition(petition.id, input, otherModerator).title).toBe(input.title);
    expect(previewInvalidation(petition.id, { from: new Date(0) }, actorOf(otherModerator))).toBe("few");
    answerInvitation(petition.id, true, otherModerator);
    expect(() =>
      transitionPetition(petition.id, { action: "hide", reason: "Again" }, otherModerator),
    ).toThrow(/another moderator/);
  });

  it("keeps a draft from moderators on the invalidation page too", async () => {
    const draft = draftPetition(creator, "A draft nobody but its creator may read");
    const response = await callRoute(
      invalidateRoute,
      "loader",
      company.moderator,
      `/petitions/${draft.id}/invalidate`,
      {
        slug: String(draft.id),
      },
    );
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain("A draft nobody");
  });
});

describe("the petition page's action", () => {
  type Reply = { error?: Record<string, string[] | null> | null };
  const post = (as: { id: number }, slug: string, fields: Record<string, string>) =>
    callRoute(petitionRoute, "action", as, `/petitions/${slug}`, { slug }, fields);

  it("answers a step without its own fields on those fields, and takes no step", async () => {
    const petition = openPetition(company);
    const bare = await post(company.moderator, petition.slug, { intent: "transition", step: "hide" });
    expect(bare.status).toBe(400);
    // The reply carries the schema's words (the catalog's key), written in the reader's language
    // where the form shows them ("Say why" in English).
    expect(((await bare.json()) as Reply).error).toEqual({ reason: [sayText("server.form.sayWhy")] });
    expect(findPetition(petition.slug)?.hiddenAt).toBeNull();
    const unknown = await post(company.moderator, petition.slug, { intent: "transition", step: "vanish" });
    expect(unknown.status).toBe(400);
    const hidden = await post(company.moderator, petition.slug, {
      intent: "transition",
      step: "hide",
      reason: "  Names a colleague  ",
    });
    expect(hidden.status).toBe(302);
    expect(findPetition(petition.slug)?.hiddenReason).toBe("Names a colleague");
  });

  it("refuses an anonymous signature sent without JavaScript, recording none", async () => {
    const petition = openPetition(company);
    const response = await post(s4, petition.slug, { intent: "sign", visibility: "anonymous" });
    expect(response.status).toBe(400);
    expect(((await response.json()) as Reply).error?.[""]).toEqual([
      expect.stringMatching(/^Signing anonymously happens in your browser, with JavaScript/),
    ]);
    expect(findPetition(petition.slug)?.signatureCount).toBe(0);
  });
});
