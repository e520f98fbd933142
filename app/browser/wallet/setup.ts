import { fromBase64url, toBase64url } from "../blind-tokens";
import {
  newWalletSecret,
  PRF_SALT,
  recoveryCodeOf,
  secretFromRecoveryCode,
  unwrapSecret,
  walletCheckOf,
  wrapSecret,
} from "../derived-tokens";
import { postJson, refusalOf, WalletError } from "./http";
import { keepWalletSecret, readRun, walletSecret, writeRun } from "./store";

/**
 * The step every signed-in person is offered alike on a device without the wallet secret: set it
 * up (the server has no wallet for them: a new secret, its recovery code, a passkey if the device
 * can), or unlock it (with a passkey, or by typing the recovery code, checked against the server's
 * wallet check). The server never sees the secret, the recovery code or the passkey's output.
 */

export type ServerWallet = { check: string; passkeys: Array<{ credentialId: string; wrapped: string }> };

export async function serverWallet(): Promise<ServerWallet | null> {
  const response = await fetch("/api/wallet", { headers: { Accept: "application/json" } });
  if (!response.ok)
    throw new WalletError("Your anonymous signing could not be looked up. Reload the page to try again.", {
      key: "signing.wallet.lookupFailed",
    });
  return ((await response.json()) as { wallet: ServerWallet | null }).wallet;
}

/** The device's secret, kept; a new device starts its first run (nothing held yet). */
async function keep(secret: Uint8Array) {
  await keepWalletSecret(secret);
  const run = await readRun();
  if (run) await writeRun({ ...run, completedAt: null });
}

/** Sets up anonymous signing: a new secret, recorded by its check; its recovery code to write down. */
export async function setUpWallet(): Promise<{ secret: Uint8Array; recoveryCode: string }> {
  const secret = newWalletSecret();
  const { status, data } = await postJson(
    "/api/wallet",
    { check: await walletCheckOf(secret) },
    "same-origin",
  );
  if (status === 409) {
    throw new WalletError(
      "Anonymous signing is already set up for you, on another device: unlock it here with your passkey or recovery code.",
      { key: "signing.wallet.alreadySetUp" },
    );
  }
  if (status !== 201 && status !== 200) {
    throw refusalOf(data, `Anonymous signing could not be set up (${status}). Try again.`, {
      key: "signing.wallet.setUpFailed",
      values: { status },
    });
  }
  await keep(secret);
  return { secret, recoveryCode: recoveryCodeOf(secret) };
}

/** Unlocks this device with the recovery code, with a clear word for a typo. */
export async function unlockWithRecoveryCode(code: string, wallet: ServerWallet): Promise<void> {
  const secret = secretFromRecoveryCode(code);
  if (!secret) {
    throw new WalletError(
      "That is not a whole recovery code: it has 26 letters and digits, in groups like XXXXX-XXXXX-XXXXX-XXXXX-XXXXXX. Check it and type it again.",
      { key: "signing.wallet.codeIncomplete" },
    );
  }
  if ((await walletCheckOf(secret)).toLowerCase() !== wallet.check.toLowerCase()) {
    throw new WalletError(
      "That recovery code is not yours: at least one character differs from the one you were shown. Check each group and type it again.",
      { key: "signing.wallet.codeNotYours" },
    );
  }
  await keep(secret);
}

export const currentRecoveryCode = async () => {
  const secret = await walletSecret();
  return secret ? recoveryCodeOf(secret) : null;
};

// --- Passkeys (WebAuthn with the PRF extension) -------------------------------------------------

type PrfResults = { results?: { first?: BufferSource }; enabled?: boolean };
type PrfExtensionInputs = AuthenticationExtensionsClientInputs & {
  prf?: { eval?: { first: BufferSource } };
};

const salt = () => Uint8Array.from(PRF_SALT);
const bytesOf = (source: BufferSource | undefined): Uint8Array | null =>
  !source
    ? null
    : source instanceof ArrayBuffer
      ? new Uint8Array(source)
      : new Uint8Array(source.buffer, source.byteOffset, source.byteLength);

/**
 * Whether this browser can make passkeys at all, and (where it says) whether they can give the
 * secret's key (the PRF extension). "unknown": only trying tells.
 */
export async function passkeySupport(): Promise<"yes" | "no" | "unknown"> {
  if (typeof window === "undefined" || typeof PublicKeyCredential === "undefined") return "no";
  const withCapabilities = PublicKeyCredential as unknown as {
    getClientCapabilities?: () => Promise<Record<string, boolean | undefined>>;
  };
  if (withCapabilities.getClientCapabilities) {
    const capabilities = await withCapabilities
      .getClientCapabilities()
      .catch(() => ({}) as Record<string, boolean>);
    if (capabilities["extension:prf"] === true) return "yes";
    if (capabilities["extension:prf"] === false) return "no";
  }
  return "unknown";
}

const NO_PRF =
  "This passkey cannot keep your anonymous signing (its device or password manager does not offer the PRF extension). Use your recovery code instead; a passkey from another manager may work.";

async function prfFromGet(credentialIds: string[]): Promise<{ credentialId: string; output: Uint8Array }> {
  const assertion = (await navigator.credentials.get({
    publicKey: {
      challenge: crypto.getRandomValues(new Uint8Array(32)),
      allowCredentials: credentialIds.map((id) => ({ type: "public-key", id: fromBase64url(id) })),
      userVerification: "preferred",
      extensions: { prf: { eval: { first: salt() } } } as PrfExtensionInputs,
    },
  })) as PublicKeyCredential | null;
  if (!assertion) throw new WalletError("No passkey was chosen.", { key: "signing.wallet.noPasskeyChosen" });
  const prf = (assertion.getClientExtensionResults() as { prf?: PrfResults }).prf;
  const output = bytesOf(prf?.results?.first);
  if (!output) throw new WalletError(NO_PRF, { key: "signing.wallet.noPrf" });
  return { credentialId: toBase64url(new Uint8Array(assertion.rawId)), output };
}

/** Adds a passkey that seals the secret (the server keeps only the sealed secret and the passkey's id). */
export async function addPasskey(
  person: { id: number; email: string; name: string },
  /** How the passkey is named in the device's passkey list (in the reader's language). */
  rpName = "Undersigned anonymous signing",
): Promise<void> {
  const secret = await walletSecret();
  if (!secret)
    throw new WalletError("Set up or unlock anonymous signing on this device first.", {
      key: "signing.wallet.setUpFirst",
    });
  const userId = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`undersigned-person:${person.id}`)),
  );
  let credential: PublicKeyCredential | null;
  try {
    credential = (await navigator.credentials.create({
      publicKey: {
        challenge: crypto.getRandomValues(new Uint8Array(32)),
        rp: { name: rpName },
        user: { id: userId, name: person.email, displayName: person.name },
        pubKeyCredParams: [
          { type: "public-key", alg: -7 },
          { type: "public-key", alg: -257 },
        ],
        authenticatorSelection: { residentKey: "required", userVerification: "preferred" },
        extensions: { prf: { eval: { first: salt() } } } as PrfExtensionInputs,
      },
    })) as PublicKeyCredential | null;
  } catch {
    throw new WalletError("No passkey was made (it was cancelled, or this device cannot make one).", {
      key: "signing.wallet.noPasskeyMadeWhy",
    });
  }
  if (!credential) throw new WalletError("No passkey was made.", { key: "signing.wallet.noPasskeyMade" });
  const credentialId = toBase64url(new Uint8Array(credential.rawId));
  const prf = (credential.getClientExtensionResults() as { prf?: PrfResults }).prf;
  if (prf?.enabled === false) throw new WalletError(NO_PRF, { key: "signing.wallet.noPrf" });
  // Some authenticators give the PRF output only when the passkey is used: ask once more.
  const output = bytesOf(prf?.results?.first) ?? (await prfFromGet([credentialId])).output;
  const { status, data } = await postJson(
    "/api/wallet/passkeys",
    { credentialId, wrapped: await wrapSecret(secret, output) },
    "same-origin",
  );
  if (status !== 201 && status !== 200) {
    throw refusalOf(data, `The passkey could not be recorded (${status}).`, {
      key: "signing.wallet.passkeyNotRecorded",
      values: { status },
    });
  }
}

/** Unlocks this device with a passkey recorded for this person. */
export async function unlockWithPasskey(wallet: ServerWallet): Promise<void> {
  if (!wallet.passkeys.length)
    throw new WalletError("You have no passkey for anonymous signing yet: use your recovery code.", {
      key: "signing.wallet.noPasskeyYet",
    });
  let answer: { credentialId: string; output: Uint8Array };
  try {
    answer = await prfFromGet(wallet.passkeys.map((p) => p.credentialId));
  } catch (error) {
    if (error instanceof WalletError) throw error;
    throw new WalletError(
      "The passkey did not answer (cancelled, or not on this device). Try again, or use your recovery code.",
      { key: "signing.wallet.passkeyNoAnswer" },
    );
  }
  const sealed = wallet.passkeys.find((p) => p.credentialId === answer.credentialId);
  if (!sealed)
    throw new WalletError(
      "That passkey is not one you added for anonymous signing. Use your recovery code.",
      { key: "signing.wallet.passkeyNotAdded" },
    );
  let secret: Uint8Array;
  try {
    secret = await unwrapSecret(sealed.wrapped, answer.output);
  } catch {
    throw new WalletError("That passkey did not open your anonymous signing. Use your recovery code.", {
      key: "signing.wallet.passkeyDidNotOpen",
    });
  }
  if ((await walletCheckOf(secret)).toLowerCase() !== wallet.check.toLowerCase()) {
    throw new WalletError(
      "That passkey opened an older anonymous signing, not your current one. Use your recovery code.",
      { key: "signing.wallet.passkeyOlder" },
    );
  }
  await keep(secret);
}

/** Closes the person's wallet (lost code and passkeys): a new one can be set up. */
export async function resetWallet(): Promise<void> {
  const { status, data } = await postJson("/api/wallet/reset", { confirm: "reset" }, "same-origin");
  if (status !== 200 && status !== 201 && status !== 204) {
    throw refusalOf(data, `That did not work (${status}). Try again.`, {
      key: "signing.wallet.didNotWork",
      values: { status },
    });
  }
}
