import { getConfig } from "../../config.server";

/**
 * Whether someone the staff directory does not list is admitted: a bootstrap admin named in
 * ADMIN_EMAILS, a person given a role by an admin, or a plain address of an allowed domain. An
 * allowed domain admits no "+tag": "jane+1@", "jane+2@" reach one mailbox, and each would otherwise
 * become another person with another verified signature. Asked at every sign-in and on every request
 * of a session, so a domain taken off the list, or an address the rules no longer admit, stops there.
 */
export function admittedOutsideDirectory(email: string, roles: readonly string[]): boolean {
  const config = getConfig();
  if (config.adminEmails.includes(email) || roles.length > 0) return true;
  const [local = "", domain = ""] = email.split("@");
  return config.allowedEmailDomains.includes(domain) && !local.includes("+");
}
