import { describe, expect, it } from "vitest";
import { setFollowing } from "../../../app/domain/notifications/follows.server";
import { notificationList } from "../../../app/domain/notifications/inbox.server";
import { postPetitionUpdate } from "../../../app/domain/petitions/updates.server";
import { setEmailCadence } from "../../../app/platform/mail/email-preferences.server";
import { HOUR_MS, MINUTE_MS } from "../../../app/platform/time";
import { getDb } from "../../../db/client";
import { makeCompany, openPetition } from "../../support/petition-fixtures";

/**
 * Following by name and choosing a cadence start a person's email window at the next whole hour, not
 * at the click: the row stays, and a click's exact time could sit beside an anonymous act its maker
 * did seconds before (a signature, then "Follow with my name"). News in between is still listed.
 */

// Monday 7 Dec 2026, 10:17:23.456 UTC. // fixed clock
const CLICK = Date.UTC(2026, 11, 7, 10, 17, 23, 456); // fixed clock
const NEXT_HOUR = Date.UTC(2026, 11, 7, 11); // fixed clock

const company = makeCompany(10);
// The first four open the petition (organizer and co-sponsors); the others only follow.
const [creator, , , , follower, daily, each] = company.staff;
if (!creator || !follower || !daily || !each) throw new Error("company too small");
const windowOf = (personId: number) =>
  getDb()
    .$client.prepare<[number], { at: number }>(
      "select mailed_through as at from notification_settings where person_id = ?",
    )
    .get(personId)?.at;

describe("a person's named notification choices", () => {
  it("are kept to the next whole hour, never the moment of the click", () => {
    const petition = openPetition(company, "Windows that open on every floor", { at: CLICK - 2 * HOUR_MS });
    setFollowing(follower.id, petition.id, true, CLICK);
    setEmailCadence(getDb(), daily.id, "daily", CLICK + 7);
    setEmailCadence(getDb(), each.id, "each", CLICK + 11);
    // Choosing "each" again moves the window on, to an hour as well.
    setEmailCadence(getDb(), each.id, "each", CLICK + 20 * MINUTE_MS);
    for (const person of [follower, daily, each]) expect(windowOf(person.id)).toBe(NEXT_HOUR);

    // News between the click and the hour is not emailed, but the list has it.
    postPetitionUpdate(petition.id, "Facilities will survey the windows", creator, CLICK + 10 * MINUTE_MS);
    const list = notificationList(follower.id, CLICK + HOUR_MS);
    expect(list.map((n) => n.kind)).toContain("update");
  });
});
