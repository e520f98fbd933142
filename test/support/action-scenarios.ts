import { eq } from "drizzle-orm";
import { sendFeedbackAnonymously } from "../../app/demo/anonymous-signer.server";
import { addChatChannel } from "../../app/domain/chat/channels.server";
import { serviceProviderMetadata, startSamlSignIn } from "../../app/domain/identity/saml.server";
import type { User } from "../../app/domain/identity/sessions.server";
import { setFollowing } from "../../app/domain/notifications/follows.server";
import { previewDirectoryImport } from "../../app/domain/people/directory-import.server";
import { requestErasure } from "../../app/domain/people/erasure.server";
import { holdScimChange } from "../../app/domain/people/scim-held-changes.server";
import { addMilestone } from "../../app/domain/petitions/drafting.server";
import { transitionPetition } from "../../app/domain/petitions/lifecycle.server";
import { inviteOrganizer } from "../../app/domain/petitions/organizers.server";
import { tagFeedback } from "../../app/domain/policies/feedback-inbox.server";
import {
  emailCadenceOf,
  emailPreferences,
  unsubscribeToken,
} from "../../app/platform/mail/email-preferences.server";
import { CLI_ACTOR } from "../../app/platform/security/audit.server";
import { resetRateLimits } from "../../app/platform/security/rate-limits.server";
import { getMilestoneDefaults, getSettings } from "../../app/platform/site/settings.server";
import { EMAIL_TOPICS } from "../../app/vocabulary/email-topics";
import type { PetitionState } from "../../app/vocabulary/petitions";
import { getDb } from "../../db/client";
import { commitments, milestones, people } from "../../db/schema";
import { actionPath } from "./action-routes";
import { dateTimeFromNow, dayFromNow } from "./dates";
import { coOrganize } from "./petition-fixtures";
import { personFor, type Role, systemSaml, systemScimToken, type World } from "./system-world";

/** A role, or the row's "owner": who that is depends on the row (its creator, author, …). */
export type Actor = Role | "owner";

export type ScenarioRequest = {
  path: string;
  /** Form fields, url-encoded; a FormData is sent as multipart; a string as `contentType` (SCIM's JSON). */
  body: Record<string, string> | FormData | string;
  contentType?: string;
  /** Other headers (a SCIM client's bearer token). */
  headers?: Record<string, string>;
  /** POST unless said (SCIM's PUT, PATCH, DELETE). */
  method?: string;
  /** Who sends it (null: signed out). */
  person: User | null;
  /** Whether an allowed request changes the database (a signed-out sign-out has nothing to end). */
  changes: boolean;
};

/**
 * One thing an action does (route × intent), on a fresh target made for each request, so an allowed
 * request never changes what the next one finds. `owner` names who the owner column means here.
 */
type Promisable<T> = T | Promise<T>;

export type Scenario = {
  route: string;
  intent: string;
  /** Tells apart two rows of one route and intent (different targets). */
  variant?: string;
  target: string;
  owner?: string;
  /** A role allowed to do it, for suites that need the request to succeed. */
  allowed: Actor;
  /** A row that shows a refusal: nobody may do it (a co-sponsor's attempts), so none succeeds. */
  nobodyMay?: boolean;
  prepare(world: World, actor: Actor): Promisable<Omit<ScenarioRequest, "changes"> & { changes?: boolean }>;
};

const PETITION_INPUT = {
  title: "Quiet rooms on every floor",
  summary: "Give every floor a room for calls and concentration.",
  body: "Open-plan floors are loud and the few meeting rooms are always booked. A quiet room per floor would help.",
};
const ANNOUNCEMENT_INPUT = {
  title: "Our answer on quiet rooms",
  body: "Leadership will add a quiet room per floor.",
};
const POLICY_VERSION = {
  body: "The office opens at seven and closes at nine.",
  changeSummary: "Longer opening hours",
  effectiveAt: dayFromNow(30),
};

/** An address no one in the directory has yet. */
const freshEmail = () => `imported${Date.now()}${Math.random().toString(36).slice(2)}@corp.example`;

/** The actor, except "owner", which each row decides. */
function actorPerson(world: World, actor: Actor, owner?: User): User | null {
  if (actor !== "owner") return personFor(world, actor);
  if (!owner) throw new Error("this row has no owner");
  return owner;
}

/** The plainest row: `body` posted to a fresh petition in `state`, whose creator is the owner. */
function onFreshPetition(
  row: Omit<Scenario, "owner" | "prepare"> & { state: PetitionState; body: Record<string, string> },
): Scenario {
  const { state, body, ...scenario } = row;
  return {
    ...scenario,
    owner: "its creator",
    prepare(world, actor) {
      const petition = world.make.petition(state);
      return {
        path: actionPath(scenario.route, { slug: petition.slug }),
        body,
        person: actorPerson(world, actor, world.people.owner),
      };
    },
  };
}

/** A chat channel to act on; its address never resolves (.invalid), so nothing leaves the machine. */
const chatChannel = () =>
  addChatChannel(
    { name: "#scenario", kind: "slack", webhookUrl: "https://chat.invalid/hook", events: [] },
    CLI_ACTOR,
  );

const FORM_SCENARIOS: Scenario[] = [
  {
    route: "admin.chat.tsx",
    intent: "add",
    target: "a new Slack channel",
    allowed: "admin",
    prepare(world, actor) {
      return {
        path: actionPath(this.route),
        body: {
          intent: "add",
          name: "#new",
          kind: "slack",
          webhookUrl: "https://chat.invalid/new",
          events: "petition.opened",
        },
        person: actorPerson(world, actor),
      };
    },
  },
  ...(["update", "remove", "test"] as const).map(
    (intent): Scenario => ({
      route: "admin.chat.tsx",
      intent,
      target: "a connected chat channel",
      allowed: "admin",
      prepare(world, actor) {
        const id = String(chatChannel());
        const body: Record<string, string> =
          intent === "update" ? { intent, id, name: "#renamed", events: "memo.answered" } : { intent, id };
        return { path: actionPath(this.route), body, person: actorPerson(world, actor) };
      },
    }),
  ),
  {
    route: "admin.backups.tsx",
    intent: "backup",
    target: "a backup taken now",
    allowed: "admin",
    prepare(world, actor) {
      return { path: actionPath(this.route), body: { intent: "backup" }, person: actorPerson(world, actor) };
    },
  },
  {
    route: "admin.directory.tsx",
    intent: "preview",
    target: "a CSV adding one person, previewed",
    allowed: "admin",
    prepare(world, actor) {
      const body = new FormData();
      body.set("intent", "preview");
      body.set(
        "file",
        new File([`email,name,department,location\n${freshEmail()},New Person,Legal,Berlin\n`], "staff.csv"),
      );
      return { path: actionPath(this.route), body, person: actorPerson(world, actor) };
    },
  },
  {
    route: "admin.directory.tsx",
    intent: "confirm",
    target: "a previewed CSV adding one person",
    allowed: "admin",
    prepare(world, actor) {
      const person = actorPerson(world, actor);
      // A preview is its admin's own: made for whoever posts (refused before it is read unless an admin).
      const { pendingId } = previewDirectoryImport(
        `email,name,department,location\n${freshEmail()},New Person,Legal,Berlin\n`,
        person ?? world.people.admin,
      );
      return { path: actionPath(this.route), body: { intent: "confirm", pendingId }, person };
    },
  },
  {
    route: "admin.outbox.tsx",
    intent: "retry",
    target: "a failed email",
    allowed: "admin",
    prepare(world, actor) {
      return {
        path: actionPath(this.route),
        body: { intent: "retry", id: String(world.make.failedEmail()) },
        person: actorPerson(world, actor),
      };
    },
  },
  {
    route: "admin.outbox.tsx",
    intent: "retry-hidden",
    target: "yesterday's failed emails to feedback authors",
    allowed: "admin",
    prepare(world, actor) {
      return {
        path: actionPath(this.route),
        body: { intent: "retry-hidden", ...world.make.failedHiddenEmail() },
        person: actorPerson(world, actor),
      };
    },
  },
  {
    route: "admin.erasures.tsx",
    intent: "erase",
    target: "another person's erasure request, confirmed",
    allowed: "admin",
    prepare(world, actor) {
      const person = world.make.person();
      requestErasure(person);
      return {
        path: actionPath(this.route),
        body: { intent: "erase", personId: String(person.id), confirm: "on" },
        person: actorPerson(world, actor),
      };
    },
  },
  ...(["grant", "revoke", "deactivate", "activate"] as const).map(
    (intent): Scenario => ({
      route: "admin.people.$personId.tsx",
      intent,
      target: "another person",
      allowed: "admin",
      prepare(world, actor) {
        const person = intent === "activate" ? world.make.deactivatedPerson() : world.make.person();
        if (intent === "revoke") world.make.grantOrganizer(person);
        return {
          path: actionPath(this.route, { personId: person.id }),
          body: { intent, ...(intent === "grant" || intent === "revoke" ? { role: "organizer" } : {}) },
          person: actorPerson(world, actor),
        };
      },
    }),
  ),
  ...(["approve-link", "refuse-link"] as const).map(
    (intent): Scenario => ({
      route: "admin.people.$personId.tsx",
      intent,
      target: "a request to connect a company account to a role holder",
      allowed: "admin",
      prepare(world, actor) {
        const { person, requestId } = world.make.linkRequest();
        return {
          path: actionPath(this.route, { personId: person.id }),
          body: { intent, requestId: String(requestId) },
          person: actorPerson(world, actor),
        };
      },
    }),
  ),
  ...(["confirm-directory-change", "refuse-directory-change"] as const).map(
    (intent): Scenario => ({
      route: "admin.people.$personId.tsx",
      intent,
      target: "a new address the staff directory asked for a role holder, held for an admin",
      allowed: "admin",
      prepare(world, actor) {
        const person = world.make.person();
        world.make.grantOrganizer(person);
        const moved = `moved-${person.id}@corp.example`;
        holdScimChange(getDb(), person, { email: moved, userName: moved, externalId: null }, false);
        return {
          path: actionPath(this.route, { personId: person.id }),
          // Confirming names the change the page showed (refusing needs nothing more).
          body: { intent, email: moved, userName: moved, externalId: "" },
          person: actorPerson(world, actor),
        };
      },
    }),
  ),
  {
    route: "admin.settings.tsx",
    intent: "",
    target: "the current settings, saved again",
    allowed: "admin",
    prepare(world, actor) {
      const body: Record<string, string> = Object.fromEntries(
        Object.entries(getSettings()).flatMap(
          ([key, value]): Array<[string, string]> =>
            // A checkbox: "on" when ticked, absent when not; a list, one item a line.
            typeof value === "boolean"
              ? value
                ? [[key, "on"]]
                : []
              : [[key, Array.isArray(value) ? value.join("\n") : String(value)]],
        ),
      );
      getMilestoneDefaults().forEach((m, i) => {
        body[`milestones[${i}].threshold`] = String(m.threshold);
        if (m.responseRequired) body[`milestones[${i}].responseRequired`] = "on";
        if (m.responseDays) body[`milestones[${i}].responseDays`] = String(m.responseDays);
      });
      return { path: actionPath(this.route), body, person: actorPerson(world, actor) };
    },
  },
  // A memo is its author's (leadership, here): others act on it only by saying they act on the
  // author's behalf (the "@on-behalf" rows tick that box), which the memo then shows.
  ...([undefined, "on-behalf"] as const).flatMap((variant): Scenario[] => {
    const onBehalf: Record<string, string> = variant ? { onBehalf: "on" } : {};
    return [
      {
        route: "announcements.$slug._index.tsx",
        intent: "publish",
        variant,
        target: "a draft announcement",
        allowed: "leadership",
        prepare(world, actor) {
          const { slug } = world.make.announcement("draft");
          return {
            path: actionPath(this.route, { slug }),
            body: { intent: "publish", ...onBehalf },
            person: actorPerson(world, actor),
          };
        },
      },
      {
        route: "announcements.$slug._index.tsx",
        intent: "schedule",
        variant,
        target: "a draft announcement",
        allowed: "leadership",
        prepare(world, actor) {
          const { slug } = world.make.announcement("draft");
          return {
            path: actionPath(this.route, { slug }),
            body: { intent: "schedule", publishAt: dateTimeFromNow(365), ...onBehalf },
            person: actorPerson(world, actor),
          };
        },
      },
      {
        route: "announcements.$slug._index.tsx",
        intent: "commitment",
        variant,
        target: "a published announcement's commitment",
        allowed: "leadership",
        prepare(world, actor) {
          const announcement = world.make.announcement("published");
          const commitment = getDb()
            .select()
            .from(commitments)
            .where(eq(commitments.announcementId, announcement.id))
            .get();
          if (!commitment) throw new Error("no commitment");
          return {
            path: actionPath(this.route, { slug: announcement.slug }),
            body: {
              intent: "commitment",
              commitmentId: String(commitment.id),
              status: "in_progress",
              ...onBehalf,
            },
            person: actorPerson(world, actor),
          };
        },
      },
      {
        route: "announcements.$slug.edit.tsx",
        intent: "",
        variant,
        target: "a draft announcement",
        allowed: "leadership",
        prepare(world, actor) {
          const { slug } = world.make.announcement("draft");
          return {
            path: actionPath(this.route, { slug }),
            body: { ...ANNOUNCEMENT_INPUT, ...onBehalf },
            person: actorPerson(world, actor),
          };
        },
      },
    ];
  }),
  {
    route: "announcements.new.tsx",
    intent: "",
    target: "a new draft",
    allowed: "leadership",
    prepare(world, actor) {
      return { path: actionPath(this.route), body: ANNOUNCEMENT_INPUT, person: actorPerson(world, actor) };
    },
  },
  ...(
    [
      ["reply", { body: "A reply" }],
      ["edit", { body: "Edited text" }],
      ["delete", {}],
      ["vote", { up: "1" }],
      ["report", { reason: "spam" }],
    ] as const
  ).map(
    ([intent, fields]): Scenario => ({
      route: "comments.$commentId.tsx",
      intent,
      target: "a comment on an open petition",
      owner: "the comment's author",
      allowed: intent === "edit" || intent === "delete" ? "owner" : "staff",
      async prepare(world, actor) {
        const id = await world.make.comment();
        return {
          path: actionPath(this.route, { commentId: id }),
          body: { intent, ...fields },
          person: actorPerson(world, actor, world.people.author),
        };
      },
    }),
  ),
  ...(
    [
      ["hide", "a comment", (world: World) => world.make.comment(), { reason: "Not about the petition" }],
      ["restore", "a hidden comment", (world: World) => world.make.hiddenComment(), {}],
      ["dismiss", "a reported comment", (world: World) => world.make.reportedComment(), {}],
    ] as const
  ).map(
    ([intent, target, make, fields]): Scenario => ({
      route: "comments.$commentId.tsx",
      intent,
      target: `${target} on an open petition`,
      owner: "a moderator among the petition's organizers",
      allowed: "moderator",
      async prepare(world, actor) {
        return {
          path: actionPath(this.route, { commentId: await make(world) }),
          body: { intent, ...fields },
          person: actorPerson(world, actor, world.people.moderatorOrganizer),
        };
      },
    }),
  ),
  {
    route: "discussions.$subjectType.$subjectId.tsx",
    intent: "post",
    target: "an open petition's discussion",
    owner: "the petition's creator",
    allowed: "staff",
    prepare(world, actor) {
      const petition = world.make.petition("open");
      return {
        path: actionPath(this.route, { subjectType: "petition", subjectId: petition.id }),
        body: { intent: "post", body: "A new comment" },
        person: actorPerson(world, actor, world.people.owner),
      };
    },
  },
  ...(["lock", "unlock"] as const).map(
    (intent): Scenario => ({
      route: "discussions.$subjectType.$subjectId.tsx",
      intent,
      target: intent === "lock" ? "an open petition's discussion" : "a locked discussion",
      owner: "a moderator among the petition's organizers",
      allowed: "moderator",
      prepare(world, actor) {
        const petition = intent === "lock" ? world.make.petition("open") : world.make.lockedPetition();
        return {
          path: actionPath(this.route, { subjectType: "petition", subjectId: petition.id }),
          body: { intent, ...(intent === "lock" ? { reason: "Cooling off" } : {}) },
          person: actorPerson(world, actor, world.people.moderatorOrganizer),
        };
      },
    }),
  ),
  onFreshPetition({
    route: "petitions.$slug._index.tsx",
    intent: "sign",
    target: "an open petition",
    allowed: "staff",
    state: "open",
    body: { intent: "sign", visibility: "public", noAnonymousSignature: "on" },
  }),
  {
    route: "petitions.$slug._index.tsx",
    intent: "withdraw",
    target: "an open petition the actor signed",
    owner: "its creator",
    allowed: "staff",
    async prepare(world, actor) {
      const petition = world.make.petition("open");
      const person = actorPerson(world, actor, world.people.owner);
      if (person) await world.make.sign(petition, person);
      return { path: actionPath(this.route, { slug: petition.slug }), body: { intent: "withdraw" }, person };
    },
  },
  ...(
    [
      ["submit", "draft", {}, "its creator"],
      ["co-sponsor", "collecting", {}, "its creator"],
      ["approve", "awaiting_moderation", {}, "a moderator among its co-sponsors"],
      ["reject", "awaiting_moderation", { reason: "duplicate" }, "a moderator among its co-sponsors"],
      ["close", "open", {}, "its creator"],
      ["archive", "closed", {}, "its creator"],
      ["hide", "open", { reason: "Needs a closer look" }, "its creator"],
      ["unhide", "hidden", {}, "its creator"],
      ["declare-victory", "open", { note: "Leadership agreed to every part of the ask." }, "its creator"],
      ["request-close", "open", { reason: "The policy it targets was withdrawn." }, "its creator"],
    ] as const
  ).map(
    ([step, state, fields, owner]): Scenario => ({
      route: "petitions.$slug._index.tsx",
      intent: `transition:${step}`,
      target: `a petition: ${state}`,
      owner,
      allowed:
        step === "submit" || step === "declare-victory" || step === "request-close"
          ? "owner"
          : step === "co-sponsor"
            ? "staff"
            : "moderator",
      prepare(world, actor) {
        const petition = world.make.petition(state);
        const ownerPerson = owner === "its creator" ? world.people.owner : world.people.moderatorOrganizer;
        return {
          path: actionPath(this.route, { slug: petition.slug }),
          body: { intent: "transition", step, ...fields },
          person: actorPerson(world, actor, ownerPerson),
        };
      },
    }),
  ),
  // Co-sponsoring is an endorsement, nothing more: a co-sponsor may not declare victory or close it.
  ...(
    [
      ["declare-victory", { note: "Leadership agreed to every part of the ask." }],
      ["request-close", { reason: "The policy it targets was withdrawn." }],
    ] as const
  ).map(
    ([step, fields]): Scenario => ({
      route: "petitions.$slug._index.tsx",
      intent: `transition:${step}`,
      variant: "co-sponsor",
      target: "an open petition",
      owner: "one of its co-sponsors",
      allowed: "owner",
      nobodyMay: true,
      prepare(world, actor) {
        const petition = world.make.petition("open");
        return {
          path: actionPath(this.route, { slug: petition.slug }),
          body: { intent: "transition", step, ...fields },
          person: actorPerson(world, actor, world.people.coSponsor),
        };
      },
    }),
  ),
  {
    route: "petitions.$slug._index.tsx",
    intent: "approve-response",
    target: "a petition awaiting moderation whose creator asks for a response at a milestone",
    owner: "a moderator among its co-sponsors",
    allowed: "moderator",
    prepare(world, actor) {
      const petition = world.make.petition("draft");
      addMilestone(
        petition.id,
        { threshold: 250, responseRequired: true, responseDays: 14 },
        world.people.owner,
      );
      world.make.toModeration(petition);
      const milestone = getDb()
        .select()
        .from(milestones)
        .all()
        .find((m) => m.petitionId === petition.id && m.responseRequested);
      if (!milestone) throw new Error("no requested milestone");
      return {
        path: actionPath(this.route, { slug: petition.slug }),
        body: { intent: "approve-response", milestoneId: String(milestone.id) },
        person: actorPerson(world, actor, world.people.moderatorOrganizer),
      };
    },
  },
  {
    route: "petitions.$slug._index.tsx",
    intent: "drop-co-sponsor",
    target: "a petition collecting co-sponsors, with one",
    owner: "its creator",
    allowed: "owner",
    prepare(world, actor) {
      const petition = world.make.petition("collecting");
      transitionPetition(petition.id, { action: "co-sponsor" }, world.people.coSponsor);
      return {
        path: actionPath(this.route, { slug: petition.slug }),
        body: { intent: "drop-co-sponsor", personId: String(world.people.coSponsor.id) },
        person: actorPerson(world, actor, world.people.owner),
      };
    },
  },
  onFreshPetition({
    route: "petitions.$slug._index.tsx",
    intent: "add-milestone",
    target: "a draft petition",
    allowed: "owner",
    state: "draft",
    body: { intent: "add-milestone", threshold: "250" },
  }),
  onFreshPetition({
    route: "petitions.$slug.edit.tsx",
    intent: "",
    variant: "draft",
    target: "a draft petition",
    allowed: "owner",
    state: "draft",
    body: PETITION_INPUT,
  }),
  onFreshPetition({
    route: "petitions.$slug.edit.tsx",
    intent: "",
    variant: "open",
    target: "an open petition (a moderator's typo fix)",
    allowed: "moderator",
    state: "open",
    body: PETITION_INPUT,
  }),
  ...(["preview", "confirm"] as const).map(
    (intent): Scenario => ({
      route: "petitions.$slug.invalidate.tsx",
      intent,
      target: "an open petition with five signatures",
      owner: "its creator",
      allowed: "moderator",
      async prepare(world, actor) {
        const petition = world.make.petition("open");
        // Five: fewer are never invalidated (the public count would show whether someone signed).
        for (let i = 0; i < 5; i++) await world.make.sign(petition, world.make.person());
        return {
          path: actionPath(this.route, { slug: petition.slug }),
          body: {
            intent,
            from: dateTimeFromNow(-3650),
            ...(intent === "confirm"
              ? { expected: "5", reason: "A fraud ring", category: "fraudulent_accounts" }
              : {}),
          },
          person: actorPerson(world, actor, world.people.owner),
        };
      },
    }),
  ),
  {
    route: "petitions.new.tsx",
    intent: "",
    target: "a new draft",
    allowed: "staff",
    prepare(world, actor) {
      return { path: actionPath(this.route), body: PETITION_INPUT, person: actorPerson(world, actor) };
    },
  },
  {
    route: "policies.$slug._index.tsx",
    intent: "publish-version",
    target: "a policy's next version",
    owner: "one of the policy's owners (no role)",
    allowed: "leadership",
    prepare(world, actor) {
      const policy = world.make.policy();
      return {
        path: actionPath(this.route, { slug: policy.slug }),
        body: { intent: "publish-version", ...POLICY_VERSION },
        person: actorPerson(world, actor, world.people.policyOwner),
      };
    },
  },
  {
    route: "policies.$slug._index.tsx",
    intent: "send-feedback",
    target: "private feedback on a policy",
    owner: "one of the policy's owners (no role)",
    allowed: "staff",
    prepare(world, actor) {
      const policy = world.make.policy();
      return {
        path: actionPath(this.route, { slug: policy.slug }),
        body: {
          intent: "send-feedback",
          body: "Opening at seven is too early for parents.",
          rating: "2",
        },
        person: actorPerson(world, actor, world.people.policyOwner),
      };
    },
  },
  ...(["status", "tag", "untag", "reply"] as const).map(
    (intent): Scenario => ({
      route: "policies.$slug.feedback.tsx",
      intent,
      target: "a policy's feedback item (tagged)",
      owner: "one of the policy's owners (no role)",
      allowed: "owner",
      async prepare(world, actor) {
        // Made here, in the test's process, as one person many times: its rate limit is not the point.
        resetRateLimits();
        const policy = world.make.policy();
        // Anonymous feedback, through the protocol: stored with no author.
        const { id: feedbackId } = await sendFeedbackAnonymously(policy.id, world.people.staff, {
          body: "Too early.",
        });
        tagFeedback(feedbackId, "hours", true, world.people.policyOwner);
        const fields: Record<string, string> = {
          status: { status: "acted" },
          tag: { tag: "parents" },
          untag: { tag: "hours" },
          reply: { body: "Thank you: we will look at later opening hours." },
        }[intent];
        return {
          path: actionPath(this.route, { slug: policy.slug }),
          body: { intent, feedbackId: String(feedbackId), ...fields },
          person: actorPerson(world, actor, world.people.policyOwner),
        };
      },
    }),
  ),
  // The dashboard as its creator (the owner), as one of its co-sponsors (who is no organizer) and as
  // a co-organizer (who accepted the creator's invitation: updates, nothing else).
  ...(
    [
      "preview-update",
      "post-update",
      "declare-victory",
      "invite-organizer",
      "remove-organizer",
      "leave",
    ] as const
  ).flatMap((intent) =>
    (
      [
        [undefined, "its creator"],
        ["co-sponsor", "one of its co-sponsors"],
        ["co-organizer", "one of its co-organizers"],
      ] as const
    ).map(
      ([variant, owner]): Scenario => ({
        route: "petitions.$slug.dashboard.tsx",
        intent,
        variant,
        target: "an open petition (with two co-organizers)",
        owner,
        allowed: "owner",
        // Only the creator (but leave: only a co-organizer), and a co-organizer's updates and leaving.
        nobodyMay:
          variant === "co-sponsor" ||
          (variant === "co-organizer" && !["preview-update", "post-update", "leave"].includes(intent)) ||
          (variant === undefined && intent === "leave"),
        prepare(world, actor) {
          const petition = world.make.petition("open");
          const coOrganizer = world.make.person();
          const another = world.make.person();
          coOrganize(petition, world.people.owner, coOrganizer);
          coOrganize(petition, world.people.owner, another);
          const fields: Record<string, string> = {
            "preview-update": { body: "We passed our first milestone: thank you all." },
            "post-update": { body: "We passed our first milestone: thank you all." },
            "declare-victory": { body: "Leadership agreed to every part of the ask." },
            "invite-organizer": { email: world.make.person().email },
            "remove-organizer": { personId: String(another.id) },
            leave: {},
          }[intent];
          const ownerPerson =
            variant === "co-sponsor"
              ? world.people.coSponsor
              : variant === "co-organizer"
                ? coOrganizer
                : world.people.owner;
          return {
            path: actionPath(this.route, { slug: petition.slug }),
            body: { intent, ...fields },
            person: actorPerson(world, actor, ownerPerson),
            // A preview writes nothing, even when allowed.
            ...(intent === "preview-update" ? { changes: false } : {}),
          };
        },
      }),
    ),
  ),
  ...(["accept", "decline"] as const).map(
    (intent): Scenario => ({
      route: "petitions.$slug.invitation.tsx",
      intent,
      target: "an invitation to co-organize an open petition",
      owner: "its invitee",
      allowed: "owner",
      prepare(world, actor) {
        const petition = world.make.petition("open");
        const invitee = world.make.person();
        inviteOrganizer(petition.id, invitee.email, world.people.owner);
        return {
          path: actionPath(this.route, { slug: petition.slug }),
          body: { intent },
          person: actorPerson(world, actor, invitee),
        };
      },
    }),
  ),
  {
    route: "petitions.$slug.export.ts",
    intent: "",
    target: "an open petition's signers (export, audited)",
    owner: "its creator",
    allowed: "owner",
    async prepare(world, actor) {
      const petition = world.make.petition("open");
      await world.make.sign(petition, world.make.person(), "anonymous");
      return {
        path: actionPath(this.route, { slug: petition.slug }),
        body: {},
        person: actorPerson(world, actor, world.people.owner),
      };
    },
  },
  {
    route: "policies.new.tsx",
    intent: "",
    target: "a new policy",
    allowed: "leadership",
    prepare(world, actor) {
      return {
        path: actionPath(this.route),
        body: { title: "Desk booking", summary: "How desks are booked.", ...POLICY_VERSION },
        person: actorPerson(world, actor),
      };
    },
  },
  ...(["read", "read-all"] as const).map(
    (intent): Scenario => ({
      route: "notifications.tsx",
      intent,
      target: "a notification of a petition the actor follows, unread",
      allowed: "staff",
      prepare(world, actor) {
        const person = actorPerson(world, actor);
        const petition = world.make.petition("open");
        if (person) setFollowing(person.id, petition.id, true);
        const body: Record<string, string> = { intent };
        if (intent === "read") body.key = `${petition.id}-opened`;
        return { path: actionPath(this.route), body, person };
      },
    }),
  ),
  {
    route: "notifications.tsx",
    intent: "follow",
    target: "an open petition, followed by name",
    allowed: "staff",
    prepare(world, actor) {
      const petition = world.make.petition("open");
      const body = { intent: "follow", petitionId: String(petition.id), follow: "yes" };
      return { path: actionPath(this.route), body, person: actorPerson(world, actor) };
    },
  },
  {
    route: "notifications.tsx",
    intent: "cadence",
    target: "how often the actor's notification emails come, changed",
    allowed: "staff",
    prepare(world, actor) {
      const person = actorPerson(world, actor);
      const cadence = person && emailCadenceOf(person.id) === "daily" ? "weekly" : "daily";
      return { path: actionPath(this.route), body: { intent: "cadence", cadence }, person };
    },
  },
  {
    route: "my.data.tsx",
    intent: "request-erasure",
    target: "the actor's own erasure request",
    allowed: "staff",
    prepare(world, actor) {
      const person = actorPerson(world, actor);
      // Not asked yet, whatever an earlier cell did: an allowed request is always a change.
      if (person)
        getDb().update(people).set({ erasureRequestedAt: null }).where(eq(people.id, person.id)).run();
      return { path: actionPath(this.route), body: { intent: "request-erasure" }, person };
    },
  },
  {
    route: "settings.tsx",
    intent: "email",
    target: "the actor's email settings, each one flipped",
    allowed: "staff",
    prepare(world, actor) {
      const person = actorPerson(world, actor);
      const current = person ? emailPreferences(person.id) : null;
      // An unchecked box is absent: flipping every topic is a change whatever they were.
      const body = Object.fromEntries(
        EMAIL_TOPICS.filter((t) => current && !current[t]).map((t) => [t, "on"]),
      );
      return { path: actionPath(this.route), body: { intent: "email", ...body }, person };
    },
  },
  {
    route: "settings.tsx",
    intent: "reader",
    target: "the actor's language and time zone, changed",
    allowed: "staff",
    prepare(world, actor) {
      const person = actorPerson(world, actor);
      const now = person
        ? getDb().select({ locale: people.locale }).from(people).where(eq(people.id, person.id)).get()
        : undefined;
      // Another language than the one saved: an allowed request is a change whatever was there.
      const body =
        now?.locale === "de"
          ? { locale: "ja", timeZone: "Asia/Tokyo" }
          : { locale: "de", timeZone: "Asia/Singapore" };
      return { path: actionPath(this.route), body: { intent: "reader", ...body }, person };
    },
  },
  {
    route: "sign-in.tsx",
    intent: "",
    target: "a link for someone in the directory",
    allowed: "signedOut",
    prepare(world, actor) {
      return {
        path: actionPath(this.route),
        body: { email: world.make.person().email },
        person: actorPerson(world, actor),
      };
    },
  },
  {
    route: "sign-in_.verify.tsx",
    intent: "",
    target: "a fresh sign-in link",
    allowed: "signedOut",
    async prepare(world, actor) {
      return {
        path: actionPath(this.route),
        body: { token: await world.make.signInToken() },
        person: actorPerson(world, actor),
      };
    },
  },
  ...(["confirm", "refuse"] as const).map(
    (intent): Scenario => ({
      route: "sign-in_.link.tsx",
      intent,
      target: "a fresh emailed link confirming a company sign-in",
      allowed: "signedOut",
      prepare(world, actor) {
        return {
          path: actionPath(this.route),
          body: { intent, token: world.make.linkRequest().token },
          person: actorPerson(world, actor),
        };
      },
    }),
  ),
  {
    route: "sign-out.tsx",
    intent: "",
    target: "the actor's own session",
    allowed: "staff",
    prepare(world, actor) {
      const person = actorPerson(world, actor);
      return { path: actionPath(this.route), body: {}, person, changes: person !== null };
    },
  },
  {
    route: "unsubscribe.$token.tsx",
    intent: "",
    target: "someone's one-click unsubscribe link (RFC 8058)",
    allowed: "signedOut",
    prepare(world, actor) {
      const token = unsubscribeToken(world.make.person().id, world.make.topic);
      return {
        path: actionPath(this.route, { token }),
        body: { "List-Unsubscribe": "One-Click" },
        person: actorPerson(world, actor),
      };
    },
  },
  {
    route: "welcome.tsx",
    intent: "",
    target: "the actor's display name",
    owner: "a newcomer with no name yet",
    allowed: "owner",
    async prepare(world, actor) {
      const person = actor === "owner" ? await world.make.newcomer() : actorPerson(world, actor);
      return { path: actionPath(this.route), body: { name: "Nia Newcomer" }, person };
    },
  },
];

/**
 * A SCIM request (RFC 7644) as the provisioning client sends it: JSON, and its bearer token only in
 * the owner column. A session cookie is no SCIM credential, whatever the role.
 */
function scimScenario(
  route: string,
  method: "POST" | "PUT" | "PATCH" | "DELETE",
  target: string,
  build: (world: World) => { path: string; json?: unknown; changes?: false },
): Scenario {
  return {
    route,
    intent: "",
    variant: method,
    target,
    owner: "the provisioning client (its bearer token)",
    allowed: "owner",
    prepare(world, actor) {
      const { path, json, changes } = build(world);
      return {
        path,
        ...(changes === false ? { changes } : {}),
        method,
        body: json === undefined ? "" : JSON.stringify(json),
        contentType: "application/scim+json",
        headers:
          actor === "owner"
            ? { Authorization: `Bearer ${systemScimToken()}` }
            : ({} as Record<string, string>),
        person: actor === "owner" ? null : personFor(world, actor),
      };
    },
  };
}

let scimUsers = 0;
const scimUser = (email: string) => ({
  schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
  userName: email,
  name: { givenName: "Pat", familyName: "Provisioned" },
  emails: [{ primary: true, value: email, type: "work" }],
  active: true,
});

const IDENTITY_SCENARIOS: Scenario[] = [
  {
    route: "sign-in_.provider.tsx",
    intent: "",
    variant: "oidc",
    target: "a sign-in at the company's OpenID Provider (its state in a cookie)",
    allowed: "signedOut",
    prepare(world, actor) {
      return {
        path: actionPath(this.route),
        body: { protocol: "oidc", redirectTo: "/petitions" },
        person: actorPerson(world, actor),
        changes: false,
      };
    },
  },
  {
    route: "sign-in_.provider.tsx",
    intent: "",
    variant: "saml",
    target: "a sign-in at the company's SAML identity provider (its request id kept)",
    allowed: "signedOut",
    prepare(world, actor) {
      return { path: actionPath(this.route), body: { protocol: "saml" }, person: actorPerson(world, actor) };
    },
  },
  {
    route: "auth.saml.acs.tsx",
    intent: "",
    target: "a signed assertion for a fresh colleague, answering a fresh request",
    allowed: "signedOut",
    async prepare(world, actor) {
      const colleague = world.make.person();
      const metadata = serviceProviderMetadata();
      const requestId = await systemSaml.requestId(metadata, await startSamlSignIn("/"));
      const SAMLResponse = await systemSaml.respond(metadata, requestId, {
        nameId: `saml-${colleague.id}`,
        email: colleague.email,
      });
      return {
        path: actionPath(this.route),
        body: { SAMLResponse, RelayState: "/" },
        person: actorPerson(world, actor),
      };
    },
  },
  scimScenario("scim.v2.Users._index.ts", "POST", "a new colleague", () => ({
    path: "/scim/v2/Users",
    json: scimUser(`provisioned-${++scimUsers}@corp.example`),
  })),
  scimScenario("scim.v2.Users.$id.ts", "PUT", "a colleague, replaced", (world) => {
    const person = world.make.person();
    return {
      path: `/scim/v2/Users/${person.id}`,
      json: { ...scimUser(person.email), displayName: "Pat Renamed" },
    };
  }),
  scimScenario("scim.v2.Users.$id.ts", "PATCH", "a colleague, deactivated as Entra ID does", (world) => ({
    path: `/scim/v2/Users/${world.make.person().id}`,
    json: {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "Replace", path: "active", value: "False" }],
    },
  })),
  scimScenario("scim.v2.$.ts", "POST", "a resource this service does not have (Groups)", () => ({
    path: "/scim/v2/Groups",
    json: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "Everyone" },
  })),
  ...(["scim.v2.[.]search.ts", "scim.v2.Users.[.]search.ts"] as const).map((route) =>
    scimScenario(route, "POST", "a search for a colleague by userName (it reads only)", (world) => ({
      path: route === "scim.v2.[.]search.ts" ? "/scim/v2/.search" : "/scim/v2/Users/.search",
      json: {
        schemas: ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        filter: `userName eq "${world.make.person().email}"`,
      },
      changes: false,
    })),
  ),
  scimScenario("scim.v2.Users.$id.ts", "DELETE", "a colleague, deactivated", (world) => ({
    path: `/scim/v2/Users/${world.make.person().id}`,
  })),
];

export const SCENARIOS: readonly Scenario[] = [...FORM_SCENARIOS, ...IDENTITY_SCENARIOS];

/** A row's name: its route module, `#intent`, `@variant`. */
export const scenarioKey = (s: Pick<Scenario, "route" | "intent" | "variant">) =>
  `${s.route.replace(/\.tsx?$/, "")}${s.intent ? `#${s.intent}` : ""}${s.variant ? `@${s.variant}` : ""}`;
