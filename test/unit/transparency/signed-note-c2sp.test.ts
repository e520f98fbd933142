import { describe, expect, it } from "vitest";
import { EMPTY_ROOT, leafHash } from "../../../app/platform/transparency/merkle";
import {
  cosign,
  newNoteSigner,
  noteSignerFrom,
  signNote,
  vkeyOf,
} from "../../../app/platform/transparency/note-signing.server";
import {
  cosignatureMessage,
  cosignatureTime,
  formatCheckpoint,
  formatNote,
  formatVkey,
  keyIdOf,
  NoteError,
  type NoteSignature,
  noteText,
  parseCheckpoint,
  parseNote,
  parseVkey,
  SIG_COSIGNATURE,
  SIG_ED25519,
  signatureBy,
  signatureLine,
  toBase64,
  verifySignature,
} from "../../../app/platform/transparency/signed-note";

/**
 * Signed notes, checkpoints and cosignatures against examples we did not write: the C2SP signed-note
 * spec's example, and golang.org/x/mod's sumdb/note tests (PeterNeumann, EnochRoot).
 */

// c2sp.org/signed-note, "Example"
const C2SP_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k";
const C2SP_NOTE =
  "This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";

// golang.org/x/mod sumdb/note/note_test.go (TestOpen)
const PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
const GO_TEXT =
  "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_SIG =
  "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
const ENOCH_SIG =
  "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

/** Does some signature of the note, from one of these keys, verify (and none from them fail)? */
function opens(text: string, vkeys: string[]): boolean {
  const { body, signatures } = parseNote(text);
  const results = vkeys.map(parseVkey).flatMap((v) => {
    const s = signatureBy(signatures, v);
    return s ? [verifySignature(body, s, v)] : [];
  });
  return results.length > 0 && results.every(Boolean);
}

const flip = (bytes: Uint8Array, at: number) => {
  const copy = bytes.slice();
  copy[at] = (copy[at] as number) ^ 0x01;
  return copy;
};

describe("signed notes (c2sp.org/signed-note)", () => {
  it("the C2SP example key verifies the C2SP example note", () => {
    const verifier = parseVkey(C2SP_VKEY);
    expect(verifier).toMatchObject({ name: "example.com/foo", type: SIG_ED25519, keyId: 0x530d903a });
    expect(keyIdOf(verifier.name, verifier.type, verifier.publicKey)).toBe(0x530d903a);
    expect(formatVkey(verifier.name, verifier.type, verifier.publicKey)).toBe(C2SP_VKEY);
    const { body, signatures } = parseNote(C2SP_NOTE);
    expect(body).toBe("This is an example message.\n");
    expect(signatures).toHaveLength(1);
    expect(signatures[0]?.keyId).toBe(0x530d903a);
    expect(verifySignature(body, signatures[0] as NoteSignature, verifier)).toBe(true);
    expect(formatNote(body, signatures)).toBe(C2SP_NOTE);
    expect(verifySignature("This is an example message!\n", signatures[0] as NoteSignature, verifier)).toBe(
      false,
    );
  });

  it("golang.org/x/mod's PeterNeumann and EnochRoot keys verify their signatures of the Go test note", () => {
    const peter = parseVkey(PETER_VKEY);
    const enoch = parseVkey(ENOCH_VKEY);
    expect(peter.keyId).toBe(0xc74f20a3);
    expect(enoch.keyId).toBe(0xaf0cfe78);
    const note = `${GO_TEXT}\n${PETER_SIG}${ENOCH_SIG}`;
    const { body, signatures } = parseNote(note);
    expect(body).toBe(GO_TEXT);
    expect(signatures.map((s) => [s.name, s.keyId])).toEqual([
      ["PeterNeumann", 0xc74f20a3],
      ["EnochRoot", 0xaf0cfe78],
    ]);
    expect(verifySignature(body, signatures[0] as NoteSignature, peter)).toBe(true);
    expect(verifySignature(body, signatures[1] as NoteSignature, enoch)).toBe(true);
    // A signature is only checked against the key whose name and key ID it carries.
    expect(verifySignature(body, signatures[1] as NoteSignature, peter)).toBe(false);
    expect(signatureLine(signatures[0] as NoteSignature)).toBe(PETER_SIG);
    expect(formatNote(body, signatures)).toBe(note);
    // Go's "Invalid signature" case: ABCD spliced into Peter's signature.
    const mangled = parseNote(`${GO_TEXT}\n${PETER_SIG.slice(0, 60)}ABCD${PETER_SIG.slice(60)}`);
    expect(verifySignature(mangled.body, mangled.signatures[0] as NoteSignature, peter)).toBe(false);
  });

  it("golang.org/x/mod's mangled verifier keys are refused", () => {
    expect(() =>
      parseVkey("PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="),
    ).toThrow(NoteError);
    expect(() => parseVkey("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")).toThrow(
      NoteError,
    );
    // As Go's TestNewVerifier: every proper substring, and every single-byte increment, is refused.
    const bytes = [...PETER_VKEY];
    for (let i = 0; i <= bytes.length; i++) {
      for (let j = i + 1; j <= bytes.length; j++) {
        if (i !== 0 || j !== bytes.length) expect(() => parseVkey(PETER_VKEY.slice(i, j))).toThrow(NoteError);
      }
    }
    for (let i = 0; i < bytes.length; i++) {
      const changed = bytes.map((c, k) => (k === i ? String.fromCharCode(c.charCodeAt(0) + 1) : c)).join("");
      expect(() => parseVkey(changed), changed).toThrow(NoteError);
    }
  });

  it("a note signed only by an unknown key is not opened, one signed by a known and an unknown key is", () => {
    const note = `${GO_TEXT}\n${PETER_SIG}${ENOCH_SIG}`;
    expect(opens(note, [])).toBe(false);
    expect(opens(note, [C2SP_VKEY])).toBe(false);
    expect(opens(note, [PETER_VKEY])).toBe(true);
    expect(opens(`${GO_TEXT}\n${ENOCH_SIG}`, [PETER_VKEY])).toBe(false);
    // Same name, other key ID: unknown, so ignored rather than failed.
    const sameName = parseNote(`${GO_TEXT}\n${PETER_SIG.replace("x08g", "xxxx")}`);
    expect(signatureBy(sameName.signatures, parseVkey(PETER_VKEY))).toBeUndefined();
  });

  it("malformed notes throw a NoteError", () => {
    const bad = [
      GO_TEXT, // no blank line, no signatures
      `${GO_TEXT}\n`, // blank line, no signatures
      `${GO_TEXT}\n${PETER_SIG.slice(0, -1)}`, // signature line without its newline
      `\x01${GO_TEXT}\n${PETER_SIG}`, // control character
      `${GO_TEXT.replace("\n", "\r\n")}\n${PETER_SIG}`, // carriage return
      `${GO_TEXT}\uD800\n\n${PETER_SIG}`, // not UTF-8 (a lone surrogate)
      `${GO_TEXT}\n— Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n`,
      `${GO_TEXT}\n${PETER_SIG.replace("PeterNeumann", "Peter+Neumann")}`,
      `${GO_TEXT}\n${PETER_SIG}Unexpected line.\n`,
      `${GO_TEXT}\n${PETER_SIG.replace("AM=", "AM")}`, // unpadded base64
      `${GO_TEXT}\n${PETER_SIG.replace("x08go/", "x08go_")}`, // base64url, not base64
      `${GO_TEXT}\n— PeterNeumann AAAA\n`, // a key ID and no signature
      `${GO_TEXT}\n— PeterNeumann\n`,
      `${GO_TEXT}\n${PETER_SIG.repeat(33)}`, // more than 32 signatures
    ];
    for (const text of bad) expect(() => parseNote(text), JSON.stringify(text)).toThrow(NoteError);
    expect(parseNote(`${GO_TEXT}\n${PETER_SIG.repeat(32)}`).signatures).toHaveLength(32);
    expect(() => noteText(Uint8Array.of(0xff, 0x0a))).toThrow(NoteError);
    expect(noteText(new TextEncoder().encode(C2SP_NOTE))).toBe(C2SP_NOTE);
    expect(() => formatNote("no newline", [])).toThrow(NoteError);
    expect(() => formatVkey("has space", SIG_ED25519, new Uint8Array(32))).toThrow(NoteError);
  });
});

describe("checkpoints (c2sp.org/tlog-checkpoint)", () => {
  const root = leafHash(new TextEncoder().encode("a leaf"));

  it("format and parse round-trip, extension lines included", () => {
    const checkpoint = { origin: "example.com/undersigned-log", size: 20852163, root, extensions: [] };
    const body = formatCheckpoint(checkpoint);
    expect(body).toBe(`example.com/undersigned-log\n20852163\n${toBase64(root)}\n`);
    expect(parseCheckpoint(body)).toEqual(checkpoint);
    const extended = { ...checkpoint, size: 0, root: EMPTY_ROOT, extensions: ["one", "two"] };
    expect(formatCheckpoint(extended)).toBe(
      `example.com/undersigned-log\n0\n${toBase64(EMPTY_ROOT)}\none\ntwo\n`,
    );
    expect(parseCheckpoint(formatCheckpoint(extended))).toEqual(extended);
  });

  it("parses the C2SP checkpoint example", () => {
    const body = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
    expect(parseCheckpoint(body)).toMatchObject({ origin: "example.com/behind-the-sofa", size: 20852163 });
  });

  it("refuses leading zeros, bad roots, an empty origin, missing lines and empty extensions", () => {
    const r = toBase64(root);
    const bad = [
      `o\n012\n${r}\n`,
      `o\n-1\n${r}\n`,
      `o\n1.5\n${r}\n`,
      `o\n 1\n${r}\n`,
      `o\n99999999999999999999\n${r}\n`,
      `o\n1\n${toBase64(root.slice(1))}\n`,
      `o\n1\n${r.slice(0, -1)}\n`,
      `\n1\n${r}\n`,
      `o\n1\n`,
      `o\n1\n${r}`,
      `o\n1\n${r}\n\n`,
      `o\n1\n${r}\next\n\n`,
    ];
    for (const body of bad) expect(() => parseCheckpoint(body), JSON.stringify(body)).toThrow(NoteError);
    expect(() => formatCheckpoint({ origin: "", size: 1, root, extensions: [] })).toThrow(NoteError);
    expect(() => formatCheckpoint({ origin: "o", size: 1, root: root.slice(2), extensions: [] })).toThrow(
      NoteError,
    );
  });
});

describe("signing with node:crypto, verifying with @noble/curves", () => {
  const body = formatCheckpoint({ origin: "example.com/log", size: 3, root: EMPTY_ROOT, extensions: [] });
  const timestamp = 1_700_000_000 + 12_345;

  it("a cosignature (type 4) verifies, carries its timestamp, and signs exactly the cosignature/v1 message", () => {
    const { signer, pkcs8 } = newNoteSigner("witness.example.com/w1", SIG_COSIGNATURE);
    const signature = cosign(body, signer, timestamp);
    const verifier = parseVkey(vkeyOf(signer));
    expect(verifier.type).toBe(SIG_COSIGNATURE);
    expect(signature.keyId).toBe(keyIdOf(signer.name, 0x04, signer.publicKey));
    expect(signature.keyId).not.toBe(keyIdOf(signer.name, 0x01, signer.publicKey));
    expect(signature.bytes).toHaveLength(72);
    expect(verifySignature(body, signature, verifier)).toBe(true);
    expect(cosignatureTime(signature)).toBe(timestamp);

    const message = new TextDecoder().decode(cosignatureMessage(body, timestamp));
    expect(message).toBe(`cosignature/v1\ntime ${timestamp}\n${body}`);
    // The signature after the timestamp is a plain Ed25519 signature over that message.
    const plain = { name: verifier.name, type: SIG_ED25519, publicKey: verifier.publicKey } as const;
    const plainVerifier = { ...plain, keyId: keyIdOf(plain.name, plain.type, plain.publicKey) };
    expect(
      verifySignature(
        message,
        { name: plain.name, keyId: plainVerifier.keyId, bytes: signature.bytes.slice(8) },
        plainVerifier,
      ),
    ).toBe(true);

    // Another time, another body, a flipped byte: none verify.
    const later = { ...signature, bytes: signature.bytes.slice() };
    later.bytes.set(cosign(body, signer, timestamp + 1).bytes.slice(0, 8), 0);
    expect(verifySignature(body, later, verifier)).toBe(false);
    expect(verifySignature(body.replace("3", "4"), signature, verifier)).toBe(false);
    expect(verifySignature(body, { ...signature, bytes: flip(signature.bytes, 40) }, verifier)).toBe(false);

    // The key comes back from its PKCS#8 form and still signs as the same key.
    const again = noteSignerFrom(signer.name, SIG_COSIGNATURE, pkcs8);
    expect(vkeyOf(again)).toBe(vkeyOf(signer));
    const note = formatNote(body, [cosign(body, again, timestamp)]);
    const parsed = parseNote(note);
    expect(verifySignature(parsed.body, parsed.signatures[0] as NoteSignature, verifier)).toBe(true);
  });

  it("a log signature (type 1) verifies, and a flipped byte of it does not", () => {
    const { signer } = newNoteSigner("example.com/log", SIG_ED25519);
    const signature = signNote(body, signer);
    const verifier = parseVkey(vkeyOf(signer));
    expect(signature.bytes).toHaveLength(64);
    expect(verifySignature(body, signature, verifier)).toBe(true);
    for (const at of [0, 31, 32, 63]) {
      expect(verifySignature(body, { ...signature, bytes: flip(signature.bytes, at) }, verifier)).toBe(false);
    }
    // A cosignature key and a log key are not interchangeable.
    expect(() => cosign(body, signer, timestamp)).toThrow(NoteError);
    const { signer: witness } = newNoteSigner("example.com/log", SIG_COSIGNATURE);
    expect(() => signNote(body, witness)).toThrow(NoteError);
    expect(() => noteSignerFrom("example.com/log", SIG_ED25519, "not a key")).toThrow(NoteError);
  });
});
