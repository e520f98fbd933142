import type { LoaderFunctionArgs, MetaFunction, SerializeFrom } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { formatDate } from "../components/format";
import { StateBadge } from "../components/petition-bits";
import { getConfig } from "../config.server";
import { countPeople } from "../domain/people/directory.server";
import { homeFeed } from "../domain/petitions/home-feed.server";
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
  // A colleague's home is what is going on; the front page below is for those not signed in.
  if (user) return json({ signedIn: true as const, name: user.name ?? null, feed: homeFeed(user) });
  const config = getConfig();
  return json({
    signedIn: false as const,
    name: null,
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
  const data = useLoaderData<typeof loader>();
  if (data.signedIn) return <ColleagueHome name={data.name} feed={data.feed} />;
  const { signedIn, name, firstRun, devMailbox } = data;
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

type Feed = Extract<SerializeFrom<typeof loader>, { signedIn: true }>["feed"];

/** A short list of petitions: title, signatures, and when it closes. */
function OpenList({ petitions, label }: { petitions: Feed["open"]["newest"]; label: string }) {
  return (
    <>
      <h3>{label}</h3>
      <ul className="home-list">
        {petitions.map((p) => (
          <li key={p.slug} className="home-item">
            <Link to={`/petitions/${p.slug}`}>{p.title}</Link>
            <span className="muted">
              {" "}
              · {p.signatureCount.toLocaleString("en")} {p.signatureCount === 1 ? "signature" : "signatures"}
              {p.closesAt ? ` · closes ${formatDate(p.closesAt)}` : ""}
            </span>
          </li>
        ))}
      </ul>
    </>
  );
}

/** The signed-in home: what is open, what awaits leadership, what happened to yours, new memos. */
function ColleagueHome({ name, feed }: { name: string | null; feed: Feed }) {
  const { open, awaiting, yours, memos } = feed;
  return (
    <div className="stack">
      <h1>{name ? `Welcome back, ${name}` : "Welcome back"}</h1>
      <div className="grid-2 home-grid">
        <section className="card" aria-labelledby="home-open">
          <h2 id="home-open">Open for signatures</h2>
          {open.total === 0 ? (
            <p>No petition is open for signatures right now.</p>
          ) : (
            <>
              <OpenList label="Most signed" petitions={open.mostSigned} />
              <OpenList label="Newest" petitions={open.newest} />
            </>
          )}
          <p>
            <Link to="/petitions">
              All {open.total.toLocaleString("en")} open {open.total === 1 ? "petition" : "petitions"}
            </Link>{" "}
            · <Link to="/petitions/new">Start a petition</Link>
          </p>
        </section>

        <section className="card" aria-labelledby="home-awaiting">
          <h2 id="home-awaiting">Awaiting leadership&apos;s response</h2>
          {awaiting.total === 0 ? (
            <p>
              No petition is waiting for an answer: every one that reached its response milestone has one.
            </p>
          ) : (
            <>
              <p>
                {awaiting.total.toLocaleString("en")}{" "}
                {awaiting.total === 1 ? "petition has" : "petitions have"} reached a milestone that requires a
                response
                {awaiting.overdue ? `; ${awaiting.overdue.toLocaleString("en")} past the due date` : ""}.
              </p>
              <ul className="home-list">
                {awaiting.petitions.map((p) => (
                  <li key={p.slug} className="home-item">
                    <Link to={`/petitions/${p.slug}`}>{p.title}</Link>{" "}
                    {p.overdue ? (
                      <span className="badge badge-bad">Overdue — was due {formatDate(p.dueAt)}</span>
                    ) : (
                      <span className="badge badge-warn">Due {formatDate(p.dueAt)}</span>
                    )}
                    <span className="muted"> · reached {p.threshold.toLocaleString("en")} signatures</span>
                  </li>
                ))}
              </ul>
            </>
          )}
          <p>
            <Link to="/petitions?list=awaiting-response">Every petition awaiting a response</Link>
            {feed.answersObligations ? (
              <>
                {" "}
                · <Link to="/leadership">Answer them</Link>
              </>
            ) : null}
          </p>
        </section>

        <section className="card" aria-labelledby="home-yours">
          <h2 id="home-yours">What happened to what you signed or started</h2>
          {yours.events.length === 0 && yours.notYetOpen.length === 0 ? (
            <p>
              {yours.following === 0
                ? "Nothing yet: petitions you sign publicly or start show their news here."
                : "No news yet on the petitions you signed publicly or started."}
            </p>
          ) : null}
          {yours.notYetOpen.length ? (
            <ul className="home-list">
              {yours.notYetOpen.map((p) => (
                <li key={p.slug} className="home-item">
                  <Link to={`/petitions/${p.slug}`}>{p.title}</Link> <StateBadge state={p.state} />
                </li>
              ))}
            </ul>
          ) : null}
          {yours.events.length ? (
            <ul className="home-list">
              {yours.events.map((e) => (
                <li key={e.key} className="home-item">
                  <span className="muted">{formatDate(e.on)} · </span>
                  <Link to={`/petitions/${e.petition.slug}`}>{e.petition.title}</Link>:{" "}
                  {e.href ? <Link to={e.href}>{e.text}</Link> : e.text}
                  <span className="muted">
                    {" "}
                    ({e.relation === "signed" ? "you signed it publicly" : "you organize it"})
                  </span>
                </li>
              ))}
            </ul>
          ) : null}
          <p className="muted">
            Petitions you signed anonymously are not listed: the server does not know which they are. Only
            your own devices do — see <Link to="/my/anonymous-signing">My anonymous signing</Link>.
          </p>
          <p>
            <Link to="/my/petitions">My petitions</Link>
          </p>
        </section>

        <section className="card" aria-labelledby="home-memos">
          <h2 id="home-memos">New memos from leadership</h2>
          {memos.length ? (
            <ul className="home-list">
              {memos.map((m) => (
                <li key={m.slug} className="home-item">
                  <Link to={`/announcements/${m.slug}`}>{m.title}</Link>
                  <span className="muted"> · {formatDate(m.publishedAt)}</span>
                </li>
              ))}
            </ul>
          ) : (
            <p>No memo has been published yet.</p>
          )}
          <p>
            <Link to="/announcements">All memos</Link>
          </p>
        </section>
      </div>
    </div>
  );
}
