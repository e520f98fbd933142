/**
 * The bare Remix app (bench/bare-remix/app), served the way the product is: the same Express app
 * (app/server/http-app.ts: security headers, request guards, compression rules, Remix's handler) in
 * WEB_CONCURRENCY node:cluster workers on one port. `node --import tsx bench/bare-remix/server.ts`
 * with PORT, WEB_CONCURRENCY, BARE_DATABASE and BARE_ROWS; prints "listening" when every worker is.
 */
import cluster from "node:cluster";
import http from "node:http";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ServerBuild } from "@remix-run/node";
import { createHttpApp } from "../../app/server/http-app";

const here = path.dirname(new URL(import.meta.url).pathname);
const port = Number(process.env.PORT ?? 3100);
const workers = Number(process.env.WEB_CONCURRENCY ?? 1);

if (cluster.isPrimary) {
  let ready = 0;
  for (let i = 0; i < workers; i++) cluster.fork();
  cluster.on("message", () => {
    if (++ready === workers) console.log("listening");
  });
  // Workers exit by themselves, and then the primary, so that `node --cpu-prof` writes every
  // process's profile (benchmarks with BENCH_PROFILE).
  for (const signal of ["SIGTERM", "SIGINT"] as const)
    process.on(signal, () => {
      const live = Object.values(cluster.workers ?? {}).filter((w) => w && !w.isDead());
      if (live.length === 0) process.exit(0);
      cluster.on("exit", () => {
        if (Object.values(cluster.workers ?? {}).every((w) => !w || w.isDead())) process.exit(0);
      });
      for (const w of live) w?.send("stop");
    });
} else {
  process.on("message", (message) => {
    if (message === "stop") process.exit(0);
  });
  const build = (await import(pathToFileURL(path.join(here, "build/server/index.js")).href)) as ServerBuild;
  const app = createHttpApp(
    build,
    { appUrl: `http://127.0.0.1:${port}`, trustProxy: false },
    { assetsDir: path.join(here, "build/client/assets"), countEndpoint: false },
  );
  http.createServer(app).listen(port, () => process.send?.("ready"));
}
