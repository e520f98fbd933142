/**
 * The witness's own record (docs/witness.md): its cosigning key, the log it pinned on first sight,
 * the checkpoint it last cosigned with the right edge of that tree, and the first key it saw for each
 * scope. Kept in one JSON file, readable by its owner only; losing it means starting over.
 */
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { CompactRange } from "../platform/transparency/merkle";
import {
  type NoteSigner,
  newNoteSigner,
  noteSignerFrom,
  vkeyOf,
} from "../platform/transparency/note-signing.server";
import { fromBase64, isValidKeyName, SIG_COSIGNATURE, toBase64 } from "../platform/transparency/signed-note";

export const DEFAULT_STATE_FILE = "undersigned-witness.json";

export type WitnessState = {
  version: 1;
  /** The cosigning key: its name (in each cosignature line) and PKCS#8 DER, base64url. */
  name: string;
  privateKey: string;
  vkey: string;
  /** Pinned on the first poll: another origin or log key later is refused. */
  log: { url: string; origin: string; logKey: string } | null;
  /** The checkpoint last cosigned: its size and root, and the signed note as the log served it. */
  cosigned: { size: number; root: string; note: string } | null;
  /** The right edge of the tree of that size (base64 hashes), to check the next entries against. */
  tree: { size: number; hashes: string[] };
  /** Each scope's first logged key (its fingerprint), and the scopes whose key was retired. */
  keys: Record<string, string>;
  retired: Record<string, string>;
};

export class WitnessStateError extends Error {
  override name = "WitnessStateError";
}

/** A key name from this machine's name: "witness.<host>", without spaces or plus signs. */
export function defaultWitnessName(host = hostname()): string {
  const cleaned = host
    .toLowerCase()
    .replace(/[^a-z0-9.-]+/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "");
  return `witness.${cleaned || "unnamed"}`;
}

/** Makes a new key and an empty record; refuses to replace an existing state file (its key would be lost). */
export function initWitnessState(file: string, name: string = defaultWitnessName()): WitnessState {
  if (!isValidKeyName(name))
    throw new WitnessStateError(`"${name}" cannot name a witness: use no spaces or "+".`);
  if (existsSync(file))
    throw new WitnessStateError(
      `${file} already exists: it holds a witness's key and record. Use another --state file, or keep this one.`,
    );
  const { signer, pkcs8 } = newNoteSigner(name, SIG_COSIGNATURE);
  const state: WitnessState = {
    version: 1,
    name,
    privateKey: pkcs8,
    vkey: vkeyOf(signer),
    log: null,
    cosigned: null,
    tree: { size: 0, hashes: [] },
    keys: {},
    retired: {},
  };
  saveWitnessState(file, state);
  return state;
}

export function loadWitnessState(file: string): WitnessState {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === "ENOENT" ? "it does not exist" : "it is not JSON";
    throw new WitnessStateError(
      `Cannot read the witness's state from ${file}: ${reason}. Make one with \`npm run witness -- init --state ${file}\`.`,
    );
  }
  const state = value as WitnessState;
  if (
    typeof value !== "object" ||
    value === null ||
    state.version !== 1 ||
    typeof state.name !== "string" ||
    typeof state.privateKey !== "string" ||
    typeof state.tree !== "object" ||
    typeof state.keys !== "object" ||
    typeof state.retired !== "object"
  )
    throw new WitnessStateError(`${file} is not a witness's state file.`);
  return state;
}

/** Written whole to a temporary file and renamed over the old one, so a crash leaves one or the other. */
export function saveWitnessState(file: string, state: WitnessState): void {
  const partial = `${file}.partial`;
  writeFileSync(partial, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  chmodSync(partial, 0o600);
  renameSync(partial, file);
}

export const witnessSigner = (state: WitnessState): NoteSigner =>
  noteSignerFrom(state.name, SIG_COSIGNATURE, state.privateKey);

export const treeOf = (state: WitnessState): CompactRange =>
  new CompactRange(state.tree.size, state.tree.hashes.map(fromBase64));

export const treeRecord = (range: CompactRange): WitnessState["tree"] => ({
  size: range.size,
  hashes: range.hashes.map(toBase64),
});
