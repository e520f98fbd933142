import { parseWithZod } from "@conform-to/zod/v4";
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { z } from "zod";
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
import { useFormat } from "../i18n/format";
import { useT } from "../i18n/translate";
import { signInOptions } from "../platform/site/settings.server";
import { ROLES } from "../vocabulary/roles";
import { redirectWithFlash } from "../web/flash.server";
import { wordsFor } from "../web/reader.server";
import { notFound, refusalReply } from "../web/refusal-reply.server";
import { parseId, readForm } from "../web/request.server";
import { requirePermission } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Undersigned" }];

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requirePermission(request, "view:admin");
  const person = getPersonForAdmin(parseId(params.personId));
  const { t } = await wordsFor(request);
  if (!person) notFound(t("admin.person.notFound"));
  return json({
    title: t("common.pageTitle", { page: t("admin.pageTitle", { page: person.name ?? person.email }) }),
    person,
    roles: rolesOf(person.id),
    maySignIn: maySignIn(person.email),
    managed: providerManagedRoles(),
    company: signInOptions().company,
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
  const { t } = await wordsFor(request);
  try {
    let message: string;
    if (value.intent === "grant") {
      const role = t("admin.role", { role: value.role });
      message = grantRole(personId, value.role, actor)
        ? t("admin.person.done.granted", { role })
        : t("admin.person.done.alreadyHeld", { role });
    } else if (value.intent === "revoke") {
      const role = t("admin.role", { role: value.role });
      message = revokeRole(personId, value.role, actor)
        ? t("admin.person.done.revoked", { role })
        : t("admin.person.done.notHeld", { role });
    } else if (value.intent === "approve-link") {
      approveLinkRequest(value.requestId, personId, actor);
      message = t("admin.person.done.linkApproved");
    } else if (value.intent === "refuse-link") {
      refuseLinkRequest(value.requestId, personId, actor);
      message = t("admin.person.done.linkRefused");
    } else if (value.intent === "confirm-directory-change") {
      const { email, userName, externalId } = value;
      confirmHeldScimChange(personId, { email, userName, externalId }, actor);
      message = t("admin.person.done.changeConfirmed");
    } else if (value.intent === "refuse-directory-change") {
      refuseHeldScimChange(personId, actor);
      message = t("admin.person.done.changeRefused");
    } else {
      setPersonActive(personId, value.intent === "activate", actor);
      message =
        value.intent === "activate" ? t("admin.person.done.activated") : t("admin.person.done.deactivated");
    }
    return redirectWithFlash(`/admin/people/${personId}`, { kind: "success", message });
  } catch (error) {
    return refusalReply(error, submission, request);
  }
}

export default function AdminPerson() {
  const { person, roles, maySignIn, managed, company, linkRequests, held } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const t = useT();
  const format = useFormat();
  const change = (from: string, to: string) =>
    from === to ? to : t("admin.person.held.fromTo", { from, to });
  return (
    <>
      <p>
        <Link to="/admin/people">{t("admin.person.back")}</Link>
      </p>
      <h1>{person.name ?? person.email}</h1>
      <FormErrors errors={result?.error?.[""] ?? undefined} />
      <dl className="card">
        <dt className="label">{t("admin.person.email")}</dt>
        <dd>{person.email}</dd>
        <dt className="label">{t("admin.person.departmentLocation")}</dt>
        <dd>
          {t("admin.person.departmentLocationValue", {
            department: person.department ?? t("admin.people.none"),
            location: person.location ?? t("admin.people.none"),
          })}
        </dd>
        <dt className="label">{t("admin.person.source")}</dt>
        <dd>{person.inDirectory ? t("admin.person.source.directory") : t("admin.person.source.other")}</dd>
        <dt className="label">{t("admin.person.firstSignedIn")}</dt>
        <dd>{format.date(person.firstSignedInAt)}</dd>
        <dt className="label">{t("admin.person.status")}</dt>
        <dd>
          {!person.active
            ? t("admin.person.status.inactive")
            : maySignIn
              ? t("admin.person.status.active")
              : t("admin.person.status.activeNoSignIn")}
        </dd>
      </dl>
      {linkRequests.length > 0 && (
        <>
          <h2>{t("admin.person.links.heading")}</h2>
          <p className="muted">{t("admin.person.links.intro", company)}</p>
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">{t("admin.person.links.account")}</th>
                  <th scope="col">{t("admin.person.links.accountId")}</th>
                  <th scope="col">{t("admin.person.links.provider")}</th>
                  <th scope="col">{t("admin.person.links.expires")}</th>
                  <th scope="col">{t("admin.person.links.decide")}</th>
                </tr>
              </thead>
              <tbody>
                {linkRequests.map((request) => (
                  <tr key={request.id}>
                    <th scope="row">{request.accountName ?? t("admin.person.links.noName")}</th>
                    <td>
                      <code>{request.subject}</code>
                    </td>
                    <td>{request.issuer}</td>
                    <td>{format.dateTime(request.expiresAt)}</td>
                    <td>
                      <Form method="post">
                        <input type="hidden" name="requestId" value={request.id} />
                        <button type="submit" name="intent" value="approve-link">
                          {t("admin.person.links.approve")}
                        </button>{" "}
                        <button type="submit" name="intent" value="refuse-link" className="danger">
                          {t("admin.person.links.refuse")}
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
          <h2 id="held-change">{t("admin.person.held.heading", company)}</h2>
          <p>
            {held.relink ? t("admin.person.held.relink", company) : t("admin.person.held.change", company)}{" "}
            {t("admin.person.held.why")}
          </p>
          <dl>
            <dt className="label">{t("admin.person.held.email")}</dt>
            <dd>{change(person.email, held.email)}</dd>
            <dt className="label">{t("admin.person.held.userName", company)}</dt>
            <dd>{change(person.scimUserName ?? person.email, held.userName)}</dd>
            <dt className="label">{t("admin.person.held.externalId", company)}</dt>
            <dd>
              {person.externalId === held.externalId
                ? (held.externalId ?? t("admin.people.none"))
                : change(
                    person.externalId ?? t("admin.people.none"),
                    held.externalId ?? t("admin.people.none"),
                  )}
            </dd>
          </dl>
          <Form method="post" className="row">
            <input type="hidden" name="email" value={held.email} />
            <input type="hidden" name="userName" value={held.userName} />
            <input type="hidden" name="externalId" value={held.externalId ?? ""} />
            <button type="submit" name="intent" value="confirm-directory-change">
              {t("admin.person.held.confirm")}
            </button>
            <button type="submit" name="intent" value="refuse-directory-change" className="secondary">
              {t("admin.person.held.refuse")}
            </button>
          </Form>
        </section>
      ) : null}
      <h2>{t("admin.person.roles.heading")}</h2>
      <p className="muted">{t("admin.person.roles.intro")}</p>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">{t("admin.person.roles.role")}</th>
              <th scope="col">{t("admin.person.roles.adds")}</th>
              <th scope="col">{t("admin.person.roles.held")}</th>
              <th scope="col">{t("admin.person.roles.change")}</th>
            </tr>
          </thead>
          <tbody>
            {ROLES.map((role) => {
              const held = roles.includes(role);
              const name = t("admin.role", { role });
              return (
                <tr key={role}>
                  <th scope="row">{name}</th>
                  <td>{t("admin.role.adds", { role })}</td>
                  <td>{held ? t("admin.person.roles.yes") : t("admin.person.roles.no")}</td>
                  <td>
                    {managed.includes(role) ? (
                      <span className="muted">{t("admin.person.roles.managed", company)}</span>
                    ) : (
                      <Form method="post">
                        <input type="hidden" name="role" value={role} />
                        <button
                          type="submit"
                          name="intent"
                          value={held ? "revoke" : "grant"}
                          className={held ? "danger" : "secondary"}
                        >
                          {held
                            ? t("admin.person.roles.revoke", { role: name })
                            : t("admin.person.roles.grant", { role: name })}
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
      <h2>{t("admin.person.access.heading")}</h2>
      <Form method="post">
        {person.active ? (
          <button type="submit" name="intent" value="deactivate" className="danger">
            {t("admin.person.access.deactivate")}
          </button>
        ) : (
          <button type="submit" name="intent" value="activate">
            {t("admin.person.access.activate")}
          </button>
        )}
      </Form>
    </>
  );
}
