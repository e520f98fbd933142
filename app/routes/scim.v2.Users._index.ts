import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { createScimUser, listScimUsers } from "../domain/people/provisioning.server";
import { readScimBody, scimJson, scimMethodNotAllowed, scimRespond } from "../web/scim.server";

/** SCIM Users: GET lists (filter=userName eq "…", startIndex, count); POST provisions a colleague. */
const integer = (value: string | null) => (value && /^\d{1,9}$/.test(value) ? Number(value) : undefined);

export const loader = ({ request }: LoaderFunctionArgs) =>
  scimRespond(request, () => {
    const query = new URL(request.url).searchParams;
    return scimJson(
      listScimUsers({
        filter: query.get("filter"),
        startIndex: integer(query.get("startIndex")),
        count: integer(query.get("count")),
      }),
    );
  });

export const action = ({ request }: ActionFunctionArgs) =>
  scimRespond(request, async () => {
    if (request.method !== "POST") return scimMethodNotAllowed("GET, POST");
    const { user } = createScimUser(await readScimBody(request));
    return scimJson(user, 201, { Location: user.meta.location });
  });
