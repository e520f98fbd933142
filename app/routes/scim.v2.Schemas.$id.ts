import type { LoaderFunctionArgs } from "@remix-run/node";
import { scimSchema } from "../domain/people/scim-metadata.server";
import { scimJson, scimRespond } from "../web/scim.server";

/** One schema, at the URL its meta.location gives (RFC 7644 §4). */
export const loader = ({ request, params }: LoaderFunctionArgs) =>
  scimRespond(request, () => scimJson(scimSchema(params.id ?? "")));
