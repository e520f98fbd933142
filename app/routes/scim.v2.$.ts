import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { scimError, scimRespond } from "../web/scim.server";

/**
 * Any other address under /scim/v2 (Groups, Bulk, /Me…): a SCIM 404 in SCIM's format, after the
 * token check like every SCIM answer — not the site's HTML page. Only Users are provisioned here.
 */
const notHere = (request: Request) =>
  scimRespond(request, () =>
    scimError(404, "This SCIM service has Users only (and ServiceProviderConfig, Schemas, ResourceTypes)."),
  );

export const loader = ({ request }: LoaderFunctionArgs) => notHere(request);
export const action = ({ request }: ActionFunctionArgs) => notHere(request);
