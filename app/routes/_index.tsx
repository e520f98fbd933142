import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { getConfig } from "../config.server";
import { countPeople } from "../domain/people/directory.server";
import { getUser } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction = () => [
  { title: "Undersigned — staff petitions and policy feedback" },
  {
    name: "description",
    content: "Verified petitions, open discussion and answered memos about company policy.",
  },
];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getUser(request);
  const config = getConfig();
  return json({
    signedIn: Boolean(user),
    name: user?.name ?? null,
    // A fresh install with nobody able to sign in gets instructions instead of a dead end.
    firstRun:
      !user &&
      countPeople() === 0 &&
      config.allowedEmailDomains.length === 0 &&
      config.adminEmails.length === 0,
    devMailbox: config.devMailbox?.url ?? null,
  });
}

export default function Home() {
  const { signedIn, name, firstRun, devMailbox } = useLoaderData<typeof loader>();
  return (
    <>
      <section className="hero" aria-labelledby="home-title">
        <h1 id="home-title">
          {signedIn && name ? `Welcome back, ${name}` : "Have your say on company policy"}
        </h1>
        <p>
          Undersigned is where staff petition leadership about internal policy. Every signature is a verified
          colleague, counted exactly once; you can sign publicly or anonymously, discuss in the open, and see
          leadership&apos;s answer — and the policy text it changed — on one timeline.
        </p>
        {signedIn ? null : (
          <p>
            <Link className="button" to="/sign-in">
              Sign in with your work email
            </Link>
          </p>
        )}
      </section>
      {firstRun ? (
        <section className="card" aria-labelledby="first-run-title">
          <h2 id="first-run-title">First run: nobody can sign in yet</h2>
          <p>The staff directory is empty. Either:</p>
          <ul>
            <li>
              load demo data with <code>npm run seed</code> and sign in as <code>admin@undersigned.test</code>
              , or
            </li>
            <li>
              restart with <code>ADMIN_EMAILS=you@yourcompany.com</code> and import the directory from the
              admin pages.
            </li>
          </ul>
          {devMailbox ? (
            <p>
              Without SMTP configured, sign-in emails appear in the dev mailbox, on this server's own machine
              at <a href={devMailbox}>{devMailbox}</a>.
            </p>
          ) : null}
        </section>
      ) : null}
      <section className="grid" aria-label="What you can do">
        <div className="card">
          <h2>Sign, verified</h2>
          <p>
            One signature per colleague, checked against the staff directory. Public or anonymous — your
            choice.
          </p>
        </div>
        <div className="card">
          <h2>Milestones that oblige an answer</h2>
          <p>
            When a petition reaches its response milestone, leadership owes a memo by a due date everyone can
            see.
          </p>
        </div>
        <div className="card">
          <h2>Private by design</h2>
          <p>
            Anonymous means anonymous: not in pages, exports or emails, not to organizers, leadership or
            admins.
          </p>
        </div>
      </section>
    </>
  );
}
