import type { LinksFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { json } from "@remix-run/node";
import {
  Form,
  Link,
  Links,
  Meta,
  NavLink,
  Outlet,
  Scripts,
  ScrollRestoration,
  useLoaderData,
  useLocation,
  useRouteLoaderData,
} from "@remix-run/react";
import { type ReactNode, useEffect, useRef, useState } from "react";
import { IntlProvider, RawIntlProvider } from "react-intl";
import { startBackgroundIssuance } from "./browser/background-tokens";
import { DeviceStepBanner } from "./components/device-step-banner";
import { GeneralErrorBoundary } from "./components/error-boundary";
import { useNonce } from "./components/nonce";
import { HeaderNotificationsLink } from "./components/notifications-bits";
import { can } from "./domain/identity/permissions.server";
import { unreadCount } from "./domain/notifications/inbox.server";
import { useLoadedCatalog } from "./i18n/catalog-context";
import { directionOf, TIME_ZONE_COOKIE } from "./i18n/locales";
import { asIntlMessages, formattingLocale, type MessageKey, reportMissing, useT } from "./i18n/translate";
import { serverNow } from "./platform/runtime/clock.server";
import styles from "./styles/app.css?url";
import { readFlash } from "./web/flash.server";
import { readerOf } from "./web/reader.server";
import { getSessionUser } from "./web/session.server";

/** Inline, so there is no public/ folder and no extra request. */
const FAVICON = `data:image/svg+xml,${encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#1d4ed8"/><path d="M8 17l5 5 11-12" stroke="#fff" stroke-width="3.5" fill="none" stroke-linecap="round" stroke-linejoin="round"/></svg>')}`;

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: styles },
  { rel: "icon", href: FAVICON, type: "image/svg+xml" },
];

export const meta: MetaFunction = () => [{ title: "Undersigned" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const session = await getSessionUser(request);
  const { flash, setCookie: clearFlash } = await readFlash(request);
  // Remix merges loaders' Set-Cookie headers into the document response by itself.
  const headers = new Headers();
  if (session?.setCookie) headers.append("Set-Cookie", session.setCookie);
  if (clearFlash) headers.append("Set-Cookie", clearFlash);
  const user = session?.user ?? null;
  const reader = readerOf(request, user);
  return json(
    {
      locale: reader.locale,
      timeZone: reader.timeZone,
      /** Whether the person chose a zone: if not, the browser's own replaces the one guessed here. */
      zoneChosen: Boolean(user?.timeZone),
      user: user && { id: user.id, name: user.name, email: user.email, roles: user.roles },
      canAdminister: user ? can(user, "view:admin") : false,
      canModerate: user ? can(user, "moderate:petition") : false,
      canRespond: user ? can(user, "view:obligations") : false,
      notificationsUnread: user ? unreadCount(user.id, serverNow()) : 0,
      flash,
    },
    { headers },
  );
}

export function useOptionalUser() {
  return useRouteLoaderData<typeof loader>("root")?.user ?? null;
}

/**
 * Tells the server the browser's time zone (as a cookie, for the next page) — no request of its own,
 * the same for every visitor. Times on this page switch to it after hydration (see Localized).
 */
const REPORT_TIME_ZONE = `try{var z=Intl.DateTimeFormat().resolvedOptions().timeZone,c="${TIME_ZONE_COOKIE}="+encodeURIComponent(z);if(z&&document.cookie.split("; ").indexOf(c)<0)document.cookie=c+";path=/;max-age=31536000;samesite=lax"+(location.protocol==="https:"?";secure":"")}catch(e){}`;

/** The reader's language and zone around every page, its error boundary included. */
function Localized({ children }: { children: ReactNode }) {
  const data = useRouteLoaderData<typeof loader>("root");
  const catalog = useLoadedCatalog();
  const locale = data?.locale ?? catalog.locale;
  const [timeZone, setTimeZone] = useState(data?.timeZone ?? "UTC");
  useEffect(() => {
    if (data?.zoneChosen) return setTimeZone(data.timeZone);
    const browser = Intl.DateTimeFormat().resolvedOptions().timeZone;
    setTimeZone(browser || data?.timeZone || "UTC");
  }, [data?.zoneChosen, data?.timeZone]);
  // The person changed their language: this page's words were loaded for the old one.
  useEffect(() => {
    if (locale !== catalog.locale) window.location.reload();
  }, [locale, catalog.locale]);
  // The server renders with its kept formatters (intlFor); the browser builds its own.
  const kept = catalog.intl;
  if (kept && kept.locale === formattingLocale(locale) && kept.timeZone === timeZone)
    return <RawIntlProvider value={kept}>{children}</RawIntlProvider>;
  return (
    <IntlProvider
      locale={formattingLocale(locale)}
      timeZone={timeZone}
      messages={asIntlMessages(catalog.messages)}
      onError={reportMissing}
      textComponent="span"
    >
      {children}
    </IntlProvider>
  );
}

function Document({ children }: { children: ReactNode }) {
  const nonce = useNonce();
  const data = useRouteLoaderData<typeof loader>("root");
  const catalog = useLoadedCatalog();
  const locale = data?.locale ?? catalog.locale;
  return (
    <html lang={locale} dir={directionOf(locale)}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
        {/*
          Before any module: zod builds its fast parsers with `new Function` after probing whether
          eval is allowed, and the CSP (no 'unsafe-eval') reports that probe as a violation even
          though zod catches it. jitless skips the probe; zod reads this global as its config.
        */}
        <script
          nonce={nonce}
          suppressHydrationWarning
          // biome-ignore lint/security/noDangerouslySetInnerHtml: a constant, no user input
          dangerouslySetInnerHTML={{ __html: "globalThis.__zod_globalConfig={jitless:true}" }}
        />
        <script
          nonce={nonce}
          suppressHydrationWarning
          // biome-ignore lint/security/noDangerouslySetInnerHtml: a constant, no user input
          dangerouslySetInnerHTML={{ __html: REPORT_TIME_ZONE }}
        />
      </head>
      <body>
        <Localized>{children}</Localized>
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

type NavItem = { to: string; label: MessageKey; end?: boolean };

/** The links a person's roles give them: what every page's header offers. */
function useNavItems() {
  const data = useRouteLoaderData<typeof loader>("root");
  const signedIn = Boolean(data?.user);
  const main: NavItem[] = [
    { to: "/petitions", label: "common.nav.petitions" },
    { to: "/announcements", label: "common.nav.announcements" },
    { to: "/policies", label: "common.nav.policies" },
    ...(data?.canRespond
      ? [{ to: "/leadership", label: "common.nav.awaitingResponse" } satisfies NavItem]
      : []),
    ...(data?.canModerate ? [{ to: "/moderation", label: "common.nav.moderation" } satisfies NavItem] : []),
    ...(data?.canAdminister ? [{ to: "/admin", label: "common.nav.admin" } satisfies NavItem] : []),
  ];
  const own: NavItem[] = signedIn
    ? ([
        { to: "/my/petitions", label: "common.nav.myPetitions" },
        { to: "/my/feedback", label: "common.nav.myFeedback" },
        { to: "/settings", label: "common.nav.settings" },
      ] satisfies NavItem[])
    : [];
  return { user: data?.user ?? null, main, own };
}

function NavItems({ items }: { items: NavItem[] }) {
  const t = useT();
  return (
    <>
      {items.map((item) => (
        <li key={item.to}>
          <NavLink to={item.to} end={item.end}>
            {t(item.label)}
          </NavLink>
        </li>
      ))}
    </>
  );
}

/**
 * One line at desktop widths for every role: the brand (home), the main links, and the person's name
 * opening their own pages, with Sign out beside it. Narrower, the links fold into a Menu. Both menus
 * are <details>, so they open without JavaScript; with it, moving to another page closes them.
 */
function Header() {
  const t = useT();
  const { user, main, own } = useNavItems();
  const location = useLocation();
  const header = useRef<HTMLElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: closes the menus on every navigation
  useEffect(() => {
    for (const menu of header.current?.querySelectorAll("details") ?? []) menu.open = false;
  }, [location.pathname, location.search]);
  return (
    <header className="site-header" ref={header}>
      <div className="wrap header-row">
        <Link to="/" className="brand">
          {t("common.brand")}
        </Link>
        <nav aria-label={t("common.nav.main")} className="nav-wide">
          <ul className="nav-list">
            <NavItems items={main} />
          </ul>
        </nav>
        <div className="account">
          <HeaderNotificationsLink
            unread={useRouteLoaderData<typeof loader>("root")?.notificationsUnread ?? 0}
          />
          {user ? (
            <>
              <details className="header-menu nav-wide">
                <summary className="who" title={user.name ?? user.email}>
                  {user.name ?? user.email}
                </summary>
                <nav aria-label={t("common.nav.yourPages")} className="header-menu-panel">
                  <ul className="nav-list">
                    <NavItems items={own} />
                  </ul>
                </nav>
              </details>
              <Form method="post" action="/sign-out">
                <button type="submit" className="button-link">
                  {t("common.signOut")}
                </button>
              </Form>
            </>
          ) : (
            <Link to="/sign-in">{t("common.signIn")}</Link>
          )}
          <details className="header-menu nav-narrow">
            <summary>{t("common.nav.menu")}</summary>
            <nav aria-label={t("common.nav.main")} className="header-menu-panel">
              <ul className="nav-list">
                <NavItems items={[{ to: "/", label: "common.nav.home", end: true }, ...main, ...own]} />
              </ul>
            </nav>
          </details>
        </div>
      </div>
    </header>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  return <Document>{children}</Document>;
}

/** The page frame around every route, also around the error boundary. */
function Frame({ children }: { children: ReactNode }) {
  const t = useT();
  return (
    <>
      <a className="skip-link" href="#main">
        {t("common.skipToContent")}
      </a>
      <Header />
      <main id="main" className="wrap">
        {children}
      </main>
      <footer className="site-footer">
        <div className="wrap">
          {t("common.footer.tagline")} <a href="/transparency">{t("common.footer.publicLog")}</a>
        </div>
      </footer>
    </>
  );
}

export default function App() {
  const { flash, user } = useLoaderData<typeof loader>();
  const userId = user?.id;
  // A device holding the wallet secret gets ready before anyone means to sign (docs/anonymity.md).
  useEffect(() => {
    if (userId) void startBackgroundIssuance();
  }, [userId]);
  return (
    <Frame>
      {flash ? (
        <p className={`flash flash-${flash.kind}`} role="status">
          {flash.message}
        </p>
      ) : null}
      {userId ? <DeviceStepBanner /> : null}
      <Outlet />
    </Frame>
  );
}

export function ErrorBoundary() {
  return (
    <Frame>
      <GeneralErrorBoundary />
    </Frame>
  );
}
