/**
 * patches/@remix-run+router+*.patch (applied by `npm install`'s postinstall) keeps the flattened,
 * ranked route branches per routes array and compiled patterns by pattern, instead of rebuilding
 * both on every request (docs/benchmarks.md). These check it is applied where the server loads the
 * router — the CommonJS build Remix's server runtime requires — and that matching is unchanged.
 */
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";

type Route = { id: string; path?: string; index?: boolean; children?: Route[] };
type Match = { route: { id: string }; params: Record<string, string | undefined> };
type Router = {
  matchRoutes: (routes: Route[], pathname: string) => Match[] | null;
  matchPath: (pattern: { path: string; caseSensitive?: unknown; end?: unknown }, pathname: string) => unknown;
};

// As Remix's server runtime does (`require`), so the build Node runs on the server is the one tested.
const router = createRequire(import.meta.url)("@remix-run/router") as Router;

/** A route tree shaped like the app's: a root with pages, a dynamic segment, an index and a splat. */
function routeTree(): { routes: Route[]; pathReads: () => number } {
  // Flattening reads every route's path (and so does telling a routes array's shape); matching an
  // array already flattened reads none.
  let reads = 0;
  const counted = (route: Route): Route => {
    const { path, children, ...rest } = route;
    return Object.defineProperty({ ...rest, children: children?.map(counted) }, "path", {
      enumerable: true,
      get() {
        reads++;
        return path;
      },
    }) as Route;
  };
  const routes = [
    counted({
      id: "root",
      path: "",
      children: [
        { id: "index", index: true },
        { id: "petitions", path: "petitions" },
        { id: "petitions.new", path: "petitions/new" },
        {
          id: "petitions.$slug",
          path: "petitions/:slug",
          children: [{ id: "petitions.$slug._index", index: true }],
        },
        { id: "petitions.$slug.dashboard", path: "petitions/:slug/dashboard" },
        { id: "api.count", path: "api/petitions/:idOrSlug/count" },
        { id: "$", path: "*" },
      ],
    }),
  ];
  return { routes, pathReads: () => reads };
}

const ids = (matches: Match[] | null) => matches?.map((m) => m.route.id) ?? null;

describe("route matching on the server", () => {
  it("matches as before: static beats dynamic, index routes, params, the splat", () => {
    const { routes } = routeTree();
    expect(ids(router.matchRoutes(routes, "/"))).toEqual(["root", "index"]);
    expect(ids(router.matchRoutes(routes, "/petitions/new"))).toEqual(["root", "petitions.new"]);
    const petition = router.matchRoutes(routes, "/petitions/bike-sheds");
    expect(ids(petition)).toEqual(["root", "petitions.$slug", "petitions.$slug._index"]);
    expect(petition?.at(-1)?.params.slug).toBe("bike-sheds");
    expect(ids(router.matchRoutes(routes, "/petitions/bike-sheds/dashboard"))).toEqual([
      "root",
      "petitions.$slug.dashboard",
    ]);
    expect(router.matchRoutes(routes, "/API/Petitions/7/count")?.at(-1)?.params.idOrSlug).toBe("7");
    expect(ids(router.matchRoutes(routes, "/no/such/page"))).toEqual(["root", "$"]);
  });

  it("flattens a routes array once, not on every request (the patch is applied)", () => {
    const { routes, pathReads } = routeTree();
    router.matchRoutes(routes, "/petitions/a");
    const afterFirst = pathReads();
    expect(afterFirst).toBeGreaterThan(0);
    for (let i = 0; i < 50; i++) router.matchRoutes(routes, `/petitions/p-${i}`);
    expect(pathReads()).toBe(afterFirst);
  });

  it("keeps each routes array's branches apart", () => {
    const first = routeTree().routes;
    const other: Route[] = [
      { id: "other-root", path: "", children: [{ id: "other", path: "petitions/:id" }] },
    ];
    expect(ids(router.matchRoutes(first, "/petitions/x"))).toEqual([
      "root",
      "petitions.$slug",
      "petitions.$slug._index",
    ]);
    expect(ids(router.matchRoutes(other, "/petitions/x"))).toEqual(["other-root", "other"]);
    expect(router.matchRoutes(other, "/petitions/new")?.at(-1)?.params.id).toBe("new");
  });

  it("skips branches by their first segment only where they could not match (against the unpatched build)", async () => {
    // The ES module build is the one the patch leaves alone (the browser's): the reference.
    const upstream = (await import("@remix-run/router/dist/router.js")) as unknown as Router;
    const routes: Array<Route & { caseSensitive?: boolean }> = [
      {
        id: "root",
        path: "",
        children: [
          { id: "index", index: true },
          { id: "petitions", path: "petitions" },
          { id: "petitions.new", path: "petitions/new" },
          { id: "petitions.$slug", path: "petitions/:slug", children: [{ id: "slug.index", index: true }] },
          { id: "api.count", path: "api/petitions/:idOrSlug/count" },
          { id: "cased", path: "Cased/page", caseSensitive: true } as Route,
          { id: "lang.about", path: ":lang/about" },
          { id: "optional", path: "docs?/guide" },
          { id: "dotted", path: "well-known.txt" },
          { id: "kelvin", path: "kelvin" },
          { id: "$", path: "*" },
        ],
      },
    ];
    for (const pathname of [
      "/",
      "/petitions",
      "/PETITIONS/new",
      "/petition%73/bike-sheds",
      "/petitions%2Fnew",
      "//petitions/x",
      "/cased/page",
      "/Cased/page",
      "/en/about",
      "/guide",
      "/docs/guide",
      "/WELL-KNOWN.TXT",
      "/\u212Aelvin",
      "/api/petitions/7/count",
      "/no/such/page",
    ]) {
      expect({ pathname, matches: ids(router.matchRoutes(routes, pathname)) }).toEqual({
        pathname,
        matches: ids(upstream.matchRoutes(routes, pathname)),
      });
    }
  });

  it("matches a new routes array of a known shape on its own route objects, as a page's render builds them", async () => {
    const upstream = (await import("@remix-run/router/dist/router.js")) as unknown as Router;
    const build = (extra: Route[] = []): Route[] => [
      {
        id: "root",
        path: "",
        children: [
          { id: "index", index: true },
          { id: "petitions.$slug", path: "petitions/:slug", children: [{ id: "slug.index", index: true }] },
          { id: "petitions.new", path: "petitions/new" },
          ...extra,
          { id: "$", path: "*" },
        ],
      },
    ];
    const first = build();
    router.matchRoutes(first, "/petitions/x");
    for (const routes of [
      build(),
      build(),
      build([{ id: "petitions.$slug.edit", path: "petitions/:slug" }]),
    ]) {
      for (const pathname of ["/", "/petitions/new", "/petitions/x", "/petitions/x/edit", "/elsewhere"]) {
        const matches = router.matchRoutes(routes, pathname);
        expect(ids(matches)).toEqual(ids(upstream.matchRoutes(routes, pathname)));
        // The route objects of this array, not of the first one of that shape.
        const own = new Set<unknown>();
        const collect = (list: Route[]) => {
          for (const route of list) {
            own.add(route);
            collect(route.children ?? []);
          }
        };
        collect(routes);
        for (const match of matches ?? []) expect(own.has(match.route)).toBe(true);
      }
    }
  });

  it("keeps patterns apart by every option compilePath reads, falsy ones included", () => {
    expect(router.matchPath({ path: "/cache-probe", end: null }, "/cache-probe/more")).not.toBeNull();
    expect(router.matchPath({ path: "/cache-probe" }, "/cache-probe/more")).toBeNull();
    expect(router.matchPath({ path: "/cache-probe", end: false }, "/cache-probe/more")).not.toBeNull();
    expect(router.matchPath({ path: "/Cache-Probe", caseSensitive: true }, "/cache-probe")).toBeNull();
    expect(router.matchPath({ path: "/Cache-Probe" }, "/cache-probe")).not.toBeNull();
  });
});
