import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { z } from "zod";
import { API_STATES, listPetitionsForApi } from "../domain/petitions/api.server";
import { parseQuery } from "../web/request.server";

/** GET /api/petitions?state=&q=&cursor= — see docs/api.md. */
export function loader({ request }: LoaderFunctionArgs) {
  const query = parseQuery(
    request,
    z.object({
      state: z.enum(API_STATES).optional(),
      q: z.string().trim().max(200).optional(),
      cursor: z.coerce.number().int().min(1).optional(),
    }),
  );
  return json(listPetitionsForApi(query));
}
