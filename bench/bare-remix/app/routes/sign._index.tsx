import { createHash, createHmac, randomBytes } from "node:crypto";
import { type ActionFunctionArgs, redirect } from "@remix-run/node";
import { database } from "../db.server";

/**
 * The floor for a signature: a bare action doing a signature's own writes on the project's schema
 * (BARE_DATABASE is then a copy of the benchmark's database), in one immediate transaction, and
 * nothing else — no session, no validation, no rate limits, no flash cookie. It reads the petition,
 * records "signed without a token", inserts the signature row (department and location copied from
 * the directory, through the same indexes), writes the ledger entry (SHA-256 over the same line as
 * entryHash), moves the count and head, and looks up the next milestone, as signPetition does. The
 * petition and the person come in the form. An index route, as the petition page's action is, so
 * Remix does the same work around both (it strips `?index` into a new Request).
 */
type Statements = ReturnType<typeof prepare>;
let statements: Statements | undefined;

function prepare() {
  const db = database();
  return {
    db,
    petition: db.prepare<[number], { state: string; ledger_length: number; ledger_head: string | null }>(
      "select state, ledger_length, ledger_head from petitions where id = ?",
    ),
    issuance: db.prepare<[string, number]>("select 1 from token_issuance where scope = ? and person_id = ?"),
    withoutToken: db.prepare<[string, number, number]>(
      "insert into token_issuance (scope, person_id, issued_on, blinded_hash) values (?, ?, ?, null)",
    ),
    signature: db.prepare(
      "insert into signatures (petition_id, person_id, visibility, reason, wants_updates, ip_hash, ledger_signer, token_id, ledger_seq, ledger_hash, created_at, department, location) select ?, id, 'public', null, ?, ?, ?, null, ?, ?, ?, department, location from people where id = ?",
    ),
    entry: db.prepare(
      "insert into ledger_entries (petition_id, seq, event, at, signer, prev_hash, hash, format) values (?, ?, 'signed', ?, ?, ?, ?, 2)",
    ),
    move: db.prepare(
      "update petitions set ledger_length = ?, ledger_head = ?, signature_count = signature_count + 1 where id = ?",
    ),
    nextMilestone: db.prepare<[number]>(
      "select threshold from milestones where petition_id = ? and reached_at is null order by threshold limit 1",
    ),
  };
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const ipKey = randomBytes(32);

export async function action({ request, context }: ActionFunctionArgs) {
  const form = await request.formData();
  const petitionId = Number(form.get("petition"));
  const personId = Number(form.get("person"));
  const wantsUpdates = form.get("wantsUpdates") === "on" ? 1 : 0;
  const ip = String((context as { clientIp?: string }).clientIp ?? "");
  statements ??= prepare();
  const s = statements;
  const now = Date.now();
  s.db
    .transaction(() => {
      const petition = s.petition.get(petitionId);
      if (petition?.state !== "open") throw new Response("Not open", { status: 409 });
      const scope = `petition:${petitionId}`;
      if (!s.issuance.get(scope, personId)) s.withoutToken.run(scope, personId, now - (now % DAY_MS));
      const seq = petition.ledger_length + 1;
      const signer = randomBytes(32).toString("hex");
      const hour = now - (now % HOUR_MS);
      const prevHash = petition.ledger_head ?? "0".repeat(64);
      const hash = createHash("sha256")
        .update(["v2", petitionId, seq, "signed", new Date(hour).toISOString(), signer, prevHash].join("|"))
        .digest("hex");
      const ipHash = createHmac("sha256", ipKey).update(`ip:${ip}`).digest("hex");
      s.signature.run(petitionId, wantsUpdates, ipHash, signer, seq, hash, now, personId);
      s.entry.run(petitionId, seq, hour, signer, prevHash, hash);
      s.move.run(seq, hash, petitionId);
      s.nextMilestone.get(petitionId);
    })
    .immediate();
  return redirect("/");
}
