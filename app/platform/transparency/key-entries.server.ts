import { Refusal } from "../refusal";
import { say } from "../said";
import { startOfDay } from "../time";
import { appendEntries, firstScopeEntry } from "./log.server";

/**
 * Signing keys in the log: each scope's key is logged in the transaction that stores it, and its
 * retirement in the one that retires it. A scope has one key for life, so the log never holds two
 * for one scope and a browser accepts only the first (docs/transparency-log.md).
 */

export class SecondKeyRefused extends Refusal {}

export const logDay = (ms: number) => new Date(startOfDay(ms)).toISOString().slice(0, 10);

type Key = { publicKey: string; fingerprint: string };

/** Logs a scope's new key; a scope that has a logged key already is refused (the caller rolls back). */
export function logNewKey(scope: string, key: Key, createdAt: number, legacyAnonymous = 0): void {
  const first = firstScopeEntry(scope, "key");
  if (first && first.entry.fingerprint === key.fingerprint) return;
  if (first) throw new SecondKeyRefused(say("admin.refusal.log.secondKey", { scope }), 409);
  appendEntries([
    {
      type: "key",
      scope,
      fingerprint: key.fingerprint,
      publicKey: key.publicKey,
      on: logDay(createdAt),
      legacyAnonymous,
    },
  ]);
}

/** Logs a key's retirement (its private half deleted: nothing can be signed with it any more). */
export function logRetiredKey(scope: string, fingerprint: string, retiredAt: number): void {
  if (firstScopeEntry(scope, "key-retired")) return;
  appendEntries([{ type: "key-retired", scope, fingerprint, on: logDay(retiredAt) }]);
}
