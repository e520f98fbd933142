import { describe, expect, it } from "vitest";
import { generateBlindKeyPair } from "../../../app/platform/anonymity/blind-signatures.server";
import {
  ENTRY_FIELDS,
  encodeEntry,
  entryLeafHash,
  type LogEntry,
  parseEntry,
} from "../../../app/platform/transparency/log-entries";
import { leafHash } from "../../../app/platform/transparency/merkle";
import { NoteError } from "../../../app/platform/transparency/signed-note";

/** The log's leaves: one canonical JSON line each, whole days and hours only, nothing else parses. */

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

// A fixed instant, as a number (no calendar literal): its day and its hour.
const INSTANT = 1_800_000_000_000;
const DAY = new Date(INSTANT).toISOString().slice(0, 10);
const HOUR = new Date(INSTANT - (INSTANT % 3_600_000)).toISOString();

const KEY = generateBlindKeyPair();
const HEAD = "ab".repeat(32);

const ENTRIES: LogEntry[] = [
  {
    type: "key",
    scope: "petition:12",
    fingerprint: KEY.fingerprint,
    publicKey: KEY.publicKey,
    on: DAY,
    legacyAnonymous: 3,
  },
  {
    type: "key",
    scope: "feedback:4:2031-W07",
    fingerprint: KEY.fingerprint,
    publicKey: KEY.publicKey,
    on: DAY,
    legacyAnonymous: 0,
  },
  { type: "key-retired", scope: "petition:12", fingerprint: KEY.fingerprint, on: DAY },
  {
    type: "petition",
    petition: 12,
    length: 240,
    head: HEAD,
    count: 230,
    tokensIssued: 1286,
    publicWithToken: 40,
    publicWithoutToken: 150,
    at: HOUR,
  },
  {
    type: "petition",
    petition: 1,
    length: 0,
    head: "0".repeat(64),
    count: 0,
    tokensIssued: 0,
    publicWithToken: 0,
    publicWithoutToken: 0,
    at: HOUR,
  },
  { type: "settings", batchMinutes: 15, batchMinimum: 5, minimumHolders: 10, at: HOUR },
  { type: "restored", petition: 12, length: 200, head: HEAD, at: HOUR },
];

/** The canonical line of an entry, written out by hand from the brief's field order. */
function line(e: LogEntry): string {
  return `{${ENTRY_FIELDS[e.type].map((f) => `"${f}":${JSON.stringify((e as Record<string, unknown>)[f])}`).join(",")}}`;
}

describe("log entries", () => {
  it("every entry type round-trips through encode and parse", () => {
    expect(new Set(ENTRIES.map((e) => e.type))).toEqual(new Set(Object.keys(ENTRY_FIELDS)));
    for (const entry of ENTRIES) {
      const encoded = encodeEntry(entry);
      expect(parseEntry(encoded)).toEqual(entry);
      expect(entryLeafHash(entry)).toEqual(leafHash(encoded));
    }
  });

  it("writes the keys in canonical order, on one line, whatever order the object was built in", () => {
    expect(
      text(
        encodeEntry({ type: "settings", batchMinutes: 15, batchMinimum: 5, minimumHolders: 10, at: HOUR }),
      ),
    ).toBe(`{"type":"settings","batchMinutes":15,"batchMinimum":5,"minimumHolders":10,"at":"${HOUR}"}`);
    for (const entry of ENTRIES) {
      const shuffled = Object.fromEntries(Object.entries(entry).reverse()) as LogEntry;
      expect(text(encodeEntry(shuffled))).toBe(line(entry));
      expect(text(encodeEntry(shuffled))).not.toContain("\n");
    }
    expect(text(encodeEntry(ENTRIES[2] as LogEntry))).toBe(
      `{"type":"key-retired","scope":"petition:12","fingerprint":"${KEY.fingerprint}","on":"${DAY}"}`,
    );
  });

  it("parse refuses other key orders, spacing, escapes and number spellings of the same entry", () => {
    const canonical = line(ENTRIES[5] as LogEntry);
    const variants = [
      `{"batchMinutes":15,"type":"settings","batchMinimum":5,"minimumHolders":10,"at":"${HOUR}"}`,
      `{"type": "settings","batchMinutes":15,"batchMinimum":5,"minimumHolders":10,"at":"${HOUR}"}`,
      `${canonical}\n`,
      canonical.replace('"settings"', '"\\u0073ettings"'),
      canonical.replace(":15,", ":15.0,"),
      canonical.replace(":15,", ":1.5e1,"),
    ];
    expect(parseEntry(bytes(canonical))).toEqual(ENTRIES[5]);
    for (const v of variants) expect(() => parseEntry(bytes(v)), v).toThrow(NoteError);
  });

  it("parse refuses unknown types, extra or missing fields, and what is not an object", () => {
    const bad = [
      `{"type":"vote","petition":12}`,
      `{"petition":12}`,
      line({ ...(ENTRIES[6] as LogEntry) }).replace("}", ',"note":"x"}'),
      line(ENTRIES[6] as LogEntry).replace(`,"head":"${HEAD}"`, ""),
      `[]`,
      `null`,
      `"key"`,
      `{"type":"toString"}`,
      `{"type":"__proto__"}`,
      ``,
      `{`,
    ];
    for (const b of bad) expect(() => parseEntry(bytes(b)), b).toThrow(NoteError);
    expect(() => parseEntry(Uint8Array.of(0x7b, 0xff, 0x7d))).toThrow(NoteError);
    const extra = { ...(ENTRIES[5] as LogEntry), note: "x" } as unknown as LogEntry;
    expect(() => encodeEntry(extra)).toThrow(NoteError);
    const { head: _, ...missing } = ENTRIES[6] as Extract<LogEntry, { type: "restored" }>;
    expect(() => encodeEntry(missing as LogEntry)).toThrow(NoteError);
  });

  it("counts are non-negative integers, petitions positive ones", () => {
    const petition = ENTRIES[3] as Extract<LogEntry, { type: "petition" }>;
    const bad: LogEntry[] = [
      { ...petition, count: 1.5 },
      { ...petition, count: -1 },
      { ...petition, tokensIssued: Number.NaN },
      { ...petition, length: 2 ** 53 },
      { ...petition, petition: 0 },
      { ...(ENTRIES[5] as LogEntry), batchMinutes: "15" } as unknown as LogEntry,
      { ...(ENTRIES[0] as LogEntry), legacyAnonymous: 0.5 } as LogEntry,
    ];
    for (const e of bad) expect(() => encodeEntry(e), JSON.stringify(e)).toThrow(NoteError);
    expect(() => parseEntry(bytes(line(petition).replace(":230,", ":230.5,")))).toThrow(NoteError);
    expect(() => parseEntry(bytes(line(petition).replace(":230,", ":-230,")))).toThrow(NoteError);
    expect(() => parseEntry(bytes(line(petition).replace(":230,", ':"230",')))).toThrow(NoteError);
  });

  it("times are whole days or whole hours, never finer", () => {
    const key = ENTRIES[0] as Extract<LogEntry, { type: "key" }>;
    const settings = ENTRIES[5] as Extract<LogEntry, { type: "settings" }>;
    const minuteLater = new Date(Date.parse(HOUR) + 60_000).toISOString();
    const secondLater = new Date(Date.parse(HOUR) + 1_000).toISOString();
    const milliLater = new Date(Date.parse(HOUR) + 1).toISOString();
    const bad: LogEntry[] = [
      { ...key, on: HOUR },
      { ...key, on: DAY.replace(/-\d\d$/, "-32") },
      { ...key, on: `${DAY.slice(0, 4)}-02-30` },
      { ...settings, at: minuteLater },
      { ...settings, at: secondLater },
      { ...settings, at: milliLater },
      { ...settings, at: HOUR.replace(".000Z", "Z") },
      { ...settings, at: HOUR.replace("Z", "+00:00") },
      { ...settings, at: DAY },
      { ...settings, at: `${DAY}T24:00:00.000Z` },
    ];
    for (const e of bad) expect(() => encodeEntry(e), JSON.stringify(e)).toThrow(NoteError);
    expect(() => parseEntry(bytes(line(settings).replace(HOUR, minuteLater)))).toThrow(NoteError);
  });

  it("a key entry names a scope tokens use, and its fingerprint is the SHA-256 of its key", () => {
    const key = ENTRIES[0] as Extract<LogEntry, { type: "key" }>;
    const other = generateBlindKeyPair();
    const bad: LogEntry[] = [
      { ...key, fingerprint: other.fingerprint },
      { ...key, publicKey: other.publicKey },
      { ...key, fingerprint: key.fingerprint.toUpperCase() },
      { ...key, scope: "petition:" },
      { ...key, scope: "petition:012" },
      { ...key, scope: "petition:12 " },
      { ...key, scope: "feedback:4:2031-W60" },
      { ...key, publicKey: `${key.publicKey}=` },
      { ...(ENTRIES[3] as LogEntry), head: HEAD.slice(2) } as LogEntry,
    ];
    for (const e of bad) expect(() => encodeEntry(e), JSON.stringify(e).slice(0, 120)).toThrow(NoteError);
  });
});
