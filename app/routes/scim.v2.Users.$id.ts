import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import {
  deactivateScimUser,
  getScimUser,
  patchScimUser,
  replaceScimUser,
} from "../domain/people/provisioning.server";
import { readScimBody, scimJson, scimMethodNotAllowed, scimRespond } from "../web/scim.server";

/** One SCIM user: GET, PUT (replace), PATCH (Okta's and Entra's shapes), DELETE (deactivates). */
export const loader = ({ request, params }: LoaderFunctionArgs) =>
  scimRespond(request, () => scimJson(getScimUser(params.id ?? "")));

export const action = ({ request, params }: ActionFunctionArgs) =>
  scimRespond(request, async () => {
    const id = params.id ?? "";
    switch (request.method) {
      case "PUT":
        return scimJson(replaceScimUser(id, await readScimBody(request)));
      case "PATCH":
        return scimJson(patchScimUser(id, await readScimBody(request)));
      case "DELETE":
        deactivateScimUser(id);
        return new Response(null, { status: 204 });
      default:
        return scimMethodNotAllowed("GET, PUT, PATCH, DELETE");
    }
  });
