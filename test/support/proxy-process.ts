// What running a real proxy (nginx, Caddy) for one test file has in common: find its binary, start
// it in the foreground with a throwaway folder, wait until it accepts connections on its port,
// stop it by its own process (never by name) and remove the folder. Also: whether this run must
// have the proxies at all (CI installs them, so a missing one there is a failure, not a skip).
// And the configurations themselves, read from the page a reader copies them from.
import { execFileSync, spawn, type SpawnOptions } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { eventually } from "./eventually.js";
import { PROJECT_ROOT } from "./process.js";

/** The page whose proxy configurations the proxy tests run, word for word except for addresses. */
export const PROXY_DOCUMENTATION = "docs/protect-an-app.md";

export interface RunningProxy {
  stop(): Promise<void>;
  /** What the proxy printed so far. */
  output(): string;
}

/** `name`'s binary from PATH or one of `fallbacks`, or null when it is not installed. */
export function findBinary(name: string, fallbacks: string[]): string | null {
  try {
    return execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim() || null;
  } catch {
    return fallbacks.find((path) => existsSync(path)) ?? null;
  }
}

export function proxiesRequired(): boolean {
  const ci = process.env.CI;
  return process.env.REQUIRE_PROXIES === "1" || (ci !== undefined && ci !== "" && ci !== "false" && ci !== "0");
}

/** Starts `binary args` and resolves once 127.0.0.1:`port` accepts; `folder` is removed when it stops. */
export async function startProxy(
  name: string,
  command: { binary: string; args: string[]; options?: SpawnOptions },
  port: number,
  folder: string,
  moreDetail: () => string = () => "",
): Promise<RunningProxy> {
  const child = spawn(command.binary, command.args, { ...command.options, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
    rmSync(folder, { recursive: true, force: true });
  };
  try {
    await eventually(`${name} to accept connections on port ${port}`, () => accepts(port), {
      timeoutMs: 10_000,
      abandonIf: () => (child.exitCode === null ? undefined : `${name} exited with code ${child.exitCode}`),
      detail: () => `${output}\n${moreDetail()}`,
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { stop, output: () => output };
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * Declares `suite` when the proxy is installed; otherwise one test that fails when this run
 * requires the proxies, or is skipped, saying how to install it.
 */
export function withProxy(name: string, binary: string | null, install: string, suite: (binary: string) => void): void {
  if (binary) {
    suite(binary);
  } else if (proxiesRequired()) {
    test(`${name} is installed (CI runs the ${name} configuration of ${PROXY_DOCUMENTATION}: ${install})`, () => {
      throw new Error(`${name} is not on PATH, and this run requires the proxies it tests (CI or REQUIRE_PROXIES=1)`);
    });
  } else {
    test.skip(`${name} is not installed (${install}): the ${name} forward-auth test did not run`, () => undefined);
  }
}

/** The fenced code blocks of one language in PROXY_DOCUMENTATION, in the order they appear there. */
export function documentedBlocks(language: string): string[] {
  const page = readFileSync(join(PROJECT_ROOT, PROXY_DOCUMENTATION), "utf8");
  return [...page.matchAll(new RegExp("```" + language + "\\n([\\s\\S]*?)```", "g"))].map((match) => match[1]!);
}
