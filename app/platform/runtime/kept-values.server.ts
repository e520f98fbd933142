import { askPrimary, inProcessGroup } from "./process-group.server";

/**
 * Values kept as first computed, for every process alike: the first process to compute one for a key
 * offers it, and every process (itself included) gets the first value offered for that key from then
 * on. For what must not differ between workers though computing it twice could give two answers (a
 * petition's breakdowns "as the directory had them at the day's first view"). Under `npm start` the
 * primary keeps them (ADR 25); elsewhere this process does. Bounded: the least recently used key goes
 * first past `maxKeys`. Values cross the IPC channel as JSON.
 */
export class KeptValues {
  clear(): void {
    this.values.clear();
  }

  private readonly values = new Map<string, unknown>();

  constructor(readonly maxKeys = 2_000) {}

  get(key: string): unknown {
    if (!this.values.has(key)) return undefined;
    const value = this.values.get(key);
    this.values.delete(key);
    this.values.set(key, value);
    return value;
  }

  /** The value kept for the key: the one offered first. */
  offer(key: string, value: unknown): unknown {
    const kept = this.get(key);
    if (kept !== undefined) return kept;
    this.values.set(key, value);
    if (this.values.size > this.maxKeys) {
      const oldest = this.values.keys().next().value;
      if (oldest !== undefined) this.values.delete(oldest);
    }
    return value;
  }
}

const local = new KeptValues();

/** Forgets what this process kept (tests that backdate rows a kept value already counted). */
export function forgetKeptValues(): void {
  local.clear();
}

/** The value first computed for `key` by any process; `compute` runs only when there is none yet. */
export async function keptValue<T>(key: string, compute: () => T): Promise<T> {
  if (!inProcessGroup()) return local.offer(key, local.get(key) ?? compute()) as T;
  const kept = await askPrimary<T | null>({ kind: "kept:get", key });
  if (kept !== null && kept !== undefined) return kept;
  return askPrimary<T>({ kind: "kept:offer", key, value: compute() });
}
