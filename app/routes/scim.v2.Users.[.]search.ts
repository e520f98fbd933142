/** POST /Users/.search (RFC 7644 §3.4.3): the same search as /.search, which here finds Users only. */
export { action, loader } from "./scim.v2.[.]search";
