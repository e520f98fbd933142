import type { LoaderFunctionArgs } from "@remix-run/node";
import { scimResourceType } from "../domain/people/scim-metadata.server";
import { scimJson, scimRespond } from "../web/scim.server";

/** One resource type (User), at the URL its meta.location gives (RFC 7644 §4). */
export const loader = ({ request, params }: LoaderFunctionArgs) =>
  scimRespond(request, () => scimJson(scimResourceType(params.id ?? "")));
