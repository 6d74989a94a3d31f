// Runs a real Caddy for one test file: in the foreground, as one process, with its configuration,
// data and config directories in a throwaway directory, the admin endpoint off and no automatic
// HTTPS, so it needs no root, binds only the port it is given and touches nothing of a system Caddy.
// Debian's caddy package (2.6) is enough.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eventually } from "./eventually.js";
import { accepts } from "./nginx.js";

export interface RunningCaddy {
  stop(): Promise<void>;
  /** What Caddy logged so far (its errors, and the configuration it adapted). */
  log(): string;
}

/** The caddy binary, or null when it is not installed. */
export function findCaddy(): string | null {
  try {
    return execFileSync("sh", ["-c", "command -v caddy"], { encoding: "utf8" }).trim() || null;
  } catch {
    return ["/usr/bin/caddy", "/usr/local/bin/caddy"].find((path) => existsSync(path)) ?? null;
  }
}

/**
 * Whether this run must have the proxies it tests: CI installs them (.ci/run), so a missing one
 * there is a failure, not a skip.
 */
export function proxiesRequired(): boolean {
  const ci = process.env.CI;
  return process.env.REQUIRE_PROXIES === "1" || (ci !== undefined && ci !== "" && ci !== "false" && ci !== "0");
}

/** Starts Caddy with `caddyfile` after global options of its own, and resolves once it accepts connections on `port`. */
export async function startCaddy(binary: string, caddyfile: string, port: number): Promise<RunningCaddy> {
  const home = mkdtempSync(join(tmpdir(), "gls-caddy-"));
  const configFile = join(home, "Caddyfile");
  const globalOptions = ["{", "\tadmin off", "\tauto_https off", `\tstorage file_system ${join(home, "data")}`, "}", ""];
  writeFileSync(configFile, [...globalOptions, caddyfile, ""].join("\n"));
  const child: ChildProcess = spawn(binary, ["run", "--config", configFile, "--adapter", "caddyfile"], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, XDG_DATA_HOME: join(home, "data"), XDG_CONFIG_HOME: join(home, "config") },
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
    rmSync(home, { recursive: true, force: true });
  };
  try {
    await eventually(`Caddy to accept connections on port ${port}`, () => accepts(port), {
      timeoutMs: 10_000,
      abandonIf: () => (child.exitCode === null ? undefined : `caddy exited with code ${child.exitCode}`),
      detail: () => output,
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { stop, log: () => output };
}
