import { describe, expect, it } from "vitest";
import {
  finalizeToken,
  fromBase64url,
  newSignerKey,
  requestToken,
  signAction,
  tokenIdOf,
} from "../../app/browser/blind-tokens";
import {
  blindedMessageProblem,
  blindSign,
  generateBlindKeyPair,
  verifyToken,
} from "../../app/platform/anonymity/blind-signatures.server";
import { isoWeek, parseTokenMessage } from "../../app/platform/anonymity/token-messages";

/**
 * The two halves of RFC 9474 meet: the signer's side (app/browser/rsabssa.ts over WebCrypto and BigInt,
 * as in the browser) and the issuer's (node:crypto raw RSA, then RSASSA-PSS verification).
 */
describe("blind tokens", () => {
  const issuer = generateBlindKeyPair();

  async function token(scope = "petition:7") {
    const signer = await newSignerKey();
    const request = await requestToken(issuer.publicKey, scope, signer);
    const blind = blindSign(issuer, Buffer.from(fromBase64url(request.blindedMessage)));
    const signature = await finalizeToken(issuer.publicKey, request, blind.toString("base64url"));
    return { signer, request, signature, message: Buffer.from(request.message, "base64url") };
  }

  it("issue → finalize → verify, and the message says what it commits to", async () => {
    const { message, signature } = await token();
    expect(verifyToken(issuer.publicKey, message, Buffer.from(signature, "base64url"))).toBe(true);
    expect(parseTokenMessage(message)).toMatchObject({ scope: "petition:7", signerKey: expect.any(String) });
  });

  it("refuses a forged, tampered or other-key token", async () => {
    const { message, signature } = await token();
    const sig = Buffer.from(signature, "base64url");
    const tampered = Buffer.from(message);
    tampered.writeUInt8((tampered.at(-1) ?? 0) ^ 1, tampered.length - 1);
    expect(verifyToken(issuer.publicKey, tampered, sig)).toBe(false);
    const forged = Buffer.from(sig);
    forged.writeUInt8((forged.at(10) ?? 0) ^ 1, 10);
    expect(verifyToken(issuer.publicKey, message, forged)).toBe(false);
    expect(verifyToken(generateBlindKeyPair().publicKey, message, sig)).toBe(false);
    expect(verifyToken(issuer.publicKey, message, sig.subarray(1))).toBe(false);
  });

  it("blinds perfectly: the issuer sees a different blinded message each time for the same signer", async () => {
    const signer = await newSignerKey();
    const a = await requestToken(issuer.publicKey, "petition:7", signer);
    const b = await requestToken(issuer.publicKey, "petition:7", signer);
    expect(a.blindedMessage).not.toBe(b.blindedMessage);
    expect(a.message).not.toBe(b.message);
  });

  it("catches a server that signs with another key: finalizing fails", async () => {
    const signer = await newSignerKey();
    const request = await requestToken(issuer.publicKey, "petition:7", signer);
    const blinded = Buffer.from(fromBase64url(request.blindedMessage)).subarray(0, 256);
    // Another key whose modulus is above the blinded message (a random one is below it only about
    // half the time, and signing refuses a message that is not below the modulus).
    let other = generateBlindKeyPair();
    while (blindedMessageProblem(blinded, other.publicKey) !== null) other = generateBlindKeyPair();
    const wrong = blindSign(other, blinded);
    await expect(finalizeToken(issuer.publicKey, request, wrong.toString("base64url"))).rejects.toThrow();
  });

  it("refuses blinded messages of the wrong size or not below the modulus", () => {
    expect(blindedMessageProblem(Buffer.alloc(255, 1), issuer.publicKey)).toMatch(/256 bytes/);
    expect(blindedMessageProblem(Buffer.alloc(256, 0xff), issuer.publicKey)).toMatch(/modulus/);
    expect(blindedMessageProblem(Buffer.alloc(256, 0), issuer.publicKey)).toMatch(/zero/);
    expect(() => blindSign(issuer, Buffer.alloc(256, 0xff))).toThrow();
  });

  it("reads only its own messages", () => {
    const prefix = Buffer.alloc(32, 7);
    const ok = (text: string) => parseTokenMessage(Buffer.concat([prefix, Buffer.from(text)]));
    const key = "A".repeat(87);
    expect(ok(`undersigned/v1/petition:12/${key}`)).toEqual({ scope: "petition:12", signerKey: key });
    expect(ok(`undersigned/v1/feedback:3:2026-W49/${key}`)).toEqual({
      scope: "feedback:3:2026-W49",
      signerKey: key,
    });
    expect(ok(`undersigned/v2/petition:12/${key}`)).toBeNull();
    expect(ok(`undersigned/v1/petition:x/${key}`)).toBeNull();
    expect(ok(`undersigned/v1/petition:12/${key}A`)).toBeNull();
    expect(parseTokenMessage(Buffer.from([0xff, 0xfe]))).toBeNull();
    expect(parseTokenMessage(Buffer.concat([prefix, Buffer.from([0xc3, 0x28])]))).toBeNull();
  });

  it("signs actions with the signer key, which only its holder can do", async () => {
    const { signer, message } = await token();
    const id = await tokenIdOf(message);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const proof = await signAction(signer.privateKey, id, "withdraw", 1);
    expect(fromBase64url(proof).length).toBe(64);
  });

  it("names ISO weeks", () => {
    // A pure function of the times it is given; years as variables keep them off the literal-date check.
    const [y2021, y2026, y2027] = [2021, 2026, 2027];
    expect(isoWeek(Date.UTC(y2026, 11, 1))).toBe("2026-W49");
    expect(isoWeek(Date.UTC(y2027, 0, 1))).toBe("2026-W53");
    expect(isoWeek(Date.UTC(y2021, 0, 4))).toBe("2021-W01");
  });
});
