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
  useRouteLoaderData,
} from "@remix-run/react";
import { type ReactNode, useEffect } from "react";
import { startBackgroundIssuance } from "./browser/background-tokens";
import { DeviceStepBanner } from "./components/device-step-banner";
import { GeneralErrorBoundary } from "./components/error-boundary";
import { useNonce } from "./components/nonce";
import { can } from "./domain/identity/permissions.server";
import styles from "./styles/app.css?url";
import { readFlash } from "./web/flash.server";
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
  return json(
    {
      user: user && { id: user.id, name: user.name, email: user.email, roles: user.roles },
      canAdminister: user ? can(user, "view:admin") : false,
      canModerate: user ? can(user, "moderate:petition") : false,
      canRespond: user ? can(user, "view:obligations") : false,
      flash,
    },
    { headers },
  );
}

export function useOptionalUser() {
  return useRouteLoaderData<typeof loader>("root")?.user ?? null;
}

function Document({ children }: { children: ReactNode }) {
  const nonce = useNonce();
  return (
    <html lang="en">
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
      </head>
      <body>
        {children}
        <ScrollRestoration nonce={nonce} />
        <Scripts nonce={nonce} />
      </body>
    </html>
  );
}

function Header() {
  const data = useRouteLoaderData<typeof loader>("root");
  const user = data?.user;
  return (
    <header className="site-header">
      <div className="wrap header-row">
        <Link to="/" className="brand">
          Undersigned
        </Link>
        <nav aria-label="Main">
          <ul className="nav-list">
            <li>
              <NavLink to="/" end>
                Home
              </NavLink>
            </li>
            <li>
              <NavLink to="/petitions">Petitions</NavLink>
            </li>
            <li>
              <NavLink to="/announcements">Announcements</NavLink>
            </li>
            <li>
              <NavLink to="/policies">Policies</NavLink>
            </li>
            {user ? (
              <>
                <li>
                  <NavLink to="/my/petitions">My petitions</NavLink>
                </li>
                <li>
                  <NavLink to="/my/feedback">My feedback</NavLink>
                </li>
              </>
            ) : null}
            {data?.canRespond ? (
              <li>
                <NavLink to="/leadership">Awaiting response</NavLink>
              </li>
            ) : null}
            {data?.canModerate ? (
              <li>
                <NavLink to="/moderation">Moderation</NavLink>
              </li>
            ) : null}
            {data?.canAdminister ? (
              <li>
                <NavLink to="/admin">Admin</NavLink>
              </li>
            ) : null}
          </ul>
        </nav>
        <div className="account">
          {user ? (
            <>
              <Link to="/settings" className="who" title="Your email settings">
                {user.name ?? user.email}
              </Link>
              <Form method="post" action="/sign-out">
                <button type="submit" className="button-link">
                  Sign out
                </button>
              </Form>
            </>
          ) : (
            <Link to="/sign-in">Sign in</Link>
          )}
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
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Header />
      <main id="main" className="wrap">
        {children}
      </main>
      <footer className="site-footer">
        <div className="wrap">
          Undersigned — petitions and policy feedback, verified and private.{" "}
          <a href="/transparency">The public log</a>
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
