import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig } from "vite";

/**
 * The framework floor of the HTTP benchmarks (bench/bare-remix/README in bench/bare-remix/server.ts):
 * a Remix app with one route, built like the product (same Remix, React and Vite, same future flags).
 */
export default defineConfig({
  root: import.meta.dirname,
  plugins: [
    remix({
      appDirectory: "app",
      buildDirectory: "build",
      serverModuleFormat: "esm",
      future: {
        v3_fetcherPersist: true,
        v3_relativeSplatPath: true,
        v3_throwAbortReason: true,
        v3_lazyRouteDiscovery: true,
      },
    }),
  ],
  build: { target: "node20" },
  logLevel: "warn",
});
