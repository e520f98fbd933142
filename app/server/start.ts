/**
 * `npm start` (ADR 25): the primary process validates the configuration, builds if the build is
 * missing or stale, takes the database's lock, opens and migrates it, and starts WEB_CONCURRENCY
 * workers serving HTTP (app/server/primary.ts); each worker runs app/server/worker.ts.
 * `--build-only` stops after the build.
 */
import "./production-env";
import cluster from "node:cluster";
import { runPrimary } from "./primary";
import { runWorker } from "./worker";

(cluster.isPrimary ? runPrimary() : runWorker()).catch((error) => {
  console.error(error);
  process.exit(1);
});
