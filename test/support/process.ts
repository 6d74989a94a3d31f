// Runs the built server (dist/server.js) as a separate process, the way `npm start` and the
// container do, and a tiny cookie-keeping client for walking it with fetch.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { eventually } from "./eventually.js";

export const PROJECT_ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** As `npm run build` does: `tsc -b` builds the emulator package (a project reference) first. */
export function buildServer(): void {
  execFileSync(process.execPath, [join(PROJECT_ROOT, "node_modules/typescript/bin/tsc"), "-b", join(PROJECT_ROOT, "tsconfig.json")], {
    stdio: "pipe",
  });
}

export interface ServerProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
  /** Resolves when the process's output (stdout and stderr) contains `text`, or matches it; rejects if it exits first. */
  untilOutput(text: string | RegExp): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts dist/server.js with exactly `env`, by default in an empty directory (so no stray .env is
 * read); `at` runs another layout, e.g. the one the Dockerfile builds: `node <args>` in `cwd`.
 */
export function runServer(env: Record<string, string>, at?: { cwd: string; args: string[] }): ServerProcess {
  const cwd = at?.cwd ?? mkdtempSync(join(tmpdir(), "gls-server-"));
  const child = spawn(process.execPath, at?.args ?? [join(PROJECT_ROOT, "dist/server.js")], {
    cwd,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  // Waiters for a text are told the moment a chunk brings it: no polling of the output.
  const waiters = new Set<{ text: string | RegExp; resolve: () => void }>();
  const has = (text: string | RegExp) => (typeof text === "string" ? output.includes(text) : text.test(output));
  const take = (chunk: Buffer) => {
    output += chunk.toString();
    for (const waiter of waiters) if (has(waiter.text)) waiter.resolve();
  };
  child.stdout!.on("data", take);
  child.stderr!.on("data", take);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    untilOutput(text) {
      if (has(text)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const waiter = {
          text,
          resolve: () => {
            waiters.delete(waiter);
            resolve();
          },
        };
        waiters.add(waiter);
        void exited.then((code) => {
          if (!waiters.delete(waiter)) return;
          reject(new Error(`the process exited (code ${code}) before writing ${String(text)}:\n${output}`));
        });
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Resolves once GET /healthz answers 200; fails at once if the server exits, with its output. */
export async function waitForHealthy(baseUrl: string, server: ServerProcess, timeoutMs = 15_000): Promise<void> {
  await eventually(`${baseUrl}/healthz to answer 200`, async () => (await fetch(`${baseUrl}/healthz`)).ok, {
    timeoutMs,
    intervalMs: 100,
    abandonIf: () => (server.child.exitCode === null ? undefined : `the server exited with code ${server.child.exitCode}`),
    detail: () => server.output(),
  });
}

/** fetch that keeps cookies per name (one site) and never follows redirects. */
export class CookieClient {
  readonly cookies = new Map<string, string>();

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const cookieHeader = [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
    const headers = new Headers(init.headers);
    if (cookieHeader && new URL(url).pathname.indexOf("/_emulator") !== 0) headers.set("cookie", cookieHeader);
    const response = await fetch(url, { ...init, headers, redirect: "manual" });
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(";");
      const separator = pair!.indexOf("=");
      const name = pair!.slice(0, separator);
      const value = pair!.slice(separator + 1);
      if (/expires=Thu, 01 Jan 1970/i.test(header) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }
}

/** The variables of a production run against a GitHub (emulator) and the test run's Redis on loopback. */
export function productionEnvironment(options: {
  port: number;
  githubUrl: string;
  clientId: string;
  clientSecret: string;
  redisUrl: string;
  keyPrefix: string;
}): Record<string, string> {
  return {
    NODE_ENV: "production",
    PORT: String(options.port),
    HOST: "127.0.0.1",
    PUBLIC_URL: `http://127.0.0.1:${options.port}`,
    GITHUB_CLIENT_ID: options.clientId,
    GITHUB_CLIENT_SECRET: options.clientSecret,
    GITHUB_BASE_URL: options.githubUrl,
    GITHUB_API_URL: `${options.githubUrl}/api/v3`,
    REDIS_URL: options.redisUrl,
    REDIS_KEY_PREFIX: options.keyPrefix,
    SESSION_SECRET: randomBytes(32).toString("base64url"),
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
  };
}
