/**
 * `npm run seed [-- --reset]`: fills an empty database with the demo company. Its own entry point,
 * so that no product code (the server, the CLI) imports app/demo.
 */
import { closeDb } from "../../db/client";
import { SeedRefusedError, seedDemoData } from "./seed.server";

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== "--reset");
if (unknown.length) {
  console.error(`Unknown argument ${unknown.join(" ")}.\n\nUsage: npm run seed [-- --reset]`);
  process.exit(2);
}
try {
  console.log(await seedDemoData({ reset: args.includes("--reset") }));
  closeDb();
} catch (error) {
  closeDb();
  if (error instanceof SeedRefusedError || (error instanceof Error && error.name === "ConfigError")) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
