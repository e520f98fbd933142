import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { createScimUser } from "../domain/people/provisioning.server";
import { projectResource } from "../domain/people/scim-attributes.server";
import {
  listFromQuery,
  readScimBody,
  scimJson,
  scimMethodNotAllowed,
  scimRespond,
  scimView,
} from "../web/scim.server";

/**
 * SCIM Users: GET lists (filter, startIndex, count, attributes, excludedAttributes); POST provisions
 * a colleague.
 */
export const loader = ({ request }: LoaderFunctionArgs) =>
  scimRespond(request, () => scimJson(listFromQuery(request)));

export const action = ({ request }: ActionFunctionArgs) =>
  scimRespond(request, async () => {
    if (request.method !== "POST") return scimMethodNotAllowed("GET, POST");
    const view = scimView(request);
    const { user } = createScimUser(await readScimBody(request));
    return scimJson(projectResource(user, view), 201, { Location: user.meta.location });
  });
