import { sessionUser } from "../domain/identity/sessions.server";
import { translatorOf } from "../i18n/translate";
import { intlOf, readerOf } from "./reader.server";

/**
 * "You are signed in.", in the words of the page that follows: the person's own language once their
 * new session exists (the request that signed them in still speaks for a stranger's browser).
 */
export function signedInMessage(request: Request, sessionToken: string): string {
  const user = sessionUser(sessionToken)?.user ?? null;
  return translatorOf(intlOf(readerOf(request, user)))("identity.signedIn");
}
