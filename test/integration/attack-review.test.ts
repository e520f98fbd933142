import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { publishAnnouncement, saveAnnouncement } from "../../app/domain/announcements/lifecycle.server";
import { announcementDetails, findAnnouncement } from "../../app/domain/announcements/reads.server";
import { postComment } from "../../app/domain/discussion/posting.server";
import { loadThread } from "../../app/domain/discussion/thread.server";
import { grantRole, rolesOf } from "../../app/domain/identity/permissions.server";
import type { User } from "../../app/domain/identity/sessions.server";
import { findPersonByEmail } from "../../app/domain/people/directory.server";
import { importDirectory } from "../../app/domain/people/directory-import.server";
import {
  addMilestone,
  approveResponseObligation,
  renderMissingPetitionBodies,
} from "../../app/domain/petitions/drafting.server";
import { petitionInputSchema } from "../../app/domain/petitions/forms";
import { transitionPetition } from "../../app/domain/petitions/lifecycle.server";
import { inviteOrganizer } from "../../app/domain/petitions/organizers.server";
import { findPetition, listCoSponsors, listMilestones } from "../../app/domain/petitions/reads.server";
import { signPetition } from "../../app/domain/petitions/signing.server";
import { postPetitionUpdate } from "../../app/domain/petitions/updates.server";
import { CLI_ACTOR, listAuditEntries } from "../../app/platform/audit.server";
import { MarkdownRefusal } from "../../app/platform/markdown.server";
import { enqueueMail } from "../../app/platform/outbox.server";
import { resetRateLimits } from "../../app/platform/rate-limits.server";
import { DEFAULT_SETTINGS, getMilestoneDefaults, updateSettings } from "../../app/platform/settings.server";
import * as announcementRoute from "../../app/routes/announcements.$slug._index";
import * as myPetitionsRoute from "../../app/routes/my.petitions";
import * as listRoute from "../../app/routes/petitions._index";
import * as petitionRoute from "../../app/routes/petitions.$slug._index";
import * as dashboardRoute from "../../app/routes/petitions.$slug.dashboard";
import * as invitationRoute from "../../app/routes/petitions.$slug.invitation";
import * as newPetitionRoute from "../../app/routes/petitions.new";
import { getDb } from "../../db/client";
import { milestones, outbox, petitions } from "../../db/schema";
import { publishAnonymousComments } from "../support/comment-batches";
import { callRoute } from "../support/fixtures";
import { coOrganize, draftPetition, makeCompany, openPetition } from "../support/petition-fixtures";

/**
 * The attack review's findings on milestones, rendering, spoofing, memos and loader data, each
 * performed against the domain or the route and shown to fail now.
 */

const company = makeCompany(24);
const staff = company.member;
const RLO = "\u202E";
/** A public signature (the one place to change if signing changes its input). */
const sign = (petitionId: number, user: User) =>
  signPetition({ noAnonymousSignature: true, petitionId, user, ip: null });

describe("co-sponsors and an early close", () => {
  it("lets the creator alone drop a co-sponsor before opening, which sends a petition short of them back to collecting", async () => {
    const creator = staff(0);
    const sponsorModerator = staff(17);
    grantRole(sponsorModerator.id, "moderator", CLI_ACTOR);
    const petition = draftPetition(creator, "A petition a stranger co-sponsored");
    transitionPetition(petition.id, { action: "submit" }, creator);
    for (const s of [staff(7), staff(8), staff(9)])
      transitionPetition(petition.id, { action: "co-sponsor" }, s);
    expect(findPetition(petition.slug)?.state).toBe("awaiting_moderation");
    const drop = (who: User, personId: number) =>
      callRoute(
        petitionRoute,
        "action",
        who,
        `/petitions/${petition.slug}`,
        { slug: petition.slug },
        {
          intent: "drop-co-sponsor",
          personId: String(personId),
        },
      );
    // A co-sponsor cannot drop another (awaiting moderation, it is not theirs to see), nor can a moderator.
    expect((await drop(staff(8), staff(7).id)).status).toBe(404);
    expect((await drop(company.moderator, staff(7).id)).status).toBe(403);
    expect((await drop(creator, staff(7).id)).status).toBe(302);
    expect(findPetition(petition.slug)?.state).toBe("collecting");
    // Collecting, a co-sponsor sees it and still cannot drop another.
    expect((await drop(staff(8), staff(9).id)).status).toBe(403);
    expect(listCoSponsors(petition.id).map((c) => c.id)).toEqual([staff(8).id, staff(9).id]);
    // Dropped once is dropped: they cannot co-sponsor it again, and a second drop is a 409.
    expect(() => transitionPetition(petition.id, { action: "co-sponsor" }, staff(7))).toThrow();
    expect((await drop(creator, staff(7).id)).status).toBe(409);
    transitionPetition(petition.id, { action: "co-sponsor" }, sponsorModerator);
    expect(findPetition(petition.slug)?.state).toBe("awaiting_moderation");
    transitionPetition(petition.id, { action: "approve" }, company.moderator);
    // Open: co-sponsors stay (their endorsement is part of its record).
    expect((await drop(creator, staff(8).id)).status).toBe(409);
    expect(listCoSponsors(petition.id)).toHaveLength(3);
    expect(listAuditEntries({ action: "petition.co-sponsor.drop" }).entries).toHaveLength(1);
  });

  it("finds a petition collecting co-sponsors by its link, not by counting up numbers", async () => {
    const petition = draftPetition(staff(0), "A petition shared with a few colleagues only");
    transitionPetition(petition.id, { action: "submit" }, staff(0));
    const get = (who: User, address: string) =>
      callRoute(petitionRoute, "loader", who, `/petitions/${address}`, { slug: address });
    const coSponsor = (who: User, address: string) =>
      callRoute(
        petitionRoute,
        "action",
        who,
        `/petitions/${address}`,
        { slug: address },
        {
          intent: "transition",
          step: "co-sponsor",
        },
      );
    expect((await get(staff(9), String(petition.id))).status).toBe(404);
    expect((await coSponsor(staff(9), String(petition.id))).status).toBe(404);
    expect(listCoSponsors(petition.id)).toEqual([]);
    // With the link it shares, a colleague co-sponsors; its creator and moderators find it either way.
    expect((await get(staff(9), petition.slug)).status).toBe(200);
    expect((await coSponsor(staff(9), petition.slug)).status).toBe(302);
    expect((await get(staff(0), String(petition.id))).status).toBe(200);
    expect((await get(company.moderator, String(petition.id))).status).toBe(200);
  });

  it("makes an early close the creator's request, with a reason, that a moderator without a stake decides", async () => {
    const creator = staff(0);
    const sponsorModerator = staff(18);
    grantRole(sponsorModerator.id, "moderator", CLI_ACTOR);
    const petition = draftPetition(creator, "A petition its creator wants closed early");
    transitionPetition(petition.id, { action: "submit" }, creator);
    for (const s of [staff(7), staff(8), sponsorModerator])
      transitionPetition(petition.id, { action: "co-sponsor" }, s);
    transitionPetition(petition.id, { action: "approve" }, company.moderator);
    const step = (who: User, fields: Record<string, string>) =>
      callRoute(
        petitionRoute,
        "action",
        who,
        `/petitions/${petition.slug}`,
        { slug: petition.slug },
        {
          intent: "transition",
          ...fields,
        },
      );
    const reason = "The policy it targets was withdrawn last week.";
    // Neither a co-sponsor nor the creator closes it: the creator asks.
    expect((await step(staff(7), { step: "request-close", reason })).status).toBe(403);
    expect((await step(creator, { step: "close" })).status).toBe(403);
    expect((await step(creator, { step: "request-close", reason })).status).toBe(302);
    expect((await step(creator, { step: "request-close", reason })).status).toBe(409);
    const asked = findPetition(petition.slug);
    expect(asked).toMatchObject({ state: "open", closeRequestReason: reason });
    const mail = getDb()
      .select()
      .from(outbox)
      .where(eq(outbox.kind, "petition.close_requested"))
      .all()
      .filter((m) => m.petitionId === petition.id);
    // The moderators without a stake are asked; the one who co-sponsored it is not, and cannot close it.
    expect(mail.map((m) => m.toAddress)).toContain(company.moderator.email);
    expect(mail.map((m) => m.toAddress)).not.toContain(sponsorModerator.email);
    expect(mail[0]?.textBody).toContain(reason);
    expect((await step({ ...sponsorModerator, roles: ["moderator"] }, { step: "close" })).status).toBe(403);
    expect((await step(company.moderator, { step: "close" })).status).toBe(302);
    expect(findPetition(petition.slug)).toMatchObject({ state: "closed", wonAt: null });
  });
});

describe("milestones", () => {
  it("caps a creator's own milestones (a few, well apart) and makes a response obligation a request", async () => {
    const petition = draftPetition(staff(0));
    const add = (threshold: number, responseDays: number | null = null) =>
      addMilestone(
        petition.id,
        { threshold, responseRequired: responseDays !== null, responseDays },
        staff(0),
      );
    // The attack: 25 milestones with 1-day deadlines. The form refuses 1 day…
    const route = await callRoute(
      petitionRoute,
      "action",
      staff(0),
      `/petitions/${petition.slug}`,
      { slug: petition.slug },
      {
        intent: "add-milestone",
        threshold: "250",
        responseRequired: "on",
        responseDays: "1",
      },
    );
    expect(route.status).toBe(400);
    // …the domain refuses a fourth, and one within 100 signatures of another.
    add(250, 7);
    expect(() => add(300)).toThrow(/at least 100 signatures apart/);
    add(800);
    add(1200);
    expect(() => add(5_000)).toThrow(/at most 3 milestones/);
    const own = listMilestones(petition.id).filter((m) => m.origin === "organizer");
    expect(own.map((m) => m.threshold)).toEqual([250, 800, 1200]);
    transitionPetition(petition.id, { action: "submit" }, staff(0));
    // Asked for, not required: no obligation on leadership until a moderator approves it.
    const asked = own.find((m) => m.threshold === 250);
    expect(asked).toMatchObject({ responseRequested: true, responseRequired: false, responseDays: 7 });
    // Not the creator, not a moderator with a stake, not staff: only another moderator approves.
    expect(() => approveResponseObligation(petition.id, asked?.id ?? 0, staff(0))).toThrow(/Only moderators/);
    approveResponseObligation(petition.id, asked?.id ?? 0, company.moderator);
    expect(listMilestones(petition.id).find((m) => m.threshold === 250)?.responseRequired).toBe(true);
    expect(listAuditEntries({ action: "petition.milestone.approve-response" }).entries).toHaveLength(1);
  });

  it("queues no response obligation (nor leadership's emails) for a milestone a moderator did not approve", async () => {
    const petition = openPetition(company, "Quieter open floors before the winter");
    const creator = staff(0);
    expect(creator.id).toBe(findPetition(petition.slug)?.creatorId);
    // Milestones are added before opening only: make one on a fresh draft, open it, then sign (no
    // default milestones here, so one at 2 signatures is far enough from every other).
    const defaults = getMilestoneDefaults();
    updateSettings(DEFAULT_SETTINGS, [], CLI_ACTOR);
    const draft = draftPetition(creator, "Longer lunch breaks on Fridays for everyone");
    updateSettings(DEFAULT_SETTINGS, defaults, CLI_ACTOR);
    addMilestone(draft.id, { threshold: 2, responseRequired: true, responseDays: 7 }, creator);
    transitionPetition(draft.id, { action: "submit" }, creator);
    for (const s of [staff(1), staff(2), staff(3)]) transitionPetition(draft.id, { action: "co-sponsor" }, s);
    transitionPetition(draft.id, { action: "approve" }, company.moderator);
    for (const s of [staff(10), staff(11)]) {
      resetRateLimits();
      await sign(draft.id, s);
    }
    const reached = getDb()
      .select()
      .from(milestones)
      .all()
      .find((m) => m.petitionId === draft.id && m.threshold === 2);
    expect(reached?.reachedAt).not.toBeNull();
    expect(reached?.responseDueAt).toBeNull();
    const leadership = getDb()
      .select()
      .from(outbox)
      .where(eq(outbox.kind, "milestone.leadership"))
      .all()
      .filter((m) => m.petitionId === draft.id);
    expect(leadership).toEqual([]);
  });
});

describe("rendering", () => {
  it("refuses a body nested 3,000 quotes deep when it is saved (it made the page a 500 for every viewer)", async () => {
    const before = getDb().select().from(petitions).all().length;
    const response = await callRoute(
      newPetitionRoute,
      "action",
      staff(4),
      "/petitions/new",
      {},
      {
        title: "A petition whose body is a quote bomb",
        summary: "Nested quotes all the way down, to break the page.",
        body: `${">".repeat(3_000)} deep`,
      },
    );
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toMatch(/nests quotes or lists too deeply/);
    expect(getDb().select().from(petitions).all()).toHaveLength(before);
  });

  it("refuses 5,000 characters of *a*a… (a fifth of a second of CPU each) with a 400", async () => {
    const petition = openPetition(company, "Fewer all-hands meetings on Mondays");
    resetRateLimits();
    await expect(
      postComment(
        { type: "petition", id: petition.id },
        { body: "*a".repeat(2_500), anonymous: false },
        staff(5),
      ),
    ).rejects.toBeInstanceOf(MarkdownRefusal);
  });

  it("renders a body saved before the bounds once, safely, and its page answers 200", async () => {
    const petition = openPetition(company, "A petition saved before bodies were stored");
    getDb()
      .update(petitions)
      .set({ body: `${">".repeat(3_000)} <script>alert(1)</script>`, bodyHtml: "" })
      .where(eq(petitions.id, petition.id))
      .run();
    expect(renderMissingPetitionBodies()).toBeGreaterThanOrEqual(1);
    const html = findPetition(petition.slug)?.bodyHtml ?? "";
    expect(html).toContain("&#60;script&#62;");
    expect(html).not.toContain("<script");
    const page = await callRoute(petitionRoute, "loader", staff(6), `/petitions/${petition.slug}`, {
      slug: petition.slug,
    });
    expect(page.status).toBe(200);
  });
});

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
    const comments = loadThread(subject, null, { sort: "oldest", page: 1 })?.comments ?? [];
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

describe("memos", () => {
  it("lets a leader change another's memo only on the author's behalf, which the memo shows and the audit log records", async () => {
    const other = staff(20);
    grantRole(other.id, "leadership", CLI_ACTOR);
    const otherLeader: User = { ...other, roles: ["leadership"] };
    const memo = saveAnnouncement(
      null,
      {
        title: "On quiet rooms",
        body: "Leadership will add quiet rooms on every floor.",
        responses: [],
        commitments: [],
      },
      company.leader,
    );
    const edit = {
      title: "On quiet rooms, rewritten",
      body: "Something else entirely, by someone else.",
      responses: [],
      commitments: [],
    };
    expect(() => saveAnnouncement(memo.id, edit, otherLeader)).toThrow(/on their behalf/);
    expect(findAnnouncement(memo.slug)?.title).toBe("On quiet rooms");
    const publish = await callRoute(
      announcementRoute,
      "action",
      otherLeader,
      `/announcements/${memo.slug}`,
      { slug: memo.slug },
      {
        intent: "publish",
      },
    );
    expect(publish.status).toBe(403);
    expect(findAnnouncement(memo.slug)?.state).toBe("draft");
    saveAnnouncement(memo.id, { ...edit, onBehalf: true }, otherLeader);
    const details = announcementDetails(findAnnouncement(memo.slug) ?? memo);
    expect(details.onBehalf.map((p) => [p.by, p.act])).toEqual([[otherLeader.name, "edit"]]);
    const audit = listAuditEntries({ action: "announcement.on-behalf" }).entries;
    expect(audit.at(-1)).toMatchObject({ details: { act: "edit", authorId: company.leader.id } });
  });
});

/** Every key path and value of a JSON document. */
function* walk(value: unknown, path = ""): Generator<[string, unknown]> {
  yield [path, value];
  if (Array.isArray(value)) for (const [i, item] of value.entries()) yield* walk(item, `${path}[${i}]`);
  else if (value && typeof value === "object")
    for (const [key, item] of Object.entries(value)) yield* walk(item, path ? `${path}.${key}` : key);
}

const PERSON_KEYS =
  /(^|\.)(creatorId|authorId|personId|byId|hiddenById|addedById|invitedById|email|ledgerHead|ipHash|department|location)$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** What of this loader data is more than its page shows: a person's id or directory row, or a time finer than a minute. */
function overshares(data: unknown, who: string, allowed: RegExp | null = null): string[] {
  const problems: string[] = [];
  for (const [path, value] of walk(data)) {
    if (PERSON_KEYS.test(path) && value !== null && !allowed?.test(path))
      problems.push(`${who}: ${path} = ${JSON.stringify(value)}`);
    if (typeof value === "number" && /(At|\.at|\.on)$/.test(path) && value > 1e12 && value % 60_000 !== 0)
      problems.push(`${who}: ${path} = ${value}`);
    if (typeof value === "string" && ISO.test(value)) {
      const t = new Date(value);
      // The pages show days and minutes: nothing finer (exact times line up with the ledger).
      if (t.getUTCSeconds() !== 0 || t.getUTCMilliseconds() !== 0)
        problems.push(`${who}: ${path} = ${value}`);
    }
  }
  return problems;
}

const loaderData = async (
  route: Parameters<typeof callRoute>[0],
  viewer: User | null,
  path: string,
  params: Record<string, string> = {},
): Promise<unknown> => {
  const response = await callRoute(route, "loader", viewer, path, params);
  expect(response.status, `${viewer?.name ?? "signed out"} on ${path}`).toBe(200);
  return response.json();
};

describe("loader data", () => {
  it("carries no person ids, no departments and no time finer than the page shows, to any viewer", async () => {
    const petition = draftPetition(staff(0), "A petition whose data is read whole by the browser");
    coOrganize(petition, staff(0), staff(21));
    transitionPetition(petition.id, { action: "submit" }, staff(0));
    for (const s of [staff(1), staff(2), staff(3)])
      transitionPetition(petition.id, { action: "co-sponsor" }, s);
    transitionPetition(petition.id, { action: "approve" }, company.moderator);
    for (const s of [staff(12), staff(13)]) {
      resetRateLimits();
      await sign(petition.id, s);
    }
    resetRateLimits();
    await postComment(
      { type: "petition", id: petition.id },
      { body: "Named, and timed", anonymous: false },
      staff(14),
    );
    const problems: string[] = [];
    for (const viewer of [
      null,
      staff(12),
      staff(1),
      staff(21),
      staff(0),
      company.moderator,
      company.leader,
    ]) {
      const data = await loaderData(petitionRoute, viewer, `/petitions/${petition.slug}`, {
        slug: petition.slug,
      });
      problems.push(...overshares(data, viewer?.name ?? "signed out"));
    }
    expect(problems).toEqual([]);
  });

  it("holds for a memo's page too: its author, who acted on their behalf, its discussion", async () => {
    const memo = saveAnnouncement(
      null,
      {
        title: "On the data the browser gets",
        body: "Leadership answers here.",
        responses: [],
        commitments: [{ text: "Fewer meetings", dueAt: undefined, status: "planned" }],
      },
      company.leader,
    );
    const assistant = staff(18);
    grantRole(assistant.id, "leadership", CLI_ACTOR);
    const onBehalf: User = { ...assistant, roles: ["leadership"] };
    publishAnnouncement(memo.id, onBehalf, Date.now(), undefined, true);
    resetRateLimits();
    await postComment(
      { type: "announcement", id: memo.id },
      { body: "Named, and timed", anonymous: false },
      staff(14),
    );
    const problems: string[] = [];
    for (const viewer of [null, staff(14), onBehalf, company.leader]) {
      const data = await loaderData(announcementRoute, viewer, `/announcements/${memo.slug}`, {
        slug: memo.slug,
      });
      problems.push(...overshares(data, `memo, ${viewer?.name ?? "signed out"}`));
    }
    expect(problems).toEqual([]);
  });

  it("holds for the dashboard, the lists, My petitions and the invitation page too", async () => {
    const creator = staff(0);
    const petition = draftPetition(creator, "A petition whose dashboard data is read whole");
    coOrganize(petition, creator, staff(22));
    inviteOrganizer(petition.id, staff(23).email, creator);
    transitionPetition(petition.id, { action: "submit" }, creator);
    for (const s of [staff(1), staff(2), staff(3)])
      transitionPetition(petition.id, { action: "co-sponsor" }, s);
    transitionPetition(petition.id, { action: "approve" }, company.moderator);
    for (const s of [staff(15), staff(16)]) {
      resetRateLimits();
      await sign(petition.id, s);
    }
    postPetitionUpdate(petition.id, "The first update, posted at an exact time.", creator);
    transitionPetition(petition.id, { action: "declare-victory", note: "We won it." }, creator);
    const admin = staff(19);
    grantRole(admin.id, "admin", CLI_ACTOR);
    const adminUser: User = { ...admin, roles: ["admin"] };
    const problems: string[] = [];
    const dashboard = `/petitions/${petition.slug}/dashboard`;
    // Signers by department and location are the page's small-group-suppressed counts.
    const breakdowns = /^dashboard\.breakdowns\.(department|location)$/;
    // The creator's remove buttons post co-organizers' and invitees' ids: those only, and only to them.
    const creatorData = await loaderData(dashboardRoute, creator, dashboard, { slug: petition.slug });
    problems.push(
      ...overshares(
        creatorData,
        "creator",
        new RegExp(`${breakdowns.source}|^organizers\\[\\d+\\]\\.personId$`),
      ),
    );
    for (const [who, viewer] of [
      ["co-organizer", staff(22)],
      ["moderator", company.moderator],
      ["admin", adminUser],
    ] as const)
      problems.push(
        ...overshares(
          await loaderData(dashboardRoute, viewer, dashboard, { slug: petition.slug }),
          who,
          breakdowns,
        ),
      );
    for (const list of ["open", "won", "closed"])
      for (const viewer of [null, staff(15)])
        problems.push(
          ...overshares(await loaderData(listRoute, viewer, `/petitions?list=${list}`), `list ${list}`),
        );
    for (const [who, viewer] of [
      ["creator", creator],
      ["co-sponsor", staff(1)],
      ["co-organizer", staff(22)],
      ["signer", staff(15)],
    ] as const)
      problems.push(...overshares(await loaderData(myPetitionsRoute, viewer, "/my/petitions"), `my ${who}`));
    problems.push(
      ...overshares(
        await loaderData(invitationRoute, staff(23), `/petitions/${petition.slug}/invitation`, {
          slug: petition.slug,
        }),
        "invitee",
      ),
    );
    expect(problems).toEqual([]);
    // And the exception is the creator's alone.
    const coOrganizerView = await loaderData(dashboardRoute, staff(22), dashboard, { slug: petition.slug });
    const coOrganizerData = JSON.stringify(coOrganizerView);
    expect(coOrganizerData).not.toContain(`"personId":${staff(22).id}`);
    // Not in the list's keys either.
    expect(coOrganizerData).not.toContain(`co-organizer-${staff(22).id}"`);
    expect(coOrganizerData).not.toContain(`invited-${staff(23).id}"`);
    expect(JSON.stringify(creatorData)).toContain(`"personId":${staff(22).id}`);
  });
});
