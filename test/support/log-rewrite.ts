import Database from "better-sqlite3";
import { encodeEntry, type LogEntry, parseEntry } from "../../app/platform/transparency/log-entries";
import { CompactRange, leafHash } from "../../app/platform/transparency/merkle";
import { noteSignerFrom, signNote } from "../../app/platform/transparency/note-signing.server";
import { formatCheckpoint, formatNote, SIG_ED25519 } from "../../app/platform/transparency/signed-note";

/**
 * What an operator holding the database and the log's key can do with the server stopped: rewrite
 * entries of the public log and rebuild its tree and checkpoints so that everything the server serves
 * is consistent and signed by the log's key. Cosignatures of the old checkpoints cannot be forged and
 * are dropped. Only a witness that kept the checkpoint it cosigned can tell.
 */
export function rewriteLog(
  databasePath: string,
  rewrite: (entry: LogEntry, index: number) => LogEntry,
): void {
  const db = new Database(databasePath);
  try {
    const key = db.prepare("select origin, private_key from log_key where id = 1").get() as {
      origin: string;
      private_key: string;
    };
    const signer = noteSignerFrom(key.origin, SIG_ED25519, key.private_key);
    const leaves = db.prepare("select idx, data from log_leaves order by idx").all() as Array<{
      idx: number;
      data: string;
    }>;
    const sizes = new Set(
      (db.prepare("select size from log_checkpoints").all() as Array<{ size: number }>).map((r) => r.size),
    );
    db.transaction(() => {
      db.exec("delete from log_cosignatures; delete from log_checkpoints; delete from log_nodes;");
      const updateLeaf = db.prepare("update log_leaves set data = ? where idx = ?");
      const insertNode = db.prepare("insert into log_nodes (level, idx, hash) values (?, ?, ?)");
      const insertCheckpoint = db.prepare("insert into log_checkpoints (size, root, note) values (?, ?, ?)");
      const range = new CompactRange();
      for (const leaf of leaves) {
        const entry = rewrite(parseEntry(new TextEncoder().encode(leaf.data)), leaf.idx);
        // Canonical, as the server writes it.
        const data = new TextDecoder().decode(encodeEntry(entry));
        if (data !== leaf.data) updateLeaf.run(data, leaf.idx);
        for (const node of range.append(leafHash(new TextEncoder().encode(data))))
          insertNode.run(node.level, node.index, Buffer.from(node.hash));
        // Every checkpoint the log had, signed again over the rewritten tree.
        if (sizes.has(range.size)) {
          const body = formatCheckpoint({
            origin: signer.name,
            size: range.size,
            root: range.root(),
            extensions: [],
          });
          insertCheckpoint.run(
            range.size,
            Buffer.from(range.root()),
            formatNote(body, [signNote(body, signer)]),
          );
        }
      }
    })();
  } finally {
    db.close();
  }
}
