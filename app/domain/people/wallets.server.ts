import { and, eq } from "drizzle-orm";
import { getDb } from "../../../db/client";
import { walletPasskeys, wallets } from "../../../db/schema";
import { Refusal } from "../../platform/refusal";
import { say } from "../../platform/said";
import { startOfDay } from "../../platform/time";

/**
 * A person's wallet records (ADR 0038). The wallet secret, from which every token of theirs is
 * derived, is made by their device and never sent here: the server keeps only
 *  - the wallet check (HKDF of the secret, 16 bytes hex), so that a device signing in without the
 *    secret offers to unlock the person's wallet rather than make a second one, and a mistyped
 *    recovery code is caught on the device;
 *  - the secret wrapped by each of their passkeys (AES-GCM under a key from the passkey's PRF
 *    output, which never leaves the person's authenticator), so that a device the passkey reaches can
 *    unwrap it.
 * What a copy of the database learns from these rows: that the person set up anonymous signing, how
 * many passkeys they added, and the days (never finer) they did so. The check cannot be turned back
 * into the secret (it is an HKDF output under its own label), and the wrapped copies cannot be opened
 * without the passkey; neither says which petitions the person signed.
 */

export class WalletError extends Refusal {}

/** At most this many passkeys per person: enough for every device, not a store for anything else. */
export const MAX_WALLET_PASSKEYS = 10;

export type WalletPasskey = { credentialId: string; wrapped: string };
export type Wallet = { check: string; passkeys: WalletPasskey[] };

/** The person's wallet record, or null when they have none. */
export function walletOf(personId: number): Wallet | null {
  const db = getDb();
  const wallet = db
    .select({ check: wallets.check })
    .from(wallets)
    .where(eq(wallets.personId, personId))
    .get();
  if (!wallet) return null;
  const passkeys = db
    .select({ credentialId: walletPasskeys.credentialId, wrapped: walletPasskeys.wrapped })
    .from(walletPasskeys)
    .where(eq(walletPasskeys.personId, personId))
    .orderBy(walletPasskeys.credentialId)
    .all();
  return { check: wallet.check, passkeys };
}

/** Records a new wallet's check; refused (409) when the person has one already. */
export function createWallet(personId: number, check: string, now = Date.now()): void {
  getDb().transaction(
    (tx) => {
      if (tx.select({ id: wallets.personId }).from(wallets).where(eq(wallets.personId, personId)).get()) {
        throw new WalletError(say("admin.refusal.wallet.alreadySetUp"), 409);
      }
      tx.insert(wallets)
        .values({ personId, check, createdOn: new Date(startOfDay(now)) })
        .run();
    },
    { behavior: "immediate" },
  );
}

/**
 * Stores the secret wrapped by one of the person's passkeys (the same passkey again replaces its
 * copy). Refused without a wallet, and past MAX_WALLET_PASSKEYS.
 */
export function addWalletPasskey(personId: number, passkey: WalletPasskey, now = Date.now()): void {
  getDb().transaction(
    (tx) => {
      if (!tx.select({ id: wallets.personId }).from(wallets).where(eq(wallets.personId, personId)).get()) {
        throw new WalletError(say("admin.refusal.wallet.setUpFirst"), 409);
      }
      const mine = and(
        eq(walletPasskeys.personId, personId),
        eq(walletPasskeys.credentialId, passkey.credentialId),
      );
      if (tx.select({ id: walletPasskeys.personId }).from(walletPasskeys).where(mine).get()) {
        tx.update(walletPasskeys).set({ wrapped: passkey.wrapped }).where(mine).run();
        return;
      }
      const count = tx
        .select({ id: walletPasskeys.credentialId })
        .from(walletPasskeys)
        .where(eq(walletPasskeys.personId, personId))
        .all().length;
      if (count >= MAX_WALLET_PASSKEYS) {
        throw new WalletError(say("admin.refusal.wallet.tooManyPasskeys", { max: MAX_WALLET_PASSKEYS }), 409);
      }
      tx.insert(walletPasskeys)
        .values({ personId, ...passkey, createdOn: new Date(startOfDay(now)) })
        .run();
    },
    { behavior: "immediate" },
  );
}

/**
 * Forgets the person's wallet and its passkeys' copies, for someone who lost both their recovery
 * code and every passkey. A new wallet derives new requests: anonymous signing then works for what
 * was never prepared under the old one; public signing always works. Returns whether there was one.
 */
export function resetWallet(personId: number, _now = Date.now()): boolean {
  return getDb().transaction(
    (tx) => {
      tx.delete(walletPasskeys).where(eq(walletPasskeys.personId, personId)).run();
      return tx.delete(wallets).where(eq(wallets.personId, personId)).run().changes > 0;
    },
    { behavior: "immediate" },
  );
}
