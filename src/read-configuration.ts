// The configuration as the server and the operator commands read it: `.env` when present (variables
// already set in the environment win), validated once; a broken one stops the process with every
// problem listed, before anything connects.
import { existsSync } from "node:fs";
import { loadConfig } from "./config/load-config.js";
import type { Config } from "./config/config.js";

export function readConfiguration(): Config {
  if (existsSync(".env")) process.loadEnvFile(".env");
  const result = loadConfig(process.env);
  if (result.ok) return result.config;
  console.error(`github-login-server: the configuration has ${result.errors.length} problem(s):`);
  for (const error of result.errors) console.error(`  - ${error}`);
  console.error("See .env.example and docs/configuration.md for every variable.");
  process.exit(1);
}
