/**
 * One poll of the witness (docs/witness.md): read the log's trust and newest checkpoint, check that
 * the log only grew since the checkpoint this witness last cosigned (consistency proof, then every
 * new entry replayed into its own copy of the tree), check what a witness of this log enforces on the
 * entries (never a second key for a scope; a retirement only of a logged key), then record and cosign.
 * Anything that shows the log rewrote or forked its history is a refusal, carrying both checkpoints.
 */
import { type LogEntry, parseEntry } from "../platform/transparency/log-entries";
import { equalHashes, leafHash, verifyConsistency } from "../platform/transparency/merkle";
import { cosign } from "../platform/transparency/note-signing.server";
import {
  type Checkpoint,
  formatNote,
  fromBase64,
  NoteError,
  parseCheckpoint,
  parseNote,
  parseVkey,
  SIG_ED25519,
  signatureBy,
  toBase64,
  verifySignature,
} from "../platform/transparency/signed-note";
import { treeOf, treeRecord, type WitnessState, witnessSigner } from "./witness-state";

export type PollResult =
  /** The checkpoint of `size` was checked, recorded (with `save`) and cosigned; the server took the cosignature. */
  | { kind: "cosigned"; origin: string; size: number; state: WitnessState }
  /** Checked and recorded, but the server does not list this witness (403). */
  | { kind: "not-listed"; origin: string; size: number; state: WitnessState; message: string }
  /** The server could not be asked, or did not answer as a log does: nothing was decided. */
  | { kind: "unreachable"; message: string }
  /** The log is not what this witness cosigned before: never cosigned, shown as evidence. */
  | { kind: "refused"; reason: string; cosignedNote: string | null; newNote: string };

export type PollOptions = {
  /** The server's address (its /api/log/… endpoints). */
  url: string;
  /** Now, in milliseconds: the cosignature's timestamp is its second. */
  now: () => number;
  /** Keeps the new state before the cosignature leaves (so a crash never forgets what was signed). */
  save: (state: WitnessState) => void;
  fetch?: typeof fetch;
  /** How long one request may take (default 30 s): a silent server cannot hang a poll. */
  timeoutMs?: number;
};

class Unreachable extends Error {}
class Refused extends Error {}

const PAGE = 1000;

/** Polls once. Never throws for what the server answers; returns the new state to keep. */
export async function pollOnce(state: WitnessState, options: PollOptions): Promise<PollResult> {
  const base = options.url.replace(/\/+$/, "");
  const timeoutMs = options.timeoutMs ?? TIMEOUT_MS;
  const fetcher = options.fetch ?? fetch;
  const get = (path: string) => request(fetcher, `${base}${path}`, timeoutMs);
  let newNote = "";
  try {
    const trust = parseTrust(await get("/api/log/trust"));
    newNote = await get("/api/log/checkpoint");
    const pinned = state.log ?? { url: base, origin: trust.origin, logKey: trust.logKey };
    if (pinned.origin !== trust.origin || pinned.logKey !== trust.logKey)
      throw new Refused(
        `The server now names another log or log key than the one this witness pinned.\n  pinned: ${pinned.origin} ${pinned.logKey}\n  served: ${trust.origin} ${trust.logKey}`,
      );
    const checkpoint = verifiedCheckpoint(newNote, pinned);
    const body = parseNote(newNote).body;
    const { tree, keys, retired } = await checkGrowth(state, checkpoint, get);
    const next: WitnessState = {
      ...state,
      log: pinned,
      cosigned: { size: checkpoint.size, root: toBase64(checkpoint.root), note: newNote },
      tree,
      keys,
      retired,
    };
    options.save(next);
    const signature = cosign(body, witnessSigner(state), Math.floor(options.now() / 1000));
    const url = `${base}/api/log/cosignature`;
    const { posted, answer } = await withDeadline(timeoutMs, url, async (signal) => {
      try {
        const posted = await fetcher(url, {
          method: "POST",
          headers: { "Content-Type": "text/plain; charset=utf-8" },
          body: formatNote(body, [signature]),
          signal,
        });
        return { posted, answer: (await boundedText(posted, url)).trim() };
      } catch (error) {
        if (error instanceof Unreachable) throw error;
        throw new Unreachable(`Could not send the cosignature to ${base}: ${describe(error)}`);
      }
    });
    const done = { origin: checkpoint.origin, size: checkpoint.size, state: next };
    if (posted.status === 403) return { kind: "not-listed", ...done, message: answer };
    if (!posted.ok)
      return {
        kind: "unreachable",
        message: `The server did not take the cosignature (${posted.status}): ${answer}`,
      };
    return { kind: "cosigned", ...done };
  } catch (error) {
    if (error instanceof Unreachable) return { kind: "unreachable", message: error.message };
    if (error instanceof Refused || error instanceof NoteError)
      return { kind: "refused", reason: error.message, cosignedNote: state.cosigned?.note ?? null, newNote };
    throw error;
  }
}

/** How long one request may take, and how much it may answer: a server cannot hang or flood a witness. */
const TIMEOUT_MS = 30_000;
const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

async function request(fetcher: typeof fetch, url: string, ms: number): Promise<string> {
  return withDeadline(ms, url, async (signal) => {
    let response: Response;
    try {
      response = await fetcher(url, {
        credentials: "omit",
        headers: { "Cache-Control": "no-store" },
        signal,
      });
    } catch (error) {
      throw new Unreachable(`Could not reach ${url}: ${describe(error)}`);
    }
    const text = await boundedText(response, url);
    if (!response.ok)
      throw new Unreachable(`${url} answered ${response.status}: ${text.trim().slice(0, 300)}`);
    return text;
  });
}

/**
 * A request with its whole answer, body included, given up after `ms`: aborted, and answered as
 * unreachable even if the fetch ignores the abort or the body never ends.
 */
function withDeadline<T>(ms: number, url: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Unreachable(`No full answer from ${url} within ${Math.round(ms / 1000)} s.`));
    }, ms);
  });
  return Promise.race([work(controller.signal), timeout]).finally(() => clearTimeout(timer));
}

/** The answer's text, refused past MAX_ANSWER_BYTES (counted as it arrives). */
async function boundedText(response: Response, url: string): Promise<string> {
  if (Number(response.headers.get("Content-Length")) > MAX_ANSWER_BYTES)
    throw new Unreachable(`${url} answered with more than ${MAX_ANSWER_BYTES} bytes.`);
  const reader = response.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_ANSWER_BYTES) {
      await reader.cancel();
      throw new Unreachable(`${url} answered with more than ${MAX_ANSWER_BYTES} bytes.`);
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

const describe = (error: unknown) =>
  error instanceof Error
    ? `${error.message}${error.cause instanceof Error ? ` (${error.cause.message})` : ""}`
    : String(error);

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Unreachable(`The server's ${what} is not JSON.`);
  }
}

function parseTrust(text: string): { origin: string; logKey: string } {
  const trust = parseJson(text, "trust answer") as { origin?: unknown; logKey?: unknown };
  if (typeof trust.origin !== "string" || typeof trust.logKey !== "string")
    throw new Unreachable("The server's trust answer has no log origin and key.");
  return { origin: trust.origin, logKey: trust.logKey };
}

/** The checkpoint, signed by the pinned log key under the pinned origin. */
function verifiedCheckpoint(note: string, pinned: { origin: string; logKey: string }): Checkpoint {
  const verifier = parseVkey(pinned.logKey);
  if (verifier.type !== SIG_ED25519) throw new Refused("The pinned log key is not an Ed25519 signing key.");
  let body: string;
  let signatures: ReturnType<typeof parseNote>["signatures"];
  try {
    ({ body, signatures } = parseNote(note));
  } catch (error) {
    // A page that is no checkpoint at all (a proxy's error page, a captive portal) proves nothing.
    throw new Unreachable(`The server's checkpoint is not a signed note (${(error as Error).message}).`);
  }
  const signature = signatureBy(signatures, verifier);
  if (!signature || !verifySignature(body, signature, verifier))
    throw new Refused("The newest checkpoint is not signed by the log's key.");
  const checkpoint = parseCheckpoint(body);
  if (checkpoint.origin !== pinned.origin)
    throw new Refused(`The newest checkpoint names another log (${checkpoint.origin}).`);
  return checkpoint;
}

/**
 * The log grew from what this witness last cosigned to `checkpoint`: same size only with the same
 * root; a bigger one proved consistent, and its new entries replayed to the same root and keeping
 * the content rule. Returns the state's tree and keys after it.
 */
async function checkGrowth(
  state: WitnessState,
  checkpoint: Checkpoint,
  get: (path: string) => Promise<string>,
): Promise<Pick<WitnessState, "tree" | "keys" | "retired">> {
  const last = state.cosigned;
  if (last) {
    const lastRoot = fromBase64(last.root);
    if (checkpoint.size < last.size)
      throw new Refused(
        `The log shrank: it now has ${checkpoint.size} entries, after this witness cosigned ${last.size}.`,
      );
    if (checkpoint.size === last.size && !equalHashes(checkpoint.root, lastRoot))
      throw new Refused(
        `The log changed its history: a checkpoint of the same size (${last.size} entries) with another root hash.`,
      );
    if (checkpoint.size > last.size && last.size > 0) {
      const answer = parseJson(
        await get(`/api/log/proof/consistency?from=${last.size}&to=${checkpoint.size}`),
        "consistency proof",
      ) as { proof?: unknown };
      const proof = proofHashes(answer.proof);
      if (!verifyConsistency(last.size, checkpoint.size, proof, lastRoot, checkpoint.root))
        throw new Refused(
          `The log is not append-only: the tree of ${checkpoint.size} entries does not extend the tree of ${last.size} this witness cosigned (the consistency proof fails).`,
        );
    }
  }
  const tree = treeOf(state);
  const keys = { ...state.keys };
  const retired = { ...state.retired };
  const served: Array<{ index: number; data: Uint8Array }> = [];
  while (tree.size < checkpoint.size) {
    const answer = parseJson(
      await get(`/api/log/entries?start=${tree.size}&end=${Math.min(checkpoint.size, tree.size + PAGE)}`),
      "entries",
    ) as { entries?: unknown };
    const entries = Array.isArray(answer.entries) ? answer.entries : [];
    if (!entries.length) throw new Unreachable(`The server sent no entries from ${tree.size}.`);
    for (const item of entries as Array<{ index?: unknown; data?: unknown }>) {
      if (tree.size >= checkpoint.size) break;
      if (item.index !== tree.size || typeof item.data !== "string")
        throw new Unreachable(`The server sent entries out of order at ${tree.size}.`);
      const data = new TextEncoder().encode(item.data);
      served.push({ index: tree.size, data });
      tree.append(leafHash(data));
    }
  }
  // Entries that do not give the signed root prove nothing (anyone can serve any line): not evidence,
  // an answer to try again. Only entries the signed root vouches for are held to the log's rules.
  if (!equalHashes(tree.root(), checkpoint.root))
    throw new Unreachable(
      last
        ? `The server's entries do not add up to its checkpoint: the ${checkpoint.size - last.size} entries after the ${last.size} this witness cosigned give another root hash.`
        : `The server's entries do not add up to its checkpoint of ${checkpoint.size} entries.`,
    );
  for (const { index, data } of served) {
    let entry: LogEntry;
    try {
      entry = parseEntry(data);
    } catch (error) {
      throw new Refused(`Entry ${index} is not a log entry: ${(error as Error).message}`);
    }
    checkContent(entry, index, keys, retired);
  }
  return { tree: treeRecord(tree), keys, retired };
}

function proofHashes(value: unknown): Uint8Array[] {
  if (!Array.isArray(value) || !value.every((h) => typeof h === "string"))
    throw new Unreachable("The server's consistency proof is not a list of hashes.");
  try {
    return value.map((h: string) => fromBase64(h));
  } catch {
    throw new Unreachable("The server's consistency proof is not a list of hashes.");
  }
}

/** What this log promises about its entries: one key per scope for life, retired only once logged. */
function checkContent(
  entry: LogEntry,
  index: number,
  keys: Record<string, string>,
  retired: Record<string, string>,
): void {
  if (entry.type === "key") {
    const first = keys[entry.scope];
    if (first !== undefined)
      throw new Refused(
        `Entry ${index} is a second key for ${entry.scope} (fingerprint ${entry.fingerprint}); the log already holds its key ${first}. A scope has one key for life: a second one could be handed to some signers to tell them apart.`,
      );
    keys[entry.scope] = entry.fingerprint;
  } else if (entry.type === "key-retired") {
    if (keys[entry.scope] !== entry.fingerprint)
      throw new Refused(
        `Entry ${index} retires a key of ${entry.scope} (fingerprint ${entry.fingerprint}) that the log never held.`,
      );
    retired[entry.scope] = entry.fingerprint;
  }
}
