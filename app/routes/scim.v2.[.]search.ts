import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { scimJson, scimMethodNotAllowed, scimRespond, searchFromBody } from "../web/scim.server";

/** POST /.search (RFC 7644 §3.4.3): a query of every resource type — here, Users. */
export const loader = ({ request }: LoaderFunctionArgs) =>
  scimRespond(request, () => scimMethodNotAllowed("POST"));

export const action = ({ request }: ActionFunctionArgs) =>
  scimRespond(request, async () =>
    request.method === "POST" ? scimJson(await searchFromBody(request)) : scimMethodNotAllowed("POST"),
  );
