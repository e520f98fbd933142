import { beforeAll, describe, expect, it } from "vitest";
import {
  ACTION_ROUTES,
  type ActionOutcome,
  isRefusal,
  missingFromInventory,
  sendAction,
  toSignIn,
} from "../support/action-routes";
import { type Actor, SCENARIOS, type Scenario, scenarioKey } from "../support/action-scenarios";
import { sessionCookie } from "../support/fixtures";
import { settle } from "../support/server-database";
import { STRESS } from "../support/stress";
import { ROLES, systemApp } from "../support/system-world";

/**
 * Every mutating route × intent × role over HTTP against the built server: the outcome each must
 * get, and nothing changed by a refusal; something changed by an allowed request. Each cell acts on
 * a target made fresh for it. The long form (STRESS=1) sends every cell twice more, as other people
 * in the same roles: as a Remix data request (forms with JavaScript) and as multipart.
 */

const OK = "allowed";
const IN = "sign-in";
type Expected = typeof OK | typeof IN | 401 | 403 | 404;

/** Columns: signed out, staff, organizer of another petition, moderator, leadership, admin, owner. */
const COLUMNS = [...ROLES, "owner"] as const;
type Row = [Expected, Expected, Expected, Expected, Expected, Expected, Expected?];

// "owner" is what the scenario says for the row (creator, comment author, …); rows without one have 6 cells.
const MATRIX: Record<string, Row> = {
  //                                              out  staff other mod  lead admin owner
  "admin.backups#backup": /*                   */ [IN, 403, 403, 403, 403, OK],
  "admin.chat#add": /*                         */ [IN, 403, 403, 403, 403, OK],
  "admin.chat#update": /*                      */ [IN, 403, 403, 403, 403, OK],
  "admin.chat#remove": /*                      */ [IN, 403, 403, 403, 403, OK],
  "admin.chat#test": /*                        */ [IN, 403, 403, 403, 403, OK],
  "admin.erasures#erase": /*                   */ [IN, 403, 403, 403, 403, OK],
  "admin.directory#preview": /*                */ [IN, 403, 403, 403, 403, OK],
  "admin.directory#confirm": /*                */ [IN, 403, 403, 403, 403, OK],
  "admin.outbox#retry": /*                     */ [IN, 403, 403, 403, 403, OK],
  "admin.outbox#retry-hidden": /*              */ [IN, 403, 403, 403, 403, OK],
  "admin.people.$personId#grant": /*           */ [IN, 403, 403, 403, 403, OK],
  "admin.people.$personId#revoke": /*          */ [IN, 403, 403, 403, 403, OK],
  "admin.people.$personId#deactivate": /*      */ [IN, 403, 403, 403, 403, OK],
  "admin.people.$personId#activate": /*        */ [IN, 403, 403, 403, 403, OK],
  "admin.people.$personId#approve-link": /*    */ [IN, 403, 403, 403, 403, OK],
  "admin.people.$personId#refuse-link": /*     */ [IN, 403, 403, 403, 403, OK],
  "admin.people.$personId#confirm-directory-change": [IN, 403, 403, 403, 403, OK],
  "admin.people.$personId#refuse-directory-change": [IN, 403, 403, 403, 403, OK],
  "admin.settings": /*                         */ [IN, 403, 403, 403, 403, OK],
  // The memos are the leadership account's own; an admin acts on one only on its author's behalf.
  "announcements.$slug._index#publish": /*     */ [IN, 403, 403, 403, OK, 403],
  "announcements.$slug._index#schedule": /*    */ [IN, 403, 403, 403, OK, 403],
  "announcements.$slug._index#commitment": /*  */ [IN, 403, 403, 403, OK, 403],
  "announcements.$slug.edit": /*               */ [IN, 403, 403, 403, OK, 403],
  "announcements.$slug._index#publish@on-behalf": [IN, 403, 403, 403, OK, OK],
  "announcements.$slug._index#schedule@on-behalf": [IN, 403, 403, 403, OK, OK],
  "announcements.$slug._index#commitment@on-behalf": [IN, 403, 403, 403, OK, OK],
  "announcements.$slug.edit@on-behalf": /*     */ [IN, 403, 403, 403, OK, OK],
  // The identity provider's page posts the assertion: whoever holds a valid one is signed in as its colleague.
  "auth.saml.acs": /*                          */ [OK, OK, OK, OK, OK, OK],
  "announcements.new": /*                      */ [IN, 403, 403, 403, OK, OK],
  "comments.$commentId#reply": /*              */ [IN, OK, OK, OK, OK, OK, OK],
  "comments.$commentId#edit": /*               */ [IN, 403, 403, 403, 403, 403, OK],
  "comments.$commentId#delete": /*             */ [IN, 403, 403, 403, 403, 403, OK],
  "comments.$commentId#vote": /*               */ [IN, OK, OK, OK, OK, OK, 403],
  "comments.$commentId#report": /*             */ [IN, OK, OK, OK, OK, OK, 403],
  "comments.$commentId#hide": /*               */ [IN, 403, 403, OK, 403, 403, 403],
  "comments.$commentId#restore": /*            */ [IN, 403, 403, OK, 403, 403, 403],
  "comments.$commentId#dismiss": /*            */ [IN, 403, 403, OK, 403, 403, 403],
  "discussions.$subjectType.$subjectId#post": /**/ [IN, OK, OK, OK, OK, OK, OK],
  "discussions.$subjectType.$subjectId#lock": /**/ [IN, 403, 403, OK, 403, 403, 403],
  "discussions.$subjectType.$subjectId#unlock": [IN, 403, 403, OK, 403, 403, 403],
  "petitions.$slug._index#sign": /*            */ [IN, OK, OK, OK, OK, OK, OK],
  "petitions.$slug._index#withdraw": /*        */ [IN, OK, OK, OK, OK, OK, OK],
  // Drafts are their creator's alone; a petition awaiting moderation, its organizers' and moderators'.
  "petitions.$slug._index#transition:submit": [IN, 404, 404, 404, 404, 404, OK],
  "petitions.$slug._index#transition:co-sponsor": [IN, OK, OK, OK, OK, OK, 403],
  "petitions.$slug._index#transition:approve": [IN, 404, 404, OK, 404, 404, 403],
  "petitions.$slug._index#transition:reject": [IN, 404, 404, OK, 404, 404, 403],
  "petitions.$slug._index#transition:close": [IN, 403, 403, OK, 403, 403, 403],
  "petitions.$slug._index#transition:archive": [IN, 403, 403, OK, 403, 403, 403],
  "petitions.$slug._index#transition:hide": [IN, 403, 403, OK, 403, 403, 403],
  "petitions.$slug._index#transition:unhide": [IN, 404, 404, OK, 404, 404, 403],
  "petitions.$slug._index#transition:declare-victory": [IN, 403, 403, 403, 403, 403, OK],
  // Closing early goes through moderation: the creator asks (a moderator then closes).
  "petitions.$slug._index#transition:request-close": [IN, 403, 403, 403, 403, 403, OK],
  // A co-sponsor endorses; victory and closing are the creator's.
  "petitions.$slug._index#transition:declare-victory@co-sponsor": [IN, 403, 403, 403, 403, 403, 403],
  "petitions.$slug._index#transition:request-close@co-sponsor": [IN, 403, 403, 403, 403, 403, 403],
  // A response obligation the creator asks for binds only once a moderator (without a stake) approves.
  "petitions.$slug._index#approve-response": [IN, 404, 404, OK, 404, 404, 403],
  "petitions.$slug._index#drop-co-sponsor": [IN, 403, 403, 403, 403, 403, OK],
  // The dashboard: its organizers (the creator, co-organizers who accepted), moderators and admins see
  // it; organizers post updates; the creator alone declares victory and invites or removes organizers.
  "petitions.$slug.dashboard#preview-update": [IN, 403, 403, 403, 403, 403, OK],
  "petitions.$slug.dashboard#post-update": [IN, 403, 403, 403, 403, 403, OK],
  "petitions.$slug.dashboard#declare-victory": [IN, 403, 403, 403, 403, 403, OK],
  "petitions.$slug.dashboard#invite-organizer": [IN, 403, 403, 403, 403, 403, OK],
  "petitions.$slug.dashboard#remove-organizer": [IN, 403, 403, 403, 403, 403, OK],
  "petitions.$slug.dashboard#leave": [IN, 403, 403, 403, 403, 403, 403],
  // A co-sponsor is no organizer: none of the dashboard is theirs.
  "petitions.$slug.dashboard#preview-update@co-sponsor": [IN, 403, 403, 403, 403, 403, 403],
  "petitions.$slug.dashboard#post-update@co-sponsor": [IN, 403, 403, 403, 403, 403, 403],
  "petitions.$slug.dashboard#declare-victory@co-sponsor": [IN, 403, 403, 403, 403, 403, 403],
  "petitions.$slug.dashboard#invite-organizer@co-sponsor": [IN, 403, 403, 403, 403, 403, 403],
  "petitions.$slug.dashboard#remove-organizer@co-sponsor": [IN, 403, 403, 403, 403, 403, 403],
  "petitions.$slug.dashboard#leave@co-sponsor": [IN, 403, 403, 403, 403, 403, 403],
  // A co-organizer posts updates and may leave; nothing else.
  "petitions.$slug.dashboard#preview-update@co-organizer": [IN, 403, 403, 403, 403, 403, OK],
  "petitions.$slug.dashboard#post-update@co-organizer": [IN, 403, 403, 403, 403, 403, OK],
  "petitions.$slug.dashboard#declare-victory@co-organizer": [IN, 403, 403, 403, 403, 403, 403],
  "petitions.$slug.dashboard#invite-organizer@co-organizer": [IN, 403, 403, 403, 403, 403, 403],
  "petitions.$slug.dashboard#remove-organizer@co-organizer": [IN, 403, 403, 403, 403, 403, 403],
  "petitions.$slug.dashboard#leave@co-organizer": [IN, 403, 403, 403, 403, 403, OK],
  // An invitation is its invitee's to answer; to anyone else there is none.
  "petitions.$slug.invitation#accept": /*      */ [IN, 404, 404, 404, 404, 404, OK],
  "petitions.$slug.invitation#decline": /*     */ [IN, 404, 404, 404, 404, 404, OK],
  "petitions.$slug.export": /*                 */ [IN, 403, 403, OK, 403, OK, OK],
  "petitions.$slug._index#add-milestone": /*   */ [IN, 404, 404, 404, 404, 404, OK],
  "petitions.$slug.edit@draft": /*             */ [IN, 404, 404, 404, 404, 404, OK],
  "petitions.$slug.edit@open": /*              */ [IN, 403, 403, OK, 403, 403, 403],
  "petitions.$slug.invalidate#preview": /*     */ [IN, 403, 403, OK, 403, 403, 403],
  "petitions.$slug.invalidate#confirm": /*     */ [IN, 403, 403, OK, 403, 403, 403],
  "petitions.new": /*                          */ [IN, OK, OK, OK, OK, OK],
  "policies.$slug._index#publish-version": /*  */ [IN, 403, 403, 403, OK, OK, 403],
  "policies.$slug._index#send-feedback": /*    */ [IN, OK, OK, OK, OK, OK, OK],
  // Feedback is read and answered by the policy's owners and admins only.
  "policies.$slug.feedback#status": /*         */ [IN, 403, 403, 403, 403, OK, OK],
  "policies.$slug.feedback#tag": /*            */ [IN, 403, 403, 403, 403, OK, OK],
  "policies.$slug.feedback#untag": /*          */ [IN, 403, 403, 403, 403, OK, OK],
  "policies.$slug.feedback#reply": /*          */ [IN, 403, 403, 403, 403, OK, OK],
  "policies.new": /*                           */ [IN, 403, 403, 403, OK, OK],
  "my.data#request-erasure": /*               */ [IN, OK, OK, OK, OK, OK],
  // Each person's own notifications and choices.
  "notifications#read": /*                    */ [IN, OK, OK, OK, OK, OK],
  "notifications#read-all": /*                */ [IN, OK, OK, OK, OK, OK],
  "notifications#follow": /*                  */ [IN, OK, OK, OK, OK, OK],
  "notifications#cadence": /*                 */ [IN, OK, OK, OK, OK, OK],
  "settings#email": /*                        */ [IN, OK, OK, OK, OK, OK],
  "settings#reader": /*                       */ [IN, OK, OK, OK, OK, OK],
  // Sign-in, its link, sign-out and unsubscribe links act for whoever holds the link or the cookie.
  "sign-in": /*                                */ [OK, OK, OK, OK, OK, OK],
  "sign-in_.verify": /*                        */ [OK, OK, OK, OK, OK, OK],
  // The emailed link is the proof: whoever holds it answers for the mailbox, signed in or not.
  "sign-in_.link#confirm": /*                  */ [OK, OK, OK, OK, OK, OK],
  "sign-in_.link#refuse": /*                   */ [OK, OK, OK, OK, OK, OK],
  "sign-out": /*                               */ [OK, OK, OK, OK, OK, OK],
  "unsubscribe.$token": /*                     */ [OK, OK, OK, OK, OK, OK],
  // Anyone may start a sign-in at the company's identity provider.
  "sign-in_.provider@oidc": /*                 */ [OK, OK, OK, OK, OK, OK],
  "sign-in_.provider@saml": /*                 */ [OK, OK, OK, OK, OK, OK],
  // SCIM answers its bearer token only: no cookie of any role opens it (401), the provisioning client may.
  "scim.v2.Users._index@POST": /*              */ [401, 401, 401, 401, 401, 401, OK],
  "scim.v2.$@POST": /*                         */ [401, 401, 401, 401, 401, 401, 404],
  "scim.v2.Users.$id@PUT": /*                  */ [401, 401, 401, 401, 401, 401, OK],
  "scim.v2.Users.$id@PATCH": /*                */ [401, 401, 401, 401, 401, 401, OK],
  "scim.v2.Users.$id@DELETE": /*               */ [401, 401, 401, 401, 401, 401, OK],
  "scim.v2.[.]search@POST": /*                 */ [401, 401, 401, 401, 401, 401, OK],
  "scim.v2.Users.[.]search@POST": /*           */ [401, 401, 401, 401, 401, 401, OK],
  // Only someone without a name picks one; directory names are not theirs to change.
  welcome: /*                                */ [IN, 403, 403, 403, 403, 403, OK],
};

const system = systemApp();

/** What the server did, in the table's words (or a description of anything else). */
function judge(outcome: ActionOutcome): string | number {
  if (toSignIn(outcome)) return IN;
  if (outcome.status === 401 || outcome.status === 403 || outcome.status === 404) return outcome.status;
  if (isRefusal(outcome)) return `refused with ${outcome.status}`;
  if (outcome.status >= 500) return `error ${outcome.status}`;
  return OK;
}

type Mode = "document" | "data" | "multipart";

async function runCell(
  scenario: Scenario,
  actor: Actor,
  expected: Expected,
  mode: Mode,
): Promise<string | null> {
  const { app, world, watch } = system;
  const request = await scenario.prepare(world, actor);
  const cookie = request.person ? await sessionCookie(request.person.id) : undefined;
  let body = request.body;
  if (mode === "multipart" && !(body instanceof FormData) && typeof body !== "string") {
    const form = new FormData();
    for (const [name, value] of Object.entries(body)) form.append(name, value);
    body = form;
  }
  await settle();
  watch.baseline();
  const outcome = await sendAction(app.baseUrl, {
    path: request.path,
    body,
    cookie,
    method: request.method,
    contentType: request.contentType,
    headers: request.headers,
    dataFor: mode === "data" && typeof body !== "string" ? scenario.route : undefined,
  });
  const actual = judge(outcome);
  const cell = `${scenarioKey(scenario)} as ${actor} (${mode})`;
  if (actual !== expected) {
    const detail =
      outcome.flash?.message ??
      outcome.body
        .replace(/<[^>]*>/g, " ")
        .replace(/\s+/g, " ")
        .slice(0, 160);
    return `${cell}: expected ${expected}, got ${actual} — ${detail}`;
  }
  if (expected === OK) {
    if ((request.changes ?? true) && !watch.committed()) return `${cell}: allowed, but nothing changed`;
  } else {
    const changed = watch.changes();
    if (changed.length) return `${cell}: refused, yet changed ${changed.join(", ")}`;
  }
  return null;
}

describe("the authorization matrix", () => {
  it("covers every route with an action and every intent", () => {
    expect(missingFromInventory()).toEqual([]);
    const keys = SCENARIOS.map(scenarioKey);
    const routesIntents = new Set(SCENARIOS.map((s) => `${s.route}#${s.intent}`));
    const uncovered = ACTION_ROUTES.flatMap((r) => r.intents.map((i) => `${r.file}#${i}`)).filter(
      (key) => !routesIntents.has(key),
    );
    expect(uncovered).toEqual([]);
    expect(keys.filter((key) => !(key in MATRIX))).toEqual([]);
    expect(Object.keys(MATRIX).filter((key) => !keys.includes(key))).toEqual([]);
    for (const scenario of SCENARIOS) {
      const row = MATRIX[scenarioKey(scenario)];
      expect(row?.length, scenarioKey(scenario)).toBe(scenario.owner ? 7 : 6);
    }
  });
});

const MODES: Array<[Mode, string]> = [
  ["document", "plain form posts"],
  ["data", "Remix data requests"],
  ["multipart", "multipart form posts"],
];

for (const [mode, label] of STRESS ? MODES : MODES.slice(0, 1)) {
  describe(`the authorization matrix, as ${label}`, () => {
    // Each pass as other people in the same roles: rate limits count per person.
    beforeAll(() => {
      if (mode !== "document") system.world.make.freshRoleAccounts();
    });
    for (const scenario of SCENARIOS) {
      it(`${scenarioKey(scenario)}: ${scenario.target}`, async () => {
        const row = MATRIX[scenarioKey(scenario)];
        if (!row) throw new Error("no row in the matrix");
        const problems: string[] = [];
        for (const [i, expected] of row.entries()) {
          const actor = COLUMNS[i];
          if (!actor || expected === undefined) continue;
          const problem = await runCell(scenario, actor, expected, mode);
          if (problem) problems.push(problem);
        }
        expect(problems).toEqual([]);
      });
    }
  });
}
