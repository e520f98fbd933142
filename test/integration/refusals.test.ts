import { describe, expect, it } from "vitest";
import { PetitionError } from "../../app/domain/petitions/rights.server";
import { SIGNING_LIMITS } from "../../app/domain/petitions/signing.server";
import { RateLimited, Refusal } from "../../app/platform/refusal";
import { say } from "../../app/platform/said";
import { resetRateLimits } from "../../app/platform/security/rate-limits.server";
import * as petitionRoute from "../../app/routes/petitions.$slug._index";
import * as signInRoute from "../../app/routes/sign-in";
import { apiRefusal, refusalReply, refuseIf } from "../../app/web/refusal-reply.server";
import { getDb } from "../../db/client";
import { signatures } from "../../db/schema";
import { callRoute } from "../support/fixtures";
import { makeCompany, openPetition } from "../support/petition-fixtures";

/**
 * One refusal shape: whatever refuses (a rate limit, a state, a permission), the domain throws a
 * Refusal and the page answers with its status, its message on the form, and Retry-After for rate
 * limits; nothing is stored.
 */
const company = makeCompany(8);
const [creator, signer] = company.staff;
if (!creator || !signer) throw new Error("company too small");

type Reply = { status?: string; error?: Record<string, string[] | null> | null };
const formErrors = async (response: Response) => ((await response.json()) as Reply).error?.[""] ?? [];

describe("refusals", () => {
  it("answer a signer over the rate limit with 429, Retry-After and the reason, storing nothing", async () => {
    resetRateLimits();
    const petition = openPetition(company);
    const sign = () =>
      callRoute(
        petitionRoute,
        "action",
        signer,
        `/petitions/${petition.slug}`,
        { slug: petition.slug },
        {
          intent: "withdraw",
        },
      );
    // Withdrawing is not rate-limited; signing is: use up the limit on a petition that refuses.
    for (let i = 0; i < SIGNING_LIMITS.perPerson.limit; i++) {
      const response = await callRoute(
        petitionRoute,
        "action",
        signer,
        `/petitions/${petition.slug}`,
        { slug: petition.slug },
        { intent: "sign", visibility: "public", noAnonymousSignature: "on" },
      );
      expect([302, 409]).toContain(response.status);
    }
    const before = getDb().select().from(signatures).all().length;
    const limited = await callRoute(
      petitionRoute,
      "action",
      signer,
      `/petitions/${petition.slug}`,
      { slug: petition.slug },
      { intent: "sign", visibility: "public", noAnonymousSignature: "on" },
    );
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(await formErrors(limited)).toEqual([expect.stringMatching(/signing too fast\. Please wait \d+/)]);
    expect(getDb().select().from(signatures).all().length).toBe(before);
    expect((await sign()).status).toBe(302);
  });

  it("answer a refused state with its status and message on the form", async () => {
    resetRateLimits();
    const petition = openPetition(company);
    const twice = async () =>
      callRoute(
        petitionRoute,
        "action",
        creator,
        `/petitions/${petition.slug}`,
        { slug: petition.slug },
        {
          intent: "sign",
          visibility: "public",
          noAnonymousSignature: "on",
        },
      );
    expect((await twice()).status).toBe(302);
    const again = await twice();
    expect(again.status).toBe(409);
    expect(await formErrors(again)).toEqual(["You have already signed this petition."]);
  });

  it("answer sign-in requests over the limit with 429 and Retry-After, whatever the address", async () => {
    resetRateLimits();
    let last: Response | undefined;
    for (let i = 0; i < 6; i++) {
      last = await callRoute(signInRoute, "action", null, "/sign-in", {}, { email: "someone@corp.example" });
    }
    expect(last?.status).toBe(429);
    expect(Number(last?.headers.get("Retry-After"))).toBeGreaterThan(0);
    const body = (await last?.json()) as { result: Reply; sentTo: string | null };
    expect(body.sentTo).toBeNull();
    expect(body.result.error?.[""]).toEqual([expect.stringMatching(/Too many sign-in requests/)]);
  });

  it("put field errors on their fields, and rethrow what is not a refusal", async () => {
    const reply = (options: { formErrors?: string[]; fieldErrors?: Record<string, string[]> }) => ({
      status: "error" as const,
      error: { ...(options.formErrors ? { "": options.formErrors } : {}), ...options.fieldErrors },
    });
    const request = new Request("http://localhost/");
    const answered = await refusalReply(
      new Refusal("Bad file", 400, { file: ["Not a CSV."] }),
      { reply },
      request,
    );
    expect(answered.status).toBe(400);
    expect(await answered.json()).toEqual({ status: "error", error: { file: ["Not a CSV."] } });
    const bug = new TypeError("a bug");
    await expect(refusalReply(bug, { reply }, request)).rejects.toBe(bug);
  });

  it("write a refusal made from the catalogs in the reader's language on a page, and in English for the API", async () => {
    const reply = (options: { formErrors?: string[] }) => ({
      status: "error" as const,
      error: { "": options.formErrors ?? null },
    });
    const refusal = new PetitionError(say("server.petition.alreadySigned"), 409);
    const german = new Request("http://localhost/", { headers: { "Accept-Language": "de-DE,de;q=0.9" } });
    const answered = await refusalReply(refusal, { reply }, german);
    expect(await answered.json()).toEqual({
      status: "error",
      error: { "": ["Sie haben diese Petition bereits unterschrieben."] },
    });
    // The API's `error` stays English; `said` carries the words for the product's own browser code.
    expect(await apiRefusal(refusal).json()).toEqual({
      error: "You have already signed this petition.",
      said: { key: "server.petition.alreadySigned" },
    });
    // A page's thrown answer carries the words, for its error boundary to write in the reader's language.
    const thrown = (() => {
      try {
        refuseIf(refusal);
      } catch (error) {
        return error as Response;
      }
    })();
    expect(await thrown?.text()).toBe("server.petition.alreadySigned");
  });

  it("answer a loader's refusal as the page, with its status, message and Retry-After", async () => {
    expect(() => refuseIf(null)).not.toThrow();
    const thrown = (() => {
      try {
        refuseIf(new RateLimited("Please wait a minute.", 60_000));
      } catch (response) {
        return response as Response;
      }
    })();
    expect(thrown?.status).toBe(429);
    expect(thrown?.headers.get("Retry-After")).toBe("60");
    expect(await thrown?.text()).toBe("Please wait a minute.");
  });

  it("answer an API's refusal as JSON, keeping the route's headers and adding Retry-After", async () => {
    const answer = apiRefusal(new RateLimited("Too many sign-ins.", 1500), {
      "Set-Cookie": "pending=; Max-Age=0",
    });
    expect(answer.status).toBe(429);
    expect(answer.headers.get("Retry-After")).toBe("2");
    expect(answer.headers.get("Set-Cookie")).toBe("pending=; Max-Age=0");
    expect(await answer.json()).toEqual({ error: "Too many sign-ins." });
    const bug = new TypeError("a bug");
    expect(() => apiRefusal(bug)).toThrow(bug);
  });
});
