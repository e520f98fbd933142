import { CLI_ACTOR } from "../../app/models/audit.server";
import { importDirectory } from "../../app/models/people.server";
import { commitSessionCookie, createSession } from "../../app/models/sessions.server";
import { getDb } from "../../db/client";

export const DIRECTORY_CSV = `email,name,department,location
ada@corp.example,Ada Lovelace,Engineering,London
grace@corp.example,Grace Hopper,Research,New York
linus@corp.example,Linus Pauling,Legal,Berlin
`;

export function importSampleDirectory(csv = DIRECTORY_CSV) {
  return importDirectory(csv, CLI_ACTOR);
}

/** A request carrying a real session cookie for this person, as the browser would send it. */
export async function requestAs(
  personId: number | null,
  url = "http://undersigned.test:3000/admin",
): Promise<Request> {
  if (personId === null) return new Request(url);
  const token = createSession(getDb(), personId);
  const setCookie = await commitSessionCookie(token);
  return new Request(url, { headers: { Cookie: setCookie.split(";")[0] ?? "" } });
}

export async function thrown(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("Expected the call to throw");
}
