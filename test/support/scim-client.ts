import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import * as otherRoute from "../../app/routes/scim.v2.$";
import * as searchRoute from "../../app/routes/scim.v2.[.]search";
import * as resourceTypesRoute from "../../app/routes/scim.v2.ResourceTypes";
import * as schemasRoute from "../../app/routes/scim.v2.Schemas";
import * as configRoute from "../../app/routes/scim.v2.ServiceProviderConfig";
import * as usersRoute from "../../app/routes/scim.v2.Users._index";
import * as userRoute from "../../app/routes/scim.v2.Users.$id";
import * as usersSearchRoute from "../../app/routes/scim.v2.Users.[.]search";

/**
 * A SCIM client for integration tests: a request to a path under /scim/v2, answered by the route
 * module Remix would pick for it (the real modules on the test's SQLite file), JSON parsed.
 */
export const SCIM_BASE = "http://undersigned.test:3000/scim/v2";

type Module = {
  loader?: (args: LoaderFunctionArgs) => Promise<Response> | Response;
  action?: (args: ActionFunctionArgs) => Promise<Response> | Response;
};

/** The route module and its params, as Remix's flat routes match the path (static before dynamic). */
function route(pathname: string): { module: Module; params: Record<string, string> } {
  const segments = pathname.split("/").filter(Boolean).map(decodeURIComponent);
  const [first, second, ...rest] = segments;
  if (first === ".search" && !second) return { module: searchRoute, params: {} };
  if (first === "ServiceProviderConfig" && !second) return { module: configRoute, params: {} };
  if (first === "Users" && !second) return { module: usersRoute, params: {} };
  if (first === "Users" && second === ".search" && !rest.length)
    return { module: usersSearchRoute, params: {} };
  if (first === "Users" && second && !rest.length) return { module: userRoute, params: { id: second } };
  if (first === "Schemas" && !second) return { module: schemasRoute, params: {} };
  if (first === "ResourceTypes" && !second) return { module: resourceTypesRoute, params: {} };
  return { module: otherRoute, params: { "*": segments.join("/") } };
}

export type ScimAnswer = { status: number; headers: Headers; json: Record<string, unknown> | null };

export async function scimRequest(
  token: string | null,
  method: string,
  path: string,
  body?: unknown,
  options: { contentType?: string; raw?: string; cookie?: string } = {},
): Promise<ScimAnswer> {
  const headers = new Headers({ Accept: "application/scim+json" });
  if (token) headers.set("Authorization", `Bearer ${token}`);
  if (options.cookie) headers.set("Cookie", options.cookie);
  if (body !== undefined || options.raw !== undefined)
    headers.set("Content-Type", options.contentType ?? "application/scim+json; charset=utf-8");
  const url = new URL(`${SCIM_BASE}${path}`);
  const request = new Request(url, {
    method,
    headers,
    body: options.raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const { module, params } = route(url.pathname.slice(new URL(SCIM_BASE).pathname.length));
  const handler = method === "GET" ? module.loader : module.action;
  if (!handler) return { status: 405, headers: new Headers(), json: null };
  const response = await handler({ request, params, context: {} });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    json: text ? (JSON.parse(text) as Record<string, unknown>) : null,
  };
}

export const PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
export const patchOf = (...operations: unknown[]) => ({ schemas: [PATCH_OP], Operations: operations });
