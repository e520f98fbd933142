import type { SerializeFrom } from "@remix-run/node";
import type { PetitionPage } from "../../domain/petitions/reads.server";

/** The petition page's data as the browser holds it (dates as strings): what its panels take. */
export type PetitionPageData = SerializeFrom<PetitionPage>;
