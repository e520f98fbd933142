import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { postComment } from "../../app/domain/discussion/posting.server";
import { loadThread } from "../../app/domain/discussion/thread.server";
import { rolesOf } from "../../app/domain/identity/permissions.server";
import type { User } from "../../app/domain/identity/sessions.server";
import { findPersonByEmail } from "../../app/domain/people/directory.server";
import { importDirectory } from "../../app/domain/people/directory-import.server";
import { petitionInputSchema } from "../../app/domain/petitions/forms";
import { enqueueMail } from "../../app/platform/mail/outbox.server";
import { CLI_ACTOR } from "../../app/platform/security/audit.server";
import { resetRateLimits } from "../../app/platform/security/rate-limits.server";
import { getDb } from "../../db/client";
import { outbox } from "../../db/schema";
import { publishAnonymousComments } from "../support/comment-batches";
import { makeCompany, openPetition } from "../support/petition-fixtures";

/** Names and text cannot be spoofed: bidirectional controls are stripped, and namesakes are told apart. */

const company = makeCompany(24);
const RLO = "\u202E";

describe("spoofing", () => {
  it("strips bidirectional controls from titles, summaries, names and email subjects", () => {
    const input = petitionInputSchema.parse({
      title: `Invoice ${RLO}gnp.exe${"\u202C"} for everyone`,
      summary: `Let us ${"\u2066"}pay${"\u2069"} invoices online, please, all of us.`,
      body: "Paying invoices on paper takes weeks and nobody knows where they are at any time.",
    });
    expect(input.title).toBe("Invoice gnp.exe for everyone");
    expect(input.summary).not.toMatch(/[\u2066\u2069]/);
    importDirectory(
      `email,name,department,location\nspoof@corp.example,Ana ${RLO}sey${"\u202C"},Legal,Paris\n`,
      CLI_ACTOR,
    );
    expect(findPersonByEmail(getDb(), "spoof@corp.example")?.name).toBe("Ana sey");
    const id = enqueueMail(getDb(), {
      kind: "petition.open",
      to: "someone@corp.example",
      subject: `Approved: “${RLO}gnp.exe”\r\nBcc: everyone@corp.example`,
      text: "x",
      html: "<p>x</p>",
    });
    const subject = getDb().select().from(outbox).where(eq(outbox.id, id)).get()?.subject;
    expect(subject).toBe("Approved: “gnp.exe” Bcc: everyone@corp.example");
  });

  it("shows the department beside a name another colleague also has, never beside an anonymous comment", async () => {
    importDirectory(
      [
        "email,name,department,location",
        "ana1@corp.example,Ana Reyes,Legal,Paris",
        "ana2@corp.example,Ana Reyes,Finance,Lisbon",
        "ana3@corp.example,Ana Reyes,Sales,Berlin",
        "uniq@corp.example,Unique Name,Legal,Paris",
        "",
      ].join("\n"),
      CLI_ACTOR,
    );
    const person = (email: string): User => {
      const p = findPersonByEmail(getDb(), email);
      if (!p) throw new Error(email);
      return { ...p, roles: rolesOf(p.id) };
    };
    const petition = openPetition(company, "Bring back the Friday fruit basket");
    const subject = { type: "petition" as const, id: petition.id };
    for (const [email, anonymous] of [
      ["ana1@corp.example", false],
      ["ana2@corp.example", false],
      ["ana3@corp.example", true],
      ["uniq@corp.example", false],
    ] as const) {
      resetRateLimits();
      await postComment(subject, { body: `From ${email}`, anonymous }, person(email));
    }
    publishAnonymousComments(); // as everyone will see the thread once its batch is out
    // By author, not by position: ids are random and an anonymous comment sorts by its day (ADR 31).
    // Read by a colleague: names are for colleagues (a reader not signed in reads none).
    const comments = loadThread(subject, company.member(23), { sort: "oldest", page: 1 })?.comments ?? [];
    const by = new Map(comments.map((c) => [c.bodyHtml, [c.authorName, c.authorDepartment]]));
    expect(by).toEqual(
      new Map([
        ["<p>From ana1@corp.example</p>", ["Ana Reyes", "Legal"]],
        ["<p>From ana2@corp.example</p>", ["Ana Reyes", "Finance"]],
        ["<p>From ana3@corp.example</p>", [null, null]],
        ["<p>From uniq@corp.example</p>", ["Unique Name", null]],
      ]),
    );
  });
});
