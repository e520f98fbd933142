import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { z } from "zod";
import { findSimilarPetitions } from "../domain/petitions/reads.server";
import { parseQuery } from "../web/request.server";

/**
 * Up to 6 petitions similar to a draft title, in every state a colleague may read, each with its state
 * (used while typing on /petitions/new).
 */
export function loader({ request }: LoaderFunctionArgs) {
  const { title } = parseQuery(request, z.object({ title: z.string().trim().max(120).default("") }));
  return json({ petitions: findSimilarPetitions(title) });
}
