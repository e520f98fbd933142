import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { consistencyProofFor } from "../domain/transparency/log-reads.server";
import { logJson } from "../web/log-answers.server";
import { parseQuery } from "../web/request.server";

const query = z.object({ from: z.coerce.number().int().min(0), to: z.coerce.number().int().min(0) });

/** GET /api/log/proof/consistency?from=M&to=N — RFC 9162 consistency proof between trees of sizes M and N. */
export function loader({ request }: LoaderFunctionArgs) {
  const { from, to } = parseQuery(request, query);
  return logJson(() => consistencyProofFor(from, to));
}
