// The command line of the standalone emulator (standalone.ts): which port and host, which kind of
// client, which callback. Every mistake becomes one UsageError line; nothing here touches the network.
import { parseArgs } from "node:util";
import type { EmulatorClient } from "./types.js";

export const USAGE = [
  "Usage: github-emulator [--port 4000] [--host 127.0.0.1] [--type github-app|oauth-app]",
  "                       [--callback http://localhost:3000/auth/github/callback]... [--client-id ID] [--client-secret SECRET]",
  "Runs the GitHub emulator on its own, for a login server that calls GitHub (github-login-server: production mode);",
  "prints the variables to give it. In github-login-server's checkout: npx github-emulator, or npm run emulator -- [options].",
].join("\n");

export interface StandaloneOptions {
  port: number;
  host: string;
  client: Omit<EmulatorClient, "clientSecret"> & { clientSecret: string | undefined };
  help: boolean;
}

export class UsageError extends Error {}

/** Client IDs shaped like GitHub's newer ones (20 characters, Iv23li… / Ov23li…). */
const CLIENT_IDS = { "github-app": "Iv23liStandalone0001", "oauth-app": "Ov23liStandalone0001" } as const;
const DEFAULT_CALLBACK = "http://localhost:3000/auth/github/callback";

export function parseStandaloneArgs(argv: string[]): StandaloneOptions {
  const values = parseOrExplain(argv);
  const type = values.type ?? "github-app";
  if (type !== "github-app" && type !== "oauth-app") throw new UsageError(`--type must be github-app or oauth-app, not "${type}"`);
  const callbacks = values.callback ?? [DEFAULT_CALLBACK];
  for (const callback of callbacks) {
    const url = URL.canParse(callback) ? new URL(callback) : null;
    if (!url || (url.protocol !== "http:" && url.protocol !== "https:"))
      throw new UsageError(`--callback must be an absolute http(s) URL, not "${callback}"`);
  }
  // GitHub: an OAuth App registers exactly one callback URL, a GitHub App up to ten.
  if (type === "oauth-app" && callbacks.length !== 1) throw new UsageError("an OAuth App has exactly one --callback");
  if (callbacks.length > 10) throw new UsageError("a GitHub App has at most 10 --callback URLs");
  const clientId = values["client-id"] ?? CLIENT_IDS[type];
  if (!/^[\x21-\x7e]{1,100}$/.test(clientId)) throw new UsageError("--client-id must be 1 to 100 visible ASCII characters");
  const clientSecret = values["client-secret"];
  if (clientSecret !== undefined && !/^[\x21-\x7e]{16,100}$/.test(clientSecret)) {
    throw new UsageError("--client-secret must be 16 to 100 visible ASCII characters");
  }
  return {
    port: parsePort(values.port ?? "4000"),
    host: parseHost(values.host ?? "127.0.0.1"),
    help: values.help ?? false,
    client: {
      clientId,
      clientSecret,
      name: "GitHub Login Server (local)",
      type,
      // As on GitHub: new GitHub Apps expire their tokens, OAuth Apps do not unless asked.
      expiringTokens: type === "github-app",
      // OAuth Apps always match loosely; a GitHub App's callbacks match exactly.
      callbackUrls: callbacks.map((url) => ({ url, wildcard: type === "oauth-app" })),
    },
  };
}

function parseOrExplain(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: "string" },
        host: { type: "string" },
        type: { type: "string" },
        callback: { type: "string", multiple: true },
        "client-id": { type: "string" },
        "client-secret": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (error) {
    throw new UsageError(explain(error));
  }
}

/** node:util's messages are long and mention positionals; say the same thing in a few words. */
function explain(error: unknown): string {
  const { code, message } = error as { code?: unknown; message?: unknown };
  const text = typeof message === "string" ? message : String(error);
  // "Option '-h, --help' does not take…", "Option '--port <value>' argument missing", "Unknown option '--x'"
  const option = /'(?:-\w, )?(-[^' ,]+)/.exec(text)?.[1];
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return `unknown option ${option ?? text}`;
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE") {
    return text.includes("does not take an argument")
      ? `${option ?? "an option"} takes no value`
      : `${option ?? "an option"} needs a value`;
  }
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") return `unexpected argument ${/'([^']*)'/.exec(text)?.[1] ?? text}`;
  return text.split("\n")[0] ?? text;
}

function parsePort(text: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) throw new UsageError(`--port must be a number from 0 to 65535 (0: any free port), not "${text}"`);
  return port;
}

function parseHost(text: string): string {
  if (!/^[A-Za-z0-9.:_-]{1,253}$/.test(text)) throw new UsageError(`--host must be a host name or IP address, not "${text}"`);
  return text;
}
