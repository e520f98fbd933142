import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { scimResourceType, scimSchema } from "../domain/people/scim-metadata.server";
import { scimError, scimJson, scimRespond } from "../web/scim.server";

/**
 * Any other address under /scim/v2, after the token check like every SCIM answer: one schema
 * (`Schemas/<urn>`) or resource type (`ResourceTypes/User`), the URLs their meta.location gives;
 * else (Groups, Bulk, /Me…) a SCIM 404 in SCIM's format, not the site's HTML page. Only Users are
 * provisioned here.
 */
const notHere = () =>
  scimError(404, "This SCIM service has Users only (and ServiceProviderConfig, Schemas, ResourceTypes).");

export const loader = ({ request, params }: LoaderFunctionArgs) =>
  scimRespond(request, () => {
    const [collection, id, ...rest] = (params["*"] ?? "").split("/");
    if (collection === "Schemas" && id && !rest.length) return scimJson(scimSchema(id));
    if (collection === "ResourceTypes" && id && !rest.length) return scimJson(scimResourceType(id));
    return notHere();
  });
export const action = ({ request }: ActionFunctionArgs) => scimRespond(request, notHere);
