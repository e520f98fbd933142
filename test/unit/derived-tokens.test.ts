import { createECDH, createHash, createPublicKey, generateKeyPairSync, hkdfSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { fromBase64url, signAction } from "../../app/browser/blind-tokens";
import {
  deriveRequest,
  deriveSignerKey,
  finalizeDerived,
  type IssuerKey,
  issuerKeyProblem,
  newWalletSecret,
  PRF_SALT,
  RECOVERY_CODE_LENGTH,
  receiptOf,
  recoveryCodeOf,
  secretFromRecoveryCode,
  unwrapSecret,
  walletCheckOf,
  wrapSecret,
} from "../../app/browser/derived-tokens";
import { blind, bytesToInt, finalize, modInverse, prepare, withNumbers } from "../../app/browser/rsabssa";
import {
  blindSign,
  generateBlindKeyPair,
  verifyToken,
} from "../../app/platform/anonymity/blind-signatures.server";
import { actionMessage, parseTokenMessage } from "../../app/platform/anonymity/token-messages";
import { rfc9474Randomized as vector } from "./fixtures/rfc9474-vectors";

const fromHex = (text: string) => Uint8Array.from(Buffer.from(text, "hex"));
const hexOf = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");

describe("RFC 9474 §4, RSABSSA-SHA384-PSS-Randomized, with the values injected", () => {
  const vectorKey = async () =>
    withNumbers(
      await crypto.subtle.importKey(
        "jwk",
        {
          kty: "RSA",
          n: Buffer.from(vector.n, "hex").toString("base64url"),
          e: Buffer.from(vector.e, "hex").toString("base64url"),
        },
        { name: "RSA-PSS", hash: "SHA-384" },
        true,
        ["verify"],
      ),
    );

  it("reproduces the RFC's test vector: prepared message, blinded message, inverse and signature", async () => {
    const pk = await vectorKey();
    expect(pk.bits).toBe(4096);
    const prepared = prepare(fromHex(vector.msgPrefix), fromHex(vector.msg));
    expect(hexOf(prepared)).toBe(vector.preparedMsg);
    const r = modInverse(bytesToInt(fromHex(vector.inv)), pk.n);
    if (r === null) throw new Error("the vector's inverse is not invertible");
    const { blindedMessage, inverse } = await blind(pk, prepared, fromHex(vector.salt), r);
    expect(hexOf(blindedMessage)).toBe(vector.blindedMsg);
    expect(BigInt(`0x${hexOf(inverse)}`)).toBe(BigInt(`0x${vector.inv}`));
    const signature = await finalize(pk, prepared, fromHex(vector.blindSig), inverse);
    expect(hexOf(signature)).toBe(vector.sig);
  });

  it("refuses to finalize the vector with a blind signature that is not the issuer's", async () => {
    const pk = await vectorKey();
    const prepared = prepare(fromHex(vector.msgPrefix), fromHex(vector.msg));
    const wrong = fromHex(vector.blindSig);
    wrong[100] = (wrong[100] ?? 0) ^ 1;
    await expect(finalize(pk, prepared, wrong, fromHex(vector.inv.padStart(1024, "0")))).rejects.toThrow(
      /does not verify/,
    );
  });
});

describe("tokens derived from a wallet secret", () => {
  const issuerPair = generateBlindKeyPair();
  const issuer: IssuerKey = { publicKey: issuerPair.publicKey, fingerprint: issuerPair.fingerprint };
  const secret = newWalletSecret();

  it("rebuilds the same request from the same secret, scope and key, on any call", async () => {
    const a = await deriveRequest(secret, "petition:7", issuer);
    const b = await deriveRequest(Uint8Array.from(secret), "petition:7", issuer);
    expect(b).toEqual(a);
    expect(a.tokenId).toMatch(/^[0-9a-f]{64}$/);
    expect(parseTokenMessage(fromBase64url(a.message))).toEqual({
      scope: "petition:7",
      signerKey: a.signerKey,
    });
  });

  it("derives unrelated requests for another scope, another issuer key or another secret", async () => {
    const other = generateBlindKeyPair();
    const base = await deriveRequest(secret, "petition:7", issuer);
    const variants = [
      await deriveRequest(secret, "petition:8", issuer),
      await deriveRequest(secret, "feedback:3:2026-W10", issuer),
      await deriveRequest(secret, "petition:7", {
        publicKey: other.publicKey,
        fingerprint: other.fingerprint,
      }),
      await deriveRequest(newWalletSecret(), "petition:7", issuer),
    ];
    for (const variant of variants) {
      expect(variant.blindedMessage).not.toBe(base.blindedMessage);
      expect(variant.message.slice(0, 43)).not.toBe(base.message.slice(0, 43));
      expect(variant.tokenId).not.toBe(base.tokenId);
      expect(variant.inverse).not.toBe(base.inverse);
    }
    expect(variants[0]?.signerKey).not.toBe(base.signerKey);
    expect(variants[3]?.signerKey).not.toBe(base.signerKey);
  });

  it("refuses an issuer key whose fingerprint is not its own, and a scope the server does not know", async () => {
    await expect(
      deriveRequest(secret, "petition:7", { ...issuer, fingerprint: "00".repeat(32) }),
    ).rejects.toThrow(/fingerprint/);
    await expect(deriveRequest(secret, "election:7", issuer)).rejects.toThrow(/scope/);
    await expect(deriveRequest(new Uint8Array(15), "petition:7", issuer)).rejects.toThrow(/16 bytes/);
  });

  it("finalizes the server's blind signature into a token node:crypto's RSA-PSS verifies", async () => {
    const request = await deriveRequest(secret, "petition:7", issuer);
    const blindSignature = blindSign(issuerPair, Buffer.from(request.blindedMessage, "base64url"));
    const signature = await finalizeDerived(issuer, request, blindSignature.toString("base64url"));
    expect(
      verifyToken(
        issuerPair.publicKey,
        Buffer.from(request.message, "base64url"),
        Buffer.from(signature, "base64url"),
      ),
    ).toBe(true);
    // The blind signature is deterministic: re-signing the same request gives the same token.
    const again = blindSign(
      issuerPair,
      Buffer.from((await deriveRequest(secret, "petition:7", issuer)).blindedMessage, "base64url"),
    );
    expect(again.equals(blindSignature)).toBe(true);
  });

  it("throws on a blind signature that is wrong, by another key, or of the wrong size", async () => {
    const request = await deriveRequest(secret, "petition:7", issuer);
    const blindSignature = blindSign(issuerPair, Buffer.from(request.blindedMessage, "base64url"));
    const flipped = Buffer.from(blindSignature);
    flipped.writeUInt8((flipped.at(50) ?? 0) ^ 1, 50);
    await expect(finalizeDerived(issuer, request, flipped.toString("base64url"))).rejects.toThrow();
    const otherRequest = await deriveRequest(secret, "petition:8", issuer);
    const forOther = blindSign(issuerPair, Buffer.from(otherRequest.blindedMessage, "base64url"));
    await expect(finalizeDerived(issuer, request, forOther.toString("base64url"))).rejects.toThrow();
    await expect(
      finalizeDerived(issuer, request, blindSignature.subarray(1).toString("base64url")),
    ).rejects.toThrow();
  });

  it("derives the signer key the message commits to, and it signs the token's actions", async () => {
    const request = await deriveRequest(secret, "petition:7", issuer);
    const keys = await deriveSignerKey(secret, "petition:7", issuer);
    const raw = Buffer.from(await crypto.subtle.exportKey("raw", keys.publicKey)).toString("base64url");
    expect(raw).toBe(request.signerKey);
    const proof = await signAction(keys.privateKey, request.tokenId, "withdraw", 1);
    const valid = await crypto.subtle.verify(
      { name: "ECDSA", hash: "SHA-256" },
      keys.publicKey,
      fromBase64url(proof),
      new TextEncoder().encode(actionMessage(request.tokenId, "withdraw", 1)),
    );
    expect(valid).toBe(true);
    expect(keys.privateKey.extractable).toBe(false);
  });
});

describe("the derivation, pinned", () => {
  // The RFC vector's key as an issuer, and a fixed secret: what every device must derive, forever
  // (changing it is a new protocol version; ADR 38).
  const spki = createPublicKey({
    key: {
      kty: "RSA",
      n: Buffer.from(vector.n, "hex").toString("base64url"),
      e: Buffer.from(vector.e, "hex").toString("base64url"),
    },
    format: "jwk",
  }).export({ type: "spki", format: "der" });
  const issuer: IssuerKey = {
    publicKey: spki.toString("base64url"),
    fingerprint: createHash("sha256").update(spki).digest("hex"),
  };
  const secret = Uint8Array.from({ length: 16 }, (_, i) => i);

  it("cuts one HKDF-SHA256 output into the prefix and the signer key as documented, checked with node:crypto", async () => {
    const request = await deriveRequest(secret, "petition:42", issuer);
    const okm = Buffer.from(
      hkdfSync(
        "sha256",
        secret,
        Buffer.alloc(0),
        `undersigned/v1/token/petition:42/${issuer.fingerprint}`,
        128,
      ),
    );
    const prepared = Buffer.from(request.message, "base64url");
    expect(prepared.subarray(0, 32).equals(okm.subarray(0, 32))).toBe(true);
    const order = BigInt("0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    const scalar = (BigInt(`0x${okm.subarray(80, 128).toString("hex")}`) % (order - 1n)) + 1n;
    const ecdh = createECDH("prime256v1");
    ecdh.setPrivateKey(Buffer.from(scalar.toString(16).padStart(64, "0"), "hex"));
    expect(ecdh.getPublicKey().toString("base64url")).toBe(request.signerKey);
  });

  it("gives the same token id and blinded message as when it was written", async () => {
    const request = await deriveRequest(secret, "petition:42", issuer);
    expect(request.tokenId).toBe("2e361d785a738997a84438aa97c0bbe0c85a63a9f2164e199540c53df33710b0");
    expect(createHash("sha256").update(Buffer.from(request.blindedMessage, "base64url")).digest("hex")).toBe(
      "f6741b7f96f857d2c8d2ce6be44f9b9188d101ca26551999356910ef5501dfc1",
    );
  });
});

describe("recovery codes", () => {
  it("spells the secret in 26 characters grouped 5-5-5-5-6 and reads it back", () => {
    for (let i = 0; i < 50; i++) {
      const secret = newWalletSecret();
      const code = recoveryCodeOf(secret);
      expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){3}-[0-9A-HJKMNP-TV-Z]{6}$/);
      expect(code.replace(/-/g, "")).toHaveLength(RECOVERY_CODE_LENGTH);
      expect(secretFromRecoveryCode(code)).toEqual(secret);
    }
    expect(recoveryCodeOf(new Uint8Array(16))).toBe("00000-00000-00000-00000-000000");
    expect(recoveryCodeOf(new Uint8Array(16).fill(255))).toBe("ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZW");
  });

  it("tolerates lower case, spaces, missing hyphens, and I, L, O for 1, 1, 0", () => {
    const secret = fromHex("0123456789abcdeffedcba9876543210");
    const code = recoveryCodeOf(secret);
    expect(secretFromRecoveryCode(code.toLowerCase())).toEqual(secret);
    expect(secretFromRecoveryCode(` ${code.replace(/-/g, " ")} `)).toEqual(secret);
    expect(secretFromRecoveryCode(code.replace(/-/g, ""))).toEqual(secret);
    const zeroOne = recoveryCodeOf(new Uint8Array(16).fill(0x10));
    expect(zeroOne).toMatch(/[01]/);
    const misread = zeroOne.replace(/0/g, "o").replace(/1/g, (_, at: number) => (at % 2 ? "I" : "l"));
    expect(secretFromRecoveryCode(misread)).toEqual(new Uint8Array(16).fill(0x10));
  });

  it("refuses what is not a code: wrong length, letters outside the alphabet, a non-zero tail", () => {
    const code = recoveryCodeOf(newWalletSecret());
    expect(secretFromRecoveryCode(code.slice(0, -1))).toBeNull();
    expect(secretFromRecoveryCode(`${code}0`)).toBeNull();
    expect(secretFromRecoveryCode(`U${code.slice(1)}`)).toBeNull();
    expect(secretFromRecoveryCode(`${code.slice(0, -1)}1`)).toBeNull(); // padding bits set
    expect(secretFromRecoveryCode("")).toBeNull();
  });

  it("gives a wallet check of 32 hex characters that tells secrets apart", async () => {
    const secret = newWalletSecret();
    const check = await walletCheckOf(secret);
    expect(check).toMatch(/^[0-9a-f]{32}$/);
    expect(await walletCheckOf(Uint8Array.from(secret))).toBe(check);
    expect(await walletCheckOf(newWalletSecret())).not.toBe(check);
  });
});

describe("sealing the secret with a passkey's PRF output", () => {
  it("uses SHA-256 of its label as the PRF input", () => {
    expect(hexOf(PRF_SALT)).toBe(createHash("sha256").update("undersigned/v1/wallet-prf").digest("hex"));
  });

  it("opens with the same PRF output and refuses another", async () => {
    const secret = newWalletSecret();
    const prf = crypto.getRandomValues(new Uint8Array(32));
    const wrapped = await wrapSecret(secret, prf);
    expect(await unwrapSecret(wrapped, prf)).toEqual(secret);
    expect(await wrapSecret(secret, prf)).not.toBe(wrapped); // a fresh IV each time
    await expect(unwrapSecret(wrapped, crypto.getRandomValues(new Uint8Array(32)))).rejects.toThrow(
      /did not seal/,
    );
    const tampered = fromBase64url(wrapped);
    tampered[20] = (tampered[20] ?? 0) ^ 1;
    await expect(unwrapSecret(Buffer.from(tampered).toString("base64url"), prf)).rejects.toThrow();
    await expect(unwrapSecret(wrapped.slice(0, -4), prf)).rejects.toThrow(/not a sealed/);
  });
});

describe("receipts", () => {
  it("are the token id's first ten hex characters, grouped to read aloud", () => {
    expect(receiptOf(`7f3a92c10b${"e".repeat(54)}`)).toBe("7f3a9-2c10b");
    expect(receiptOf(`7F3A92C10B${"E".repeat(54)}`)).toBe("7f3a9-2c10b");
    expect(() => receiptOf("xyz")).toThrow();
  });
});

describe("a device's check of an issuer's key", () => {
  it("accepts only what every petition's key is (RSA, 2048 bits, exponent 65537): an odd key served to one person is refused", async () => {
    const shaped = (bits: number, publicExponent = 65_537) => {
      const { publicKey } = generateKeyPairSync("rsa", { modulusLength: bits, publicExponent });
      const spki = publicKey.export({ type: "spki", format: "der" });
      return {
        publicKey: spki.toString("base64url"),
        fingerprint: createHash("sha256").update(spki).digest("hex"),
      };
    };
    expect(await issuerKeyProblem(shaped(2048))).toBeNull();
    expect(await issuerKeyProblem(shaped(3072))).toMatch(/2048-bit/);
    expect(await issuerKeyProblem(shaped(2048, 3))).toMatch(/65537/);
    expect(await issuerKeyProblem({ publicKey: "AAAA", fingerprint: "00" })).toMatch(/not an RSA public key/);
  });
});
