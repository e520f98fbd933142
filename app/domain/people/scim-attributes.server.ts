import { SCIM_ENTERPRISE_SCHEMA, SCIM_USER_SCHEMA, ScimError } from "./scim-resource.server";

/**
 * `attributes` and `excludedAttributes` (RFC 7644 §3.9): which attributes of a resource an answer
 * carries. Names are in standard attribute notation (§3.10) — `userName`, `name.givenName`,
 * `emails.value`, `urn:…:User:displayName`, the enterprise extension or one of its attributes —
 * compared without regard to case. `schemas` and `id` are always returned (RFC 7643 §3.1).
 */
export type ScimView = { attributes: string[]; excludedAttributes: string[] };

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const ALWAYS = new Set(["schemas", "id"]);

/** The view a request asks for: comma-separated names, at most one of the two parameters. */
export function parseScimView(attributes: string | null, excludedAttributes: string | null): ScimView {
  const names = (value: string | null) =>
    (value ?? "")
      .split(",")
      .map((name) => name.trim())
      .filter(Boolean)
      .slice(0, 50);
  const view = { attributes: names(attributes), excludedAttributes: names(excludedAttributes) };
  if (view.attributes.length && view.excludedAttributes.length)
    throw new ScimError("Send attributes or excludedAttributes, not both.", 400, "invalidSyntax");
  return view;
}

/** The path of keys a name points at: the extension's attributes sit under its URN. */
function segmentsOf(name: string): string[] {
  const lower = name.toLowerCase();
  const enterprise = SCIM_ENTERPRISE_SCHEMA.toLowerCase();
  const core = SCIM_USER_SCHEMA.toLowerCase();
  if (lower === enterprise) return [enterprise];
  if (lower.startsWith(`${enterprise}:`))
    return [enterprise, ...lower.slice(enterprise.length + 1).split(".")];
  if (lower === core) return [];
  if (lower.startsWith(`${core}:`)) return lower.slice(core.length + 1).split(".");
  return lower.split(".");
}

const keyOf = (value: Json, segment: string) => Object.keys(value).find((k) => k.toLowerCase() === segment);

function pick(value: unknown, segments: string[]): unknown {
  if (!segments.length) return value;
  if (Array.isArray(value)) {
    const items = value.map((item) => pick(item, segments)).filter((item) => item !== undefined);
    return items.length ? items : undefined;
  }
  if (!isObject(value)) return undefined;
  const key = keyOf(value, segments[0] ?? "");
  if (!key) return undefined;
  const inner = pick(value[key], segments.slice(1));
  return inner === undefined ? undefined : { [key]: inner };
}

/** Two picks of one resource together (`emails.value` and `emails.type` make one list). */
function merge(a: unknown, b: unknown): unknown {
  if (Array.isArray(a) && Array.isArray(b)) return a.map((item, i) => merge(item, b[i]));
  if (isObject(a) && isObject(b)) {
    const out: Json = { ...a };
    for (const [key, value] of Object.entries(b)) out[key] = key in out ? merge(out[key], value) : value;
    return out;
  }
  return b ?? a;
}

const isEmpty = (value: unknown) =>
  (Array.isArray(value) && !value.length) || (isObject(value) && !Object.keys(value).length);

function omit(value: unknown, segments: string[]): unknown {
  if (Array.isArray(value)) return value.map((item) => omit(item, segments)).filter((item) => !isEmpty(item));
  if (!isObject(value) || !segments.length) return value;
  const key = keyOf(value, segments[0] ?? "");
  if (!key) return value;
  const { [key]: inner, ...rest } = value;
  if (segments.length === 1) return rest;
  const kept = omit(inner, segments.slice(1));
  return isEmpty(kept) ? rest : { ...rest, [key]: kept };
}

/** The resource as the view asks for it. */
export function projectResource<T extends { schemas: string[]; id: string }>(
  resource: T,
  view: ScimView,
): Json {
  let out: Json = resource;
  if (view.attributes.length) {
    out = { schemas: resource.schemas, id: resource.id };
    for (const name of view.attributes) out = merge(out, pick(resource, segmentsOf(name)) ?? {}) as Json;
  } else {
    for (const name of view.excludedAttributes) {
      const segments = segmentsOf(name);
      if (segments.length && !(segments.length === 1 && ALWAYS.has(segments[0] ?? ""))) {
        out = omit(out, segments) as Json;
      }
    }
  }
  // An extension left out of the answer is left out of its `schemas` too.
  return { ...out, schemas: resource.schemas.filter((urn) => urn === SCIM_USER_SCHEMA || urn in out) };
}

/** A list response whose resources are projected. */
export function projectList<T extends { schemas: string[]; id: string }>(
  list: { Resources: T[] } & Json,
  view: ScimView,
): Json {
  return { ...list, Resources: list.Resources.map((resource) => projectResource(resource, view)) };
}
