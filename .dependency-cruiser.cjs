/**
 * Import boundaries between the folders of app/ (ADR 0022), checked by `npm run lint`.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: "routes-do-not-query",
      comment:
        "A route parses, checks permission and calls one domain function; only the domain talks to db/.",
      severity: "error",
      from: { path: "^app/routes/" },
      to: { path: "^db/" },
    },
    {
      name: "schema-imports-only-vocabulary",
      comment: "db/schema.ts takes its enums from app/vocabulary/ and nothing else of the app.",
      severity: "error",
      from: { path: "^db/schema\\.ts$" },
      to: { pathNot: "^(app/vocabulary/|node_modules/)" },
    },
    {
      name: "client-reads-only-the-config",
      comment:
        "db/client.ts opens the database named by the config (and says why it cannot), and knows nothing else of the app.",
      severity: "error",
      from: { path: "^db/client\\.ts$" },
      to: { path: "^app/", pathNot: "^app/config(\\.server\\.ts|/startup-errors\\.server\\.ts)$" },
    },
    {
      name: "vocabulary-is-a-leaf",
      comment:
        "Constant tuples and their types: shared by the schema, the domain and the pages, importing nothing.",
      severity: "error",
      from: { path: "^app/vocabulary/" },
      to: {},
    },
    {
      name: "domain-knows-no-web",
      comment:
        "The domain and the platform answer in values and Refusals, never in Responses, cookies or pages.",
      severity: "error",
      from: { path: "^app/(domain|platform)/" },
      to: { path: "^app/(web|routes|components|server)/|^app/(root|entry\\.server)\\.tsx$|^app/cli\\.ts$" },
    },
    {
      name: "platform-knows-no-domain",
      comment:
        "Outbox, audit, rate limits, settings, markdown…: services the domain uses, never the other way.",
      severity: "error",
      from: { path: "^app/platform/" },
      to: { path: "^app/domain/" },
    },
    {
      name: "demo-stays-out-of-the-product",
      comment: "Only the seed command and tests load the demo company.",
      severity: "error",
      from: { path: "^(app|db|bench)/", pathNot: "^app/demo/" },
      to: { path: "^app/demo/" },
    },
    {
      name: "no-circular",
      comment:
        "No module reaches itself through its imports: a cycle means two modules share one job (pull the shared part into its own module).",
      severity: "error",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(build|node_modules)/" },
    tsConfig: { fileName: "tsconfig.json" },
    // Type-only imports count too: a route importing a type from db/ still reaches into it.
    tsPreCompilationDeps: true,
  },
};
