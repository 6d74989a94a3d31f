// The emulator as its own process, for trying a login server in production mode without a GitHub app:
//   github-emulator --port 4000 [--host 127.0.0.1] [--type github-app|oauth-app] [--callback URL]
// (bin/github-emulator.js runs this file: `npx github-emulator`, or `npm run emulator --` in the server's checkout).
// It registers one client whose callback is the server's, prints its credentials and the variables
// to start the server with, and serves until SIGTERM or SIGINT (exit 0). Bad flags: one line, exit 2.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { DEMO_USERS } from "./demo-data.js";
import { createEmulator } from "./index.js";
import { parseStandaloneArgs, USAGE, UsageError, type StandaloneOptions } from "./standalone-args.js";
import type { EmulatorClient } from "./types.js";

const EXIT_USAGE = 2;
const EXIT_CANNOT_LISTEN = 1;

function main(argv: string[]): void {
  let options: StandaloneOptions;
  try {
    options = parseStandaloneArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`emulator: ${error.message} (--help shows the options)\n`);
    process.exit(EXIT_USAGE);
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  // A fresh secret per run unless one is given: the emulator's tokens die with it anyway.
  const client: EmulatorClient = { ...options.client, clientSecret: options.client.clientSecret ?? randomBytes(20).toString("hex") };
  const emulator = createEmulator({ clients: [client] });
  const server = createServer(emulator.app);

  server.once("error", (error: NodeJS.ErrnoException) => {
    const reason = error.code === "EADDRINUSE" ? "the address is already in use" : error.message;
    process.stderr.write(`emulator: cannot listen on ${hostForUrl(options.host)}:${options.port}: ${reason}\n`);
    process.exit(EXIT_CANNOT_LISTEN);
  });
  server.listen(options.port, options.host, () => {
    const { port } = server.address() as AddressInfo;
    process.stdout.write(announcement(client, `http://${hostForUrl(advertisedHost(options.host))}:${port}`));
  });

  const stop = () => {
    server.close(() => process.exit(0));
    // Keep-alive connections (browsers, fetch) would otherwise hold close() up.
    server.closeAllConnections();
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

/** Listening on every interface: the browser and the server still reach it on loopback. */
function advertisedHost(host: string): string {
  return host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
}

function hostForUrl(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

function announcement(client: EmulatorClient, base: string): string {
  const kind = client.type === "github-app" ? "GitHub App" : "OAuth App";
  const callbacks = client.callbackUrls.map((callback) => callback.url);
  const lines = [
    `GitHub emulator listening on ${base} (about page: ${base}/)`,
    `${kind} "${client.name}", callback ${callbacks.join(", ")}`,
    `Users: ${DEMO_USERS.map((user) => user.login).join(", ")} (hubot has no verified email: GitHub refuses its sign-in)`,
    "",
    `Client ID:     ${client.clientId}`,
    `Client secret: ${client.clientSecret}`,
    "",
    "Start the server with these variables (and REDIS_URL, SESSION_SECRET, TOKEN_ENCRYPTION_KEY):",
    `GITHUB_CLIENT_ID=${client.clientId}`,
    `GITHUB_CLIENT_SECRET=${client.clientSecret}`,
    `GITHUB_BASE_URL=${base}`,
    `GITHUB_API_URL=${base}/api/v3`,
  ];
  const publicUrl = serverOrigin(callbacks[0]);
  if (publicUrl) lines.push(`PUBLIC_URL=${publicUrl}`);
  return `${lines.join("\n")}\n`;
}

/** The server's PUBLIC_URL, when the callback is its /auth/github/callback. */
function serverOrigin(callback: string | undefined): string | null {
  if (callback === undefined || !URL.canParse(callback)) return null;
  const url = new URL(callback);
  return url.pathname === "/auth/github/callback" && url.search === "" ? url.origin : null;
}

main(process.argv.slice(2));
