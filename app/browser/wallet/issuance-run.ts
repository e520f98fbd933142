import { fingerprintOf } from "../blind-tokens";
import {
  type DerivedRequest,
  deriveRequest,
  finalizeDerived,
  type IssuerKey,
  issuerKeyProblem,
} from "../derived-tokens";
import { postJson, refusalOf, WalletError, type WalletWords } from "./http";
import { moveLegacyEntries } from "./legacy";
import {
  checkLog,
  FEEDBACK_KEY_CHANGED,
  FEEDBACK_KEY_NOT_CONFIRMED,
  FEEDBACK_KEY_NOT_LOGGED,
  KEY_CHANGED,
  KEY_NOT_CONFIRMED,
  KEY_NOT_LOGGED,
  KEY_REFUSALS,
  type LogCheck,
} from "./log-check";
import { allEntries, logPins, readEntry, readRun, walletSecret, writeEntry, writeRun } from "./store";
import type { HeldFeedbackPermission, HeldPetition, Refusal, RunState, Token } from "./types";

/**
 * A full background run (docs/anonymity.md, "Issuance"): every open petition's key and this week's
 * feedback key of every policy, asked for in batches, whatever its person means to sign — so the
 * server's issuance rows say "this person's device got ready", never "this person signs". A run
 * cut short resumes where it stopped (what is held is not asked again); its completion is recorded
 * only when every target was asked. Runs in token-worker.ts, one at a time across tabs (a Web Lock).
 */

export const RUN_EVERY_MS = 60 * 60_000;
export const BATCH = 50;
/** The BroadcastChannel every tab hears a run's progress on. */
export const PROGRESS_CHANNEL = "undersigned-issuance";
const LOCK = "undersigned-wallet-issuance";

type PetitionTarget = { scope: string; id: number; slug: string; publicKey: string; fingerprint: string };
type FeedbackTarget = { scope: string; policyId: number; publicKey: string; fingerprint: string };
type Targets = { petitions: PetitionTarget[]; feedback: FeedbackTarget[] };
type Target = ({ kind: "petition" } & PetitionTarget) | ({ kind: "feedback" } & FeedbackTarget);
type Result = { scope: string; blindSignature?: string; refused?: string; message?: string };

/** Refusals that stand: asking again would be refused again (the others may change by the next run). */
const LASTING = new Set(["signed-publicly", "issued-otherwise", "not-in-log"]);

/** `paused`: the run asked for nothing, and why (log-check.ts), in plain words. */
export type Progress = {
  done: number;
  total: number;
  completed: boolean;
  paused?: string;
  /** `paused` in the reader's words (a catalog key). */
  pausedWords?: WalletWords;
};

/** Whether a run is due: never completed, cut short, over an hour old, or a target it did not cover. */
export function runIsDue(run: RunState | undefined, now: number, knownScope?: string) {
  if (!run?.completedAt) return true;
  if (now - run.completedAt >= RUN_EVERY_MS) return true;
  return knownScope !== undefined && !run.scopes.includes(knownScope);
}

export function runIssuance(
  options: { force: boolean; scope?: string },
  onProgress: (progress: Progress) => void,
): Promise<Progress> {
  const step = () => oneRun(options, onProgress);
  return typeof navigator !== "undefined" && navigator.locks
    ? navigator.locks.request(LOCK, step).then((result) => result)
    : step();
}

async function oneRun(
  options: { force: boolean; scope?: string },
  onProgress: (progress: Progress) => void,
): Promise<Progress> {
  await moveLegacyEntries();
  const secret = await walletSecret();
  if (!secret) throw new WalletError("This device is not set up for anonymous signing.");
  const previous = await readRun();
  // Another tab's run may have finished while this one waited for the lock.
  if (!options.force && !runIsDue(previous, Date.now(), options.scope)) {
    return { done: previous?.total ?? 0, total: previous?.total ?? 0, completed: true };
  }
  // Without a cookie: the list every device gets alike, so the server cannot hand this person a key of
  // their own (which would tag their signature) — short of telling devices apart by address.
  const response = await fetch("/api/tokens", {
    credentials: "omit",
    headers: { Accept: "application/json" },
  });
  if (!response.ok)
    throw new WalletError(`The list of open petitions could not be read (${response.status}).`);
  const targets = (await response.json()) as Targets;
  const all: Target[] = [
    ...targets.petitions.map((t) => ({ kind: "petition" as const, ...t })),
    ...targets.feedback.map((t) => ({ kind: "feedback" as const, ...t })),
  ];
  const run: RunState = {
    startedAt: previous && !previous.completedAt ? previous.startedAt : Date.now(),
    completedAt: null,
    done: 0,
    total: all.length,
    scopes: previous?.scopes ?? [],
    paused: null,
    pausedWords: null,
  };
  // The public log, also without a cookie: every key asked for must be the one it holds, witnessed.
  const log = await checkLog(Date.now(), (path) => fetch(path, logRequest), logPins);
  if (log.state === "paused") {
    await writeRun({ ...run, paused: log.message, pausedWords: log.words });
    onProgress({ done: 0, total: run.total, completed: false, paused: log.message, pausedWords: log.words });
    throw new WalletError(log.message, log.words);
  }
  // What this device already holds is checked first: a signature held from before the log (or for a
  // key the log has not confirmed yet) is never spent until its key is the logged one.
  await confirmHeld(log);
  const missing: Target[] = [];
  for (const target of all) {
    if (await isSettled(target)) run.done++;
    else if (await isUnlogged(target, log)) run.done++;
    else missing.push(target);
  }
  await writeRun(run);
  onProgress({ done: run.done, total: run.total, completed: false });
  for (let at = 0; at < missing.length; at += BATCH) {
    const chunk = missing.slice(at, at + BATCH);
    await askFor(secret, chunk);
    run.done += chunk.length;
    await writeRun(run);
    onProgress({ done: run.done, total: run.total, completed: false });
  }
  const finished: RunState = { ...run, completedAt: Date.now(), scopes: all.map((t) => t.scope) };
  await writeRun(finished);
  const progress = { done: finished.total, total: finished.total, completed: true };
  onProgress(progress);
  return progress;
}

/**
 * Every petition and feedback key this device holds, against the verified log: the logged key →
 * recorded as confirmed (only then is what it holds spent, signing.ts, feedback.ts); another key, or
 * an entry that does not verify → refused for good; not in this checkpoint → left as it is (a key
 * confirmed before stays confirmed: the log only grows).
 */
async function confirmHeld(log: Extract<LogCheck, { state: "verified" }>) {
  for (const held of await allEntries()) {
    if (held.kind === "feedback") continue;
    const logged = log.keys.get(held.scope);
    if (!logged) continue;
    if (
      logged !== "disproved" &&
      logged.fingerprint === held.fingerprint &&
      logged.publicKey === held.publicKey
    ) {
      if (held.logConfirmed !== held.fingerprint)
        await writeEntry(held.scope, { ...held, logConfirmed: held.fingerprint });
    } else if (!held.refused || !KEY_REFUSALS.has(held.refused.reason)) {
      const message = held.kind === "petition" ? KEY_NOT_LOGGED : FEEDBACK_KEY_NOT_LOGGED;
      await writeEntry(held.scope, {
        ...held,
        logConfirmed: null,
        refused: { reason: "not-in-log", message },
      });
    }
  }
}

/** Held already, or refused for good: nothing to ask. A kept key that changed is refused here. */
async function isSettled(target: Target) {
  const held = await readEntry<HeldPetition | HeldFeedbackPermission>(target.scope);
  if (!held) return false;
  if (held.fingerprint !== target.fingerprint) {
    const message = held.kind === "petition" ? KEY_CHANGED : FEEDBACK_KEY_CHANGED;
    await writeEntry(target.scope, { ...held, refused: { reason: "key-changed", message } });
    return true;
  }
  return Boolean(held.token) || (held.refused !== null && LASTING.has(held.refused.reason));
}

const logRequest: RequestInit = {
  credentials: "omit",
  cache: "no-store",
  headers: { Accept: "application/json" },
};

/**
 * A target whose key the public log does not confirm is not asked for: not in the witnessed
 * checkpoint yet (asked again at the next run), or another key than the one logged (refused for good).
 */
async function isUnlogged(target: Target, log: Extract<LogCheck, { state: "verified" }>) {
  const logged = log.keys.get(target.scope);
  if (!logged) {
    const message = target.kind === "petition" ? KEY_NOT_CONFIRMED : FEEDBACK_KEY_NOT_CONFIRMED;
    await keep(target, null, { reason: "not-confirmed", message });
    return true;
  }
  if (
    logged === "disproved" ||
    logged.fingerprint !== target.fingerprint ||
    logged.publicKey !== target.publicKey
  ) {
    const message = target.kind === "petition" ? KEY_NOT_LOGGED : FEEDBACK_KEY_NOT_LOGGED;
    await keep(target, null, { reason: "not-in-log", message });
    return true;
  }
  return false;
}

async function askFor(secret: Uint8Array, chunk: Target[]) {
  const requests = new Map<string, { target: Target; request: DerivedRequest }>();
  for (const target of chunk) {
    const issuer: IssuerKey = { publicKey: target.publicKey, fingerprint: target.fingerprint };
    if ((await issuerKeyProblem(issuer)) || (await fingerprintOf(target.publicKey)) !== target.fingerprint) {
      await keep(target, null, {
        reason: "key-mismatch",
        message:
          "The signing key published for this is not one this device accepts: this device asked for nothing.",
      });
      continue;
    }
    requests.set(target.scope, { target, request: await deriveRequest(secret, target.scope, issuer) });
  }
  if (!requests.size) return;
  const { status, data } = await postJson(
    "/api/tokens",
    {
      requests: [...requests.values()].map(({ request }) => ({
        scope: request.scope,
        blindedMessage: request.blindedMessage,
      })),
    },
    "same-origin",
  );
  if (status !== 200 || !Array.isArray(data.results)) {
    throw refusalOf(data, `This device could not get ready for anonymous signing (${status}).`);
  }
  for (const result of data.results as Result[]) {
    const asked = requests.get(result.scope);
    if (!asked) continue;
    const { target, request } = asked;
    if (typeof result.blindSignature === "string") {
      const signature = await finalizeDerived(
        { publicKey: target.publicKey, fingerprint: target.fingerprint },
        request,
        result.blindSignature,
      );
      await keep(target, { message: request.message, signature, tokenId: request.tokenId }, null);
    } else {
      await keep(target, null, {
        reason: result.refused ?? "refused",
        message: result.message ?? "The server gave nothing for this.",
      });
    }
  }
}

/**
 * What the run learnt for a target. A token is kept only for a target whose key the verified log
 * confirmed this run (isUnlogged), so it is recorded as log-confirmed with it.
 */
async function keep(target: Target, token: Token | null, refused: Refusal | null) {
  const confirmed = token ? { logConfirmed: target.fingerprint } : {};
  const held = await readEntry<HeldPetition | HeldFeedbackPermission>(target.scope);
  if (target.kind === "petition") {
    const entry: HeldPetition =
      held?.kind === "petition"
        ? { ...held, ...confirmed, token: held.token ?? token, refused: token ? null : refused }
        : {
            kind: "petition",
            scope: target.scope,
            petitionId: target.id,
            slug: target.slug,
            title: null,
            publicKey: target.publicKey,
            fingerprint: target.fingerprint,
            token,
            ...confirmed,
            refused,
            status: "unused",
            standing: false,
            actionSeq: 0,
            pendingAction: null,
            reason: null,
            problem: null,
            sentAt: null,
            sentBoot: null,
          };
    await writeEntry(target.scope, entry);
  } else {
    const entry: HeldFeedbackPermission =
      held?.kind === "feedback-token"
        ? { ...held, ...confirmed, token: held.token ?? token, refused: token ? null : refused }
        : {
            kind: "feedback-token",
            scope: target.scope,
            policyId: target.policyId,
            publicKey: target.publicKey,
            fingerprint: target.fingerprint,
            token,
            ...confirmed,
            refused,
            used: false,
          };
    await writeEntry(target.scope, entry);
  }
}
