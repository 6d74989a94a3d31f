#!/usr/bin/env node
// npm run init: writes a .env from .env.example with freshly generated secrets, so nobody has to
// generate SESSION_SECRET and TOKEN_ENCRYPTION_KEY by hand. It never overwrites an existing .env.
//   npm run init                                   asks for the GitHub client id and secret (a terminal)
//   npm run init -- --client-id ID --client-secret SECRET [--public-url URL]
//   npm run init -- --demo                         no GitHub credentials: npm start runs demo mode
// Exit codes: 0 written, 1 not written (a .env exists, or an answer was not usable), 2 bad usage.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline/promises";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const USAGE = "usage: npm run init [-- --client-id ID --client-secret SECRET] [--public-url URL] [--demo]";
const FLAGS = { "--client-id": "GITHUB_CLIENT_ID", "--client-secret": "GITHUB_CLIENT_SECRET", "--public-url": "PUBLIC_URL" };

/** The flags as settings, or null when they are not flags this script knows (each once, with a value). */
export function parseFlags(argv) {
  const settings = {};
  let demo = false;
  for (let index = 0; index < argv.length; index += 1) {
    const flag = argv[index];
    if (flag === "--demo") demo = true;
    else if (flag in FLAGS && argv[index + 1] !== undefined && !(FLAGS[flag] in settings)) settings[FLAGS[flag]] = argv[(index += 1)];
    else return null;
  }
  if (demo && ("GITHUB_CLIENT_ID" in settings || "GITHUB_CLIENT_SECRET" in settings)) return null;
  return { settings, demo };
}

/** `.env.example` with each setting given: its commented-out default line becomes the setting. */
export function envFileFrom(example, settings) {
  let text = example;
  for (const [name, value] of Object.entries(settings)) {
    const line = `${name}=${value}`;
    const commented = new RegExp(`^# ${name}=.*$`, "m");
    text = commented.test(text) ? text.replace(commented, line) : `${text.trimEnd()}\n${line}\n`;
  }
  return text;
}

export function generatedSecrets() {
  return { SESSION_SECRET: randomBytes(32).toString("base64url"), TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64") };
}

async function ask(settings) {
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  try {
    console.log(
      "GitHub credentials (GitHub: Settings > Developer settings; see docs/register-on-github.md). Leave both empty for demo mode.",
    );
    const id = (await prompt.question("GITHUB_CLIENT_ID: ")).trim();
    const secret = (await prompt.question("GITHUB_CLIENT_SECRET: ")).trim();
    if (id) settings.GITHUB_CLIENT_ID = id;
    if (secret) settings.GITHUB_CLIENT_SECRET = secret;
  } finally {
    prompt.close();
  }
}

async function main() {
  const parsed = parseFlags(process.argv.slice(2));
  if (!parsed) {
    console.error(USAGE);
    return 2;
  }
  const target = join(process.cwd(), ".env"); // npm runs scripts in the project's folder
  if (existsSync(target)) {
    console.error(`.env already exists; nothing was written. Move it away first to start again.`);
    return 1;
  }
  const { settings, demo } = parsed;
  const hasCredentials = "GITHUB_CLIENT_ID" in settings || "GITHUB_CLIENT_SECRET" in settings;
  if (!demo && !hasCredentials && process.stdin.isTTY) await ask(settings);
  if (Boolean(settings.GITHUB_CLIENT_ID) !== Boolean(settings.GITHUB_CLIENT_SECRET)) {
    console.error("Give both the client id and the client secret (or neither, for demo mode); nothing was written.");
    return 1;
  }
  // Production (docker compose) needs PUBLIC_URL; the local default is where the compose file publishes.
  if (settings.GITHUB_CLIENT_ID && !settings.PUBLIC_URL) settings.PUBLIC_URL = "http://localhost:3000";
  const example = readFileSync(join(ROOT, ".env.example"), "utf8");
  // "wx": fails rather than overwrite a .env written since the check above.
  writeFileSync(target, envFileFrom(example, { ...settings, ...generatedSecrets() }), { mode: 0o600, flag: "wx" });
  const mode = settings.GITHUB_CLIENT_ID ? "with your GitHub app's credentials" : "without GitHub credentials (npm start runs demo mode)";
  console.log(`Wrote .env ${mode}, with a new SESSION_SECRET and TOKEN_ENCRYPTION_KEY. Keep it out of version control.`);
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(`npm run init: ${error.message}`);
      process.exit(1);
    },
  );
}
