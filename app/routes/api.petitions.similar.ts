import type { LoaderFunctionArgs } from "@remix-run/node";
import { json } from "@remix-run/node";
import { z } from "zod";
import { findSimilarOpenPetitions } from "../domain/petitions/reads.server";
import { parseQuery } from "../web/request.server";

/** Up to 5 open petitions similar to a draft title (used while typing on /petitions/new). */
export function loader({ request }: LoaderFunctionArgs) {
  const { title } = parseQuery(request, z.object({ title: z.string().trim().max(120).default("") }));
  return json({ petitions: findSimilarOpenPetitions(title) });
}
