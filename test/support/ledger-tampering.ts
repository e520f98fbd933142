import { constants, createHash, generateKeyPairSync, randomBytes, sign } from "node:crypto";
import Database from "better-sqlite3";
import { entryHash, GENESIS_HASH } from "../../app/domain/petitions/ledger.server";
import { PREFIX_BYTES, petitionScope, tokenMessage } from "../../app/platform/anonymity/token-messages";

/**
 * What an operator holding the database can do to it, written straight into a copy's SQLite file as
 * they would: pad a petition's count and rewrite a ledger (drop one entry and
 * re-hash the chain). Each change is made consistently (ledger entries, head, count), so the old
 * checks pass; only the public log can tell.
 */

type PetitionRow = { id: number; ledger_length: number; ledger_head: string | null; signature_count: number };

const HOUR = 3_600_000;

function appendSigned(db: Database.Database, petition: PetitionRow, signer: string, at: number) {
  const seq = petition.ledger_length + 1;
  const prevHash = petition.ledger_head ?? GENESIS_HASH;
  const entry = {
    format: 2 as const,
    petitionId: petition.id,
    seq,
    event: "signed" as const,
    at: new Date(at - (at % HOUR)),
    signer,
    prevHash,
  };
  const hash = entryHash(entry);
  db.prepare(
    "insert into ledger_entries (petition_id, seq, event, at, signer, prev_hash, hash, format) values (?, ?, ?, ?, ?, ?, ?, 2)",
  ).run(petition.id, seq, "signed", entry.at.getTime(), signer, prevHash, hash);
  petition.ledger_length = seq;
  petition.ledger_head = hash;
  petition.signature_count++;
  return { seq, hash };
}

/**
 * Finding 2's padding: `tokens` tokens minted with the petition's own key (valid blind-signature
 * tokens for this petition) and `legacy` rows shaped like pre-token anonymous signatures, each
 * counted with a proper ledger entry.
 */
export function padPetition(file: string, petitionId: number, tokens: number, legacy: number, at: number) {
  const db = new Database(file);
  try {
    db.transaction(() => {
      const petition = db
        .prepare<[number], PetitionRow>(
          "select id, ledger_length, ledger_head, signature_count from petitions where id = ?",
        )
        .get(petitionId);
      const key = db
        .prepare<[string], { private_key: string }>("select private_key from blind_keys where scope = ?")
        .get(petitionScope(petitionId));
      if (!petition || !key?.private_key) throw new Error(`petition ${petitionId} has no live key`);
      const insert = db.prepare(
        `insert into anonymous_signatures (token_id, petition_id, message, signature, signer_key, action_seq, standing, counted_at, changed_at, ledger_seq, ledger_hash)
         values (?, ?, ?, ?, ?, 0, 1, ?, ?, ?, ?)`,
      );
      const privateKey = Buffer.from(key.private_key, "base64url");
      for (let i = 0; i < tokens; i++) {
        // The raw P-256 point a signer's browser would put in the message (the last 65 bytes of SPKI).
        const signerKeyText = generateKeyPairSync("ec", { namedCurve: "P-256" })
          .publicKey.export({ format: "der", type: "spki" })
          .subarray(-65)
          .toString("base64url");
        const message = Buffer.concat([
          randomBytes(PREFIX_BYTES),
          Buffer.from(tokenMessage(petitionScope(petitionId), signerKeyText)),
        ]);
        const signature = sign("sha384", message, {
          key: privateKey,
          format: "der",
          type: "pkcs8",
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: 48,
        });
        const tokenId = createHash("sha256").update(message).digest("hex");
        const entry = appendSigned(db, petition, tokenId, at);
        insert.run(
          tokenId,
          petitionId,
          message.toString("base64url"),
          signature.toString("base64url"),
          signerKeyText,
          at,
          at,
          entry.seq,
          entry.hash,
        );
      }
      for (let i = 0; i < legacy; i++) {
        const pseudonym = randomBytes(32).toString("hex");
        const entry = appendSigned(db, petition, pseudonym, at);
        insert.run(pseudonym, petitionId, null, null, null, at, at, entry.seq, entry.hash);
      }
      db.prepare(
        "update petitions set ledger_length = ?, ledger_head = ?, signature_count = ? where id = ?",
      ).run(petition.ledger_length, petition.ledger_head, petition.signature_count, petitionId);
    })();
  } finally {
    db.close();
  }
}

/**
 * A rewritten ledger: the `signed` entry `seq` dropped (with its signature), every later entry
 * renumbered and the chain re-hashed, the petition's head, length and count updated to match. The
 * append-only triggers are dropped for the rewrite and put back after.
 */
export function dropLedgerEntry(file: string, petitionId: number, seq: number) {
  const db = new Database(file);
  try {
    db.transaction(() => {
      const triggers = db
        .prepare<[], { name: string; sql: string }>(
          "select name, sql from sqlite_master where type = 'trigger' and tbl_name = 'ledger_entries'",
        )
        .all();
      for (const t of triggers) db.prepare(`drop trigger "${t.name}"`).run();
      type Row = {
        seq: number;
        event: "signed";
        at: number;
        signer: string;
        prev_hash: string;
        hash: string;
        format: number;
      };
      const rows = db
        .prepare<[number], Row>(
          "select seq, event, at, signer, prev_hash, hash, format from ledger_entries where petition_id = ? order by seq",
        )
        .all(petitionId);
      const dropped = rows.find((r) => r.seq === seq);
      if (dropped?.event !== "signed") throw new Error(`entry ${seq} is not a signature`);
      db.prepare("delete from ledger_entries where petition_id = ? and seq >= ?").run(petitionId, seq);
      db.prepare("delete from signatures where petition_id = ? and ledger_signer = ?").run(
        petitionId,
        dropped.signer,
      );
      db.prepare("delete from anonymous_signatures where petition_id = ? and token_id = ?").run(
        petitionId,
        dropped.signer,
      );
      let prev = rows.find((r) => r.seq === seq - 1)?.hash ?? GENESIS_HASH;
      const insert = db.prepare(
        "insert into ledger_entries (petition_id, seq, event, at, signer, prev_hash, hash, format) values (?, ?, ?, ?, ?, ?, ?, ?)",
      );
      for (const row of rows.filter((r) => r.seq > seq)) {
        const entry = {
          format: (row.format === 2 ? 2 : 1) as 1 | 2,
          petitionId,
          seq: row.seq - 1,
          event: row.event,
          at: new Date(row.at),
          signer: row.signer,
          prevHash: prev,
        };
        const hash = entryHash(entry);
        insert.run(petitionId, entry.seq, row.event, row.at, row.signer, prev, hash, row.format);
        db.prepare(
          "update signatures set ledger_seq = ?, ledger_hash = ? where petition_id = ? and ledger_signer = ? and ledger_seq = ?",
        ).run(entry.seq, hash, petitionId, row.signer, row.seq);
        prev = hash;
      }
      db.prepare(
        "update petitions set ledger_length = ledger_length - 1, ledger_head = ?, signature_count = signature_count - 1 where id = ?",
      ).run(prev, petitionId);
      for (const t of triggers) db.prepare(t.sql).run();
    })();
  } finally {
    db.close();
  }
}
