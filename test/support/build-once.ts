import { runChild } from "./child-process";

/** The system and browser suites run against the production build, built once if missing or stale. */
export default async function setup() {
  const result = await runChild([
    "--import",
    "tsx",
    "--eval",
    'import("./app/server/build-freshness.ts").then((m) => m.ensureFreshBuild())',
  ]);
  if (result.status !== 0) throw new Error(`building Undersigned failed:\n${result.output}`);
  if (result.output.trim()) console.log(result.output.trim());
}
