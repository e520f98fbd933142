import { ensureFreshBuild } from "../../app/server/build-freshness";

/** The browser suite runs against the production build, built once if missing or stale. */
export default function setup() {
  ensureFreshBuild();
}
