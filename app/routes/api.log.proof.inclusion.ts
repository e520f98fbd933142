import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { inclusionProofFor } from "../domain/transparency/log-reads.server";
import { logJson } from "../web/log-answers.server";
import { parseQuery } from "../web/request.server";

const query = z.object({ index: z.coerce.number().int().min(0), size: z.coerce.number().int().min(1) });

/** GET /api/log/proof/inclusion?index=I&size=N — RFC 9162 inclusion proof of entry I in the tree of size N. */
export function loader({ request }: LoaderFunctionArgs) {
  const { index, size } = parseQuery(request, query);
  return logJson(() => inclusionProofFor(index, size));
}
