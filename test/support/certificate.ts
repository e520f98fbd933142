import { createPrivateKey, generateKeyPairSync, randomBytes, sign, X509Certificate } from "node:crypto";

/**
 * A self-signed X.509 certificate made here with node:crypto (no openssl): an RSA key and the DER of
 * a v3 certificate written by hand, for test identity providers that sign SAML assertions.
 */

function der(tag: number, content: Buffer): Buffer {
  const length = content.length;
  let header: Buffer;
  if (length < 0x80) header = Buffer.from([tag, length]);
  else {
    const bytes: number[] = [];
    for (let n = length; n > 0; n >>= 8) bytes.unshift(n & 0xff);
    header = Buffer.from([tag, 0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([header, content]);
}
const sequence = (...items: Buffer[]) => der(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => der(0x31, Buffer.concat(items));
const oid = (dotted: string) => {
  const [a = 0, b = 0, ...rest] = dotted.split(".").map(Number);
  const bytes = [40 * a + b];
  for (const n of rest) {
    const chunk: number[] = [n & 0x7f];
    for (let v = n >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
};
const utf8 = (text: string) => der(0x0c, Buffer.from(text, "utf8"));
const time = (date: Date) =>
  der(0x18, Buffer.from(`${date.toISOString().replace(/[-:T]/g, "").slice(0, 14)}Z`));
const SHA256_WITH_RSA = sequence(oid("1.2.840.113549.1.1.11"), der(0x05, Buffer.alloc(0)));

export function selfSignedCertificate(commonName: string, validDays = 30) {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const name = sequence(set(sequence(oid("2.5.4.3"), utf8(commonName))));
  const serial = randomBytes(16);
  // A positive INTEGER in minimal DER: a first byte of 1–127 (a leading 0 before a byte under 0x80,
  // one serial in 128, is "illegal padding" to OpenSSL: the SAML suite failed on it now and then).
  serial[0] = 1 + ((serial[0] ?? 0) % 0x7f);
  const now = Date.now();
  const tbs = sequence(
    der(0xa0, der(0x02, Buffer.from([2]))),
    der(0x02, serial),
    SHA256_WITH_RSA,
    name,
    sequence(time(new Date(now - 60_000)), time(new Date(now + validDays * 86_400_000))),
    name,
    publicKey.export({ format: "der", type: "spki" }),
  );
  const signature = sign("sha256", tbs, privateKey);
  const certificate = sequence(tbs, SHA256_WITH_RSA, der(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const pem = `-----BEGIN CERTIFICATE-----\n${certificate
    .toString("base64")
    .match(/.{1,64}/g)
    ?.join("\n")}\n-----END CERTIFICATE-----\n`;
  // Parses, and verifies with its own key: a real certificate.
  if (!new X509Certificate(pem).verify(publicKey)) throw new Error("the certificate does not verify");
  const keyPem = createPrivateKey(privateKey.export({ format: "pem", type: "pkcs8" })).export({
    format: "pem",
    type: "pkcs8",
  });
  return { certificate: pem, privateKey: String(keyPem) };
}
