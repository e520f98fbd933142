/**
 * The byte encodings the browser's anonymity code speaks (base64url as the API does, hex as hashes
 * and ids are written), in one place; isomorphic (browser and Node).
 */

export const utf8 = (text: string) => new TextEncoder().encode(text);

export const toBase64url = (bytes: Uint8Array) => {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};

export const fromBase64url = (text: string): Uint8Array<ArrayBuffer> => {
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
};

export const hex = (bytes: Uint8Array | ArrayBuffer) =>
  [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
