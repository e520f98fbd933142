import type { LoaderFunctionArgs, MetaFunction, SerializeFrom } from "@remix-run/node";
import { json } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import type { ReactNode } from "react";
import { StateBadge } from "../components/petition-bits";
import { getConfig } from "../config.server";
import { countPeople } from "../domain/people/directory.server";
import { homeFeed } from "../domain/petitions/home-feed.server";
import { useFormat } from "../i18n/format";
import { useT } from "../i18n/translate";
import { wordsFor } from "../web/reader.server";
import { getUser } from "../web/session.server";

export { GeneralErrorBoundary as ErrorBoundary } from "../components/error-boundary";

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.title ?? "Undersigned" },
  { name: "description", content: data?.description },
];

export async function loader({ request }: LoaderFunctionArgs) {
  const user = await getUser(request);
  const words = await wordsFor(request);
  const { t } = words;
  const page = { title: t("identity.home.title"), description: t("identity.home.description") };
  // A colleague's home is what is going on; the front page below is for those not signed in.
  if (user)
    return json({ ...page, signedIn: true as const, name: user.name ?? null, feed: homeFeed(user, words) });
  const config = getConfig();
  return json({
    ...page,
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
  const t = useT();
  const data = useLoaderData<typeof loader>();
  if (data.signedIn) return <ColleagueHome name={data.name} feed={data.feed} />;
  const { firstRun, devMailbox } = data;
  const code = (chunks: ReactNode[]) => <code>{chunks}</code>;
  return (
    <>
      <section className="hero" aria-labelledby="home-title">
        <h1 id="home-title">{t("identity.home.hero.title")}</h1>
        <p>{t("identity.home.hero.intro")}</p>
        <p>
          <Link className="button" to="/sign-in">
            {t("identity.home.hero.signIn")}
          </Link>
        </p>
      </section>
      {firstRun ? (
        <section className="card" aria-labelledby="first-run-title">
          <h2 id="first-run-title">{t("identity.home.firstRun.title")}</h2>
          <p>{t("identity.home.firstRun.empty")}</p>
          <ul>
            <li>{t.rich("identity.home.firstRun.seed", { code })}</li>
            <li>{t.rich("identity.home.firstRun.adminEmails", { code })}</li>
          </ul>
          {devMailbox ? (
            <p>
              {t.rich("identity.home.firstRun.devMailbox", {
                address: devMailbox,
                link: (chunks) => <a href={devMailbox}>{chunks}</a>,
              })}
            </p>
          ) : null}
        </section>
      ) : null}
      <section className="grid" aria-label={t("identity.home.cards.label")}>
        <div className="card">
          <h2>{t("identity.home.cards.verified.title")}</h2>
          <p>{t("identity.home.cards.verified.text")}</p>
        </div>
        <div className="card">
          <h2>{t("identity.home.cards.milestones.title")}</h2>
          <p>{t("identity.home.cards.milestones.text")}</p>
        </div>
        <div className="card">
          <h2>{t("identity.home.cards.private.title")}</h2>
          <p>{t("identity.home.cards.private.text")}</p>
        </div>
      </section>
    </>
  );
}

type Feed = Extract<SerializeFrom<typeof loader>, { signedIn: true }>["feed"];

/** A short list of petitions: title, signatures, and when it closes. */
function OpenList({ petitions, label }: { petitions: Feed["open"]["newest"]; label: string }) {
  const t = useT();
  const format = useFormat();
  return (
    <>
      <h3>{label}</h3>
      <ul className="home-list">
        {petitions.map((p) => (
          <li key={p.slug} className="home-item">
            <Link to={`/petitions/${p.slug}`}>{p.title}</Link>
            <span className="muted">
              {" "}
              · {t("identity.home.signatures", { count: p.signatureCount })}
              {p.closesAt ? ` · ${t("identity.home.closes", { day: format.utcDay(p.closesAt) })}` : ""}
            </span>
          </li>
        ))}
      </ul>
    </>
  );
}

/** The signed-in home: what is open, what awaits leadership, what happened to yours, new memos. */
function ColleagueHome({ name, feed }: { name: string | null; feed: Feed }) {
  const t = useT();
  const format = useFormat();
  const { open, awaiting, yours, memos } = feed;
  return (
    <div className="stack">
      <h1>{name ? t("identity.home.welcomeBack", { name }) : t("identity.home.welcomeBackNoName")}</h1>
      <div className="grid-2 home-grid">
        <section className="card" aria-labelledby="home-open">
          <h2 id="home-open">{t("identity.home.open.title")}</h2>
          {open.total === 0 ? (
            <p>{t("identity.home.open.none")}</p>
          ) : (
            <>
              <OpenList label={t("identity.home.open.mostSigned")} petitions={open.mostSigned} />
              <OpenList label={t("identity.home.open.newest")} petitions={open.newest} />
            </>
          )}
          <p>
            <Link to="/petitions">{t("identity.home.open.all", { count: open.total })}</Link> ·{" "}
            <Link to="/petitions/new">{t("identity.home.open.start")}</Link>
          </p>
        </section>

        <section className="card" aria-labelledby="home-awaiting">
          <h2 id="home-awaiting">{t("identity.home.awaiting.title")}</h2>
          {awaiting.total === 0 ? (
            <p>{t("identity.home.awaiting.none")}</p>
          ) : (
            <>
              <p>
                {t("identity.home.awaiting.summary", { count: awaiting.total, overdue: awaiting.overdue })}
              </p>
              <ul className="home-list">
                {awaiting.petitions.map((p) => (
                  <li key={p.slug} className="home-item">
                    <Link to={`/petitions/${p.slug}`}>{p.title}</Link>{" "}
                    {p.overdue ? (
                      <span className="badge badge-bad">
                        {t("identity.home.awaiting.overdue", { day: format.utcDay(p.dueAt) })}
                      </span>
                    ) : (
                      <span className="badge badge-warn">
                        {t("identity.home.awaiting.due", { day: format.utcDay(p.dueAt) })}
                      </span>
                    )}
                    <span className="muted">
                      {" "}
                      · {t("identity.home.awaiting.reached", { count: p.threshold })}
                    </span>
                  </li>
                ))}
              </ul>
            </>
          )}
          <p>
            <Link to="/petitions?list=awaiting-response">{t("identity.home.awaiting.all")}</Link>
            {feed.answersObligations ? (
              <>
                {" "}
                · <Link to="/leadership">{t("identity.home.awaiting.answer")}</Link>
              </>
            ) : null}
          </p>
        </section>

        <section className="card" aria-labelledby="home-yours">
          <h2 id="home-yours">{t("identity.home.yours.title")}</h2>
          {yours.events.length === 0 && yours.notYetOpen.length === 0 ? (
            <p>{t(yours.following === 0 ? "identity.home.yours.nothing" : "identity.home.yours.noNews")}</p>
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
                  <span className="muted">{format.utcDay(e.on)} · </span>
                  <Link to={`/petitions/${e.petition.slug}`}>{e.petition.title}</Link>:{" "}
                  {e.href ? <Link to={e.href}>{e.text}</Link> : e.text}
                  <span className="muted">
                    {" "}
                    ({t("identity.home.yours.relation", { relation: e.relation })})
                  </span>
                </li>
              ))}
            </ul>
          ) : null}
          <p className="muted">
            {t.rich("identity.home.yours.anonymous", {
              link: (chunks) => <Link to="/my/anonymous-signing">{chunks}</Link>,
            })}
          </p>
          <p>
            <Link to="/my/petitions">{t("common.nav.myPetitions")}</Link>
          </p>
        </section>

        <section className="card" aria-labelledby="home-memos">
          <h2 id="home-memos">{t("identity.home.memos.title")}</h2>
          {memos.length ? (
            <ul className="home-list">
              {memos.map((m) => (
                <li key={m.slug} className="home-item">
                  <Link to={`/announcements/${m.slug}`}>{m.title}</Link>
                  <span className="muted"> · {format.utcDay(m.publishedAt)}</span>
                </li>
              ))}
            </ul>
          ) : (
            <p>{t("identity.home.memos.none")}</p>
          )}
          <p>
            <Link to="/announcements">{t("identity.home.memos.all")}</Link>
          </p>
        </section>
      </div>
    </div>
  );
}
