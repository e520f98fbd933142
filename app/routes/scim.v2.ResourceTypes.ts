import type { LoaderFunctionArgs } from "@remix-run/node";
import { scimResourceTypes } from "../domain/people/scim-metadata.server";
import { scimJson, scimRespond } from "../web/scim.server";

export const loader = ({ request }: LoaderFunctionArgs) =>
  scimRespond(request, () => scimJson(scimResourceTypes()));
