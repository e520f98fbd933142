import { clear, createStore, del, entries, get, set, type UseStore } from "idb-keyval";
import type { LogPin, PinStore } from "./log-check";
import type { HeldEntry, RunState } from "./types";

/**
 * What this device keeps for anonymous signing, in IndexedDB and nowhere else on it: the wallet
 * secret (which rebuilds every anonymous signature the person can make, on any device that holds
 * it), the per-petition and per-policy state of this device's anonymous acts, and the progress of
 * its background run. "Forget on this device" clears it all.
 *
 * Keys: "secret" · "run" · "boot" · "log" · a scope ("petition:12", "feedback:3:2026-W49") · "receipt:<id>".
 */
let deviceStore: UseStore | null = null;
let legacyStore: UseStore | null = null;
// Opened lazily: the module is also imported while rendering on the server.
const device = () => {
  deviceStore ??= createStore("undersigned-device", "state");
  return deviceStore;
};
/** The previous design's store: random tokens this browser fetched itself (see legacy.ts). */
export const legacy = () => {
  legacyStore ??= createStore("undersigned-wallet", "entries");
  return legacyStore;
};

export async function walletSecret(): Promise<Uint8Array | null> {
  const secret = await get<Uint8Array>("secret", device());
  return secret instanceof Uint8Array && secret.length === 16 ? secret : null;
}

export const keepWalletSecret = (secret: Uint8Array) => set("secret", secret, device());

export const readEntry = <T extends HeldEntry>(key: string) => get<T>(key, device());
export const writeEntry = (key: string, entry: HeldEntry) => set(key, entry, device());
export const dropEntry = (key: string) => del(key, device());

export async function allEntries(): Promise<HeldEntry[]> {
  const all = await entries<string, unknown>(device());
  return all.flatMap(([key, value]) =>
    key !== "secret" && key !== "run" && key !== "boot" && key !== "log" ? [value as HeldEntry] : [],
  );
}

export const readRun = () => get<RunState>("run", device());
export const writeRun = (run: RunState) => set("run", run, device());

/** The server start this device last saw in a petition's public digest (see status.ts). */
export const readBootId = () => get<string>("boot", device());
export const writeBootId = (bootId: string) => set("boot", bootId, device());

/** What this device pinned of the public log on first sight, and the last checkpoint it verified (log-check.ts). */
export const logPins: PinStore = {
  read: () => get<LogPin>("log", device()),
  write: (pin: LogPin) => set("log", pin, device()),
};

/** Everything, the secret included, gone from this device (a shared computer, someone demanding to look). */
export async function forgetThisDevice() {
  // The log's pin goes too: it would show that this device was used for anonymous signing.
  await clear(device());
  await clear(legacy());
}
