import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig } from "vite";
import remixConfig from "./remix.config.js";

export default defineConfig({
  plugins: [remix(remixConfig)],
  server: { port: 3000 },
  build: {
    // better-sqlite3 is native; keep it (and the rest of node_modules) external to the server bundle.
    target: "node20",
  },
});
