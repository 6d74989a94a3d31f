// Runs the built server (dist/server.js) as a separate process, the way `npm start` and the
// container do, and a tiny cookie-keeping client for walking it with fetch.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const PROJECT_ROOT = fileURLToPath(new URL("../..", import.meta.url));

export function buildServer(): void {
  execFileSync(process.execPath, [join(PROJECT_ROOT, "node_modules/typescript/bin/tsc"), "-p", join(PROJECT_ROOT, "tsconfig.json")], {
    stdio: "pipe",
  });
}

export interface ServerProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
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
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    output: () => output,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

export async function waitForHealthy(baseUrl: string, server: ServerProcess, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.child.exitCode !== null) throw new Error(`server exited early:\n${server.output()}`);
    try {
      if ((await fetch(`${baseUrl}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`server did not become healthy:\n${server.output()}`);
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
