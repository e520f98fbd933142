import { createHash, randomBytes } from "node:crypto";

/** 32 random bytes, URL-safe: for sign-in links and session cookies. */
export const newToken = () => randomBytes(32).toString("base64url");

/** Tokens are high-entropy, so a plain SHA-256 is enough: only the hash is ever stored. */
export const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");
