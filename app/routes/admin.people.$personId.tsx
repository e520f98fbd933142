import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
import { formatDate, formatDateTime } from "../components/format";
import { FormErrors } from "../components/forms";
import {
  approveLinkRequest,
  pendingLinkRequests,
  refuseLinkRequest,
} from "../domain/identity/identity-linking.server";
import { grantRole, providerManagedRoles, revokeRole, rolesOf } from "../domain/identity/permissions.server";
import { getPersonForAdmin, maySignIn, setPersonActive } from "../domain/people/directory.server";
import { confirmHeldScimChange, refuseHeldScimChange } from "../domain/people/provisioning.server";
import { heldScimChange } from "../domain/people/scim-held-changes.server";
import { say } from "../platform/said";
import { signInOptions } from "../platform/site/settings.server";
import { ROLE_DESCRIPTIONS, ROLES } from "../vocabulary/roles";
import { redirectWithFlash } from "../web/flash.server";
import { notFound, refusalReply } from "../web/refusal-reply.server";
import { parseId, readForm } from "../web/request.server";
import { requirePermission } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: `${data?.person.name ?? data?.person.email ?? "Person"} · Admin · Undersigned` },
];

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requirePermission(request, "view:admin");
  const person = getPersonForAdmin(parseId(params.personId));
  if (!person) notFound(say("server.notFound.person"));
  return json({
    person,
    roles: rolesOf(person.id),
    maySignIn: maySignIn(person.email),
    managed: providerManagedRoles(),
    companyName: signInOptions().companyName,
    linkRequests: pendingLinkRequests(person.email),
    held: heldScimChange(person.id) ?? null,
  });
}

const schema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("grant"), role: z.enum(ROLES) }),
  z.object({ intent: z.literal("revoke"), role: z.enum(ROLES) }),
  z.object({ intent: z.literal("deactivate") }),
  z.object({ intent: z.literal("activate") }),
  z.object({ intent: z.literal("approve-link"), requestId: z.coerce.number().int().positive() }),
  z.object({ intent: z.literal("refuse-link"), requestId: z.coerce.number().int().positive() }),
  z.object({
    intent: z.literal("confirm-directory-change"),
    // What the page showed: confirmed only if the directory still asks for exactly that.
    email: z.string(),
    userName: z.string(),
    externalId: z
      .string()
      .optional()
      .transform((value) => value || null),
  }),
  z.object({ intent: z.literal("refuse-directory-change") }),
]);

export async function action({ request, params }: ActionFunctionArgs) {
  const admin = await requirePermission(request, "grant:role");
  const personId = parseId(params.personId);
  const submission = parseWithZod(await readForm(request), { schema });
  if (submission.status !== "success") return json(submission.reply(), { status: 400 });
  const actor = { id: admin.id, email: admin.email };
  const value = submission.value;
  try {
    let message: string;
    if (value.intent === "grant") {
      message = grantRole(personId, value.role, actor) ? `Granted ${value.role}.` : `Already ${value.role}.`;
    } else if (value.intent === "revoke") {
      message = revokeRole(personId, value.role, actor) ? `Revoked ${value.role}.` : `Was not ${value.role}.`;
    } else if (value.intent === "approve-link") {
      approveLinkRequest(value.requestId, personId, actor);
      message = "Connected: they can now sign in with that account.";
    } else if (value.intent === "refuse-link") {
      refuseLinkRequest(value.requestId, personId, actor);
      message = "Refused: that account stays unconnected.";
    } else if (value.intent === "confirm-directory-change") {
      const { email, userName, externalId } = value;
      confirmHeldScimChange(personId, { email, userName, externalId }, actor);
      message = "Confirmed: the directory's change is made.";
    } else if (value.intent === "refuse-directory-change") {
      refuseHeldScimChange(personId, actor);
      message = "Refused: nothing changed.";
    } else {
      setPersonActive(personId, value.intent === "activate", actor);
      message = value.intent === "activate" ? "Activated." : "Deactivated and signed out everywhere.";
    }
    return redirectWithFlash(`/admin/people/${personId}`, { kind: "success", message });
  } catch (error) {
    return refusalReply(error, submission, request);
  }
}

export default function AdminPerson() {
  const { person, roles, maySignIn, managed, companyName, linkRequests, held } =
    useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <>
      <p>
        <Link to="/admin/people">← People and roles</Link>
      </p>
      <h1>{person.name ?? person.email}</h1>
      <FormErrors errors={result?.error?.[""] ?? undefined} />
      <dl className="card">
        <dt className="label">Email</dt>
        <dd>{person.email}</dd>
        <dt className="label">Department · Location</dt>
        <dd>
          {person.department ?? "—"} · {person.location ?? "—"}
        </dd>
        <dt className="label">Source</dt>
        <dd>
          {person.inDirectory ? "Staff directory" : "Not in the directory (allowed email domain or a role)"}
        </dd>
        <dt className="label">First signed in</dt>
        <dd>{formatDate(person.firstSignedInAt)}</dd>
        <dt className="label">Status</dt>
        <dd>
          {!person.active
            ? "Inactive (cannot sign in)"
            : maySignIn
              ? "Active"
              : "Active, but cannot sign in: not in the directory, and no allowed domain, ADMIN_EMAILS entry or role admits this address"}
        </dd>
      </dl>
      {linkRequests.length > 0 && (
        <>
          <h2>Company sign-ins waiting to be connected</h2>
          <p className="muted">
            Someone signed in with a {companyName} account carrying this address. It is connected only once
            confirmed from the emailed link, or approved here. Approve only if you know the account is theirs.
          </p>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Account</th>
                  <th scope="col">Account id</th>
                  <th scope="col">Provider</th>
                  <th scope="col">Expires</th>
                  <th scope="col">Decide</th>
                </tr>
              </thead>
              <tbody>
                {linkRequests.map((request) => (
                  <tr key={request.id}>
                    <th scope="row">{request.accountName ?? "No name given"}</th>
                    <td>
                      <code>{request.subject}</code>
                    </td>
                    <td>{request.issuer}</td>
                    <td>{formatDateTime(request.expiresAt)}</td>
                    <td>
                      <Form method="post">
                        <input type="hidden" name="requestId" value={request.id} />
                        <button type="submit" name="intent" value="approve-link">
                          Approve
                        </button>{" "}
                        <button type="submit" name="intent" value="refuse-link" className="danger">
                          Refuse
                        </button>
                      </Form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {held ? (
        <section className="card" aria-labelledby="held-change">
          <h2 id="held-change">Waiting for an admin: a change from {companyName}'s staff directory</h2>
          <p>
            {held.relink
              ? `${companyName}'s provisioning service wants to link one of its users to this person.`
              : `${companyName}'s provisioning service wants to change how this person signs in.`}{" "}
            Because they hold a role here, nothing changes until an admin confirms it. If the email address
            changes, they are signed out everywhere and their old address is told.
          </p>
          <dl>
            <dt className="label">Email</dt>
            <dd>{held.email === person.email ? person.email : `${person.email} → ${held.email}`}</dd>
            <dt className="label">Username at {companyName}</dt>
            <dd>
              {(person.scimUserName ?? person.email) === held.userName
                ? held.userName
                : `${person.scimUserName ?? person.email} → ${held.userName}`}
            </dd>
            <dt className="label">Id at {companyName}</dt>
            <dd>
              {person.externalId === held.externalId
                ? (held.externalId ?? "—")
                : `${person.externalId ?? "—"} → ${held.externalId ?? "—"}`}
            </dd>
          </dl>
          <Form method="post" className="row">
            <input type="hidden" name="email" value={held.email} />
            <input type="hidden" name="userName" value={held.userName} />
            <input type="hidden" name="externalId" value={held.externalId ?? ""} />
            <button type="submit" name="intent" value="confirm-directory-change">
              Confirm the change
            </button>
            <button type="submit" name="intent" value="refuse-directory-change" className="secondary">
              Refuse it
            </button>
          </Form>
        </section>
      ) : null}
      <h2>Roles</h2>
      <p className="muted">Everyone who signs in is staff. These roles add to that.</p>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Role</th>
              <th scope="col">What it adds</th>
              <th scope="col">Held</th>
              <th scope="col">Change</th>
            </tr>
          </thead>
          <tbody>
            {ROLES.map((role) => {
              const held = roles.includes(role);
              return (
                <tr key={role}>
                  <th scope="row">{role}</th>
                  <td>{ROLE_DESCRIPTIONS[role]}</td>
                  <td>{held ? "Yes" : "No"}</td>
                  <td>
                    {managed.includes(role) ? (
                      <span className="muted">Managed by {companyName}'s identity provider</span>
                    ) : (
                      <Form method="post">
                        <input type="hidden" name="role" value={role} />
                        <button
                          type="submit"
                          name="intent"
                          value={held ? "revoke" : "grant"}
                          className={held ? "danger" : "secondary"}
                        >
                          {held ? `Revoke ${role}` : `Grant ${role}`}
                        </button>
                      </Form>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <h2>Access</h2>
      <Form method="post">
        {person.active ? (
          <button type="submit" name="intent" value="deactivate" className="danger">
            Deactivate and sign out everywhere
          </button>
        ) : (
          <button type="submit" name="intent" value="activate">
            Activate
          </button>
        )}
      </Form>
    </>
  );
}
