import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import {
  deleteScimUser,
  getScimUser,
  patchScimUser,
  replaceScimUser,
} from "../domain/people/provisioning.server";
import { projectResource } from "../domain/people/scim-attributes.server";
import { readScimBody, scimJson, scimMethodNotAllowed, scimRespond, scimView } from "../web/scim.server";

/**
 * One SCIM user: GET, PUT (replace), PATCH (Okta's and Entra's shapes), DELETE (deactivates the
 * person; the user answers 404 from then on). Answers carrying the user honour attributes and
 * excludedAttributes.
 */
export const loader = ({ request, params }: LoaderFunctionArgs) =>
  scimRespond(request, () => scimJson(projectResource(getScimUser(params.id ?? ""), scimView(request))));

export const action = ({ request, params }: ActionFunctionArgs) =>
  scimRespond(request, async () => {
    const id = params.id ?? "";
    const view = scimView(request);
    switch (request.method) {
      case "PUT":
        return scimJson(projectResource(replaceScimUser(id, await readScimBody(request)), view));
      case "PATCH":
        return scimJson(projectResource(patchScimUser(id, await readScimBody(request)), view));
      case "DELETE":
        deleteScimUser(id);
        return new Response(null, { status: 204 });
      default:
        return scimMethodNotAllowed("GET, PUT, PATCH, DELETE");
    }
  });
