// Podman for the container tests: builds and runs the image from the Dockerfile, and runs
// docker-compose.yml with podman-compose. No registry serves base images here: the images the
// Dockerfile and the compose file name (node:24-bookworm-slim, redis:7-alpine) are local stand-ins
// made by scripts/offline-images.sh, the same script people run (what the stand-ins are and how
// they differ from the official images is written there), and every podman call here uses the
// containers.conf that script writes.
import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PROJECT_ROOT } from "./process.js";

export const APP_IMAGE = "github-login-server:local";

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** True in CI, where the container tests must run: .ci/run sets GLS_CONTAINER_TESTS=required. */
export const containersRequired = Boolean(process.env.CI) || process.env.GLS_CONTAINER_TESTS === "required";

interface RunOptions {
  env?: Record<string, string>;
  /** Variables of this process's environment the command must not see. */
  unset?: string[];
  input?: string;
  cwd?: string;
  timeoutMs?: number;
}

function run(command: string, args: string[], options: RunOptions = {}): Promise<Result> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...engineEnvironment(), ...options.env };
  for (const name of options.unset ?? []) delete env[name];
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? PROJECT_ROOT,
      env,
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = options.timeoutMs ? setTimeout(() => child.kill("SIGKILL"), options.timeoutMs) : undefined;
    child.once("error", (error) => {
      clearTimeout(timer);
      resolve({ code: 127, stdout, stderr: stderr + error.message });
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 128, stdout, stderr });
    });
    if (options.input !== undefined) child.stdin!.end(options.input);
  });
}

/** `podman <args>`; rejects with its output unless it exits 0 (or `allowFailure`). */
export async function podman(args: string[], options: { allowFailure?: boolean; cwd?: string; timeoutMs?: number } = {}): Promise<Result> {
  const result = await run("podman", args, options);
  if (result.code !== 0 && !options.allowFailure)
    throw new Error(`podman ${args.join(" ")} exited ${result.code}:\n${result.stderr}${result.stdout}`);
  return result;
}

/**
 * `podman-compose <args>` in `cwd`. The variables the compose file interpolates come from the .env
 * next to it, as in a newcomer's shell, never from this test run (jest sets NODE_ENV=test).
 */
export async function podmanCompose(args: string[], cwd: string, timeoutMs = 180_000): Promise<Result> {
  const interpolated = [...readFileSync(join(cwd, "docker-compose.yml"), "utf8").matchAll(/\$\{([A-Za-z0-9_]+)/g)].map(
    (match) => match[1]!,
  );
  const result = await run("podman-compose", args, { cwd, timeoutMs, unset: interpolated });
  if (result.code !== 0) throw new Error(`podman-compose ${args.join(" ")} exited ${result.code}:\n${result.stderr}${result.stdout}`);
  return result;
}

export const OFFLINE_IMAGES_SCRIPT = join(PROJECT_ROOT, "scripts/offline-images.sh");

/** The tests' own containers.conf, outside the home directory (the script's default is under ~/.config). */
const CONTAINERS_CONF = join(tmpdir(), `gls-podman-${process.getuid?.() ?? 0}`, "containers.conf");
let confWritten = false;

/** CONTAINERS_CONF for every podman call, written once per test file by `offline-images.sh conf`. */
function engineEnvironment(): Record<string, string> {
  if (!confWritten) {
    execFileSync("bash", [OFFLINE_IMAGES_SCRIPT, "conf"], {
      env: { ...process.env, GLS_CONTAINERS_CONF: CONTAINERS_CONF },
      stdio: "ignore",
    });
    confWritten = true;
  }
  return { CONTAINERS_CONF: CONTAINERS_CONF, GLS_CONTAINERS_CONF: CONTAINERS_CONF };
}

/** Why the container tests cannot run here (one line), or undefined when podman answers. */
export async function engineProblem(): Promise<string | undefined> {
  const info = await run("podman", ["info", "--format", "{{.Host.OCIRuntime.Name}}"]);
  if (info.code === 127) return "podman is not installed (apt-get install podman runc mmdebstrap podman-compose)";
  if (info.code !== 0) return `podman does not work here: ${info.stderr.trim().split("\n").pop()}`;
  return undefined;
}

export interface StandInNames {
  /** The Dockerfile's base, fully qualified (docker.io/library/node:24-bookworm-slim). */
  base: string;
  /** The Node version the base's tag names (24, or 24.11.1). */
  node: string;
  debian: string;
  /** The compose file's Redis image, fully qualified. */
  redis: string;
}

/** What `offline-images.sh names` derives from the Dockerfile and docker-compose.yml of `root`. */
export function standInNames(root = PROJECT_ROOT): StandInNames {
  const output = execFileSync("bash", [join(root, "scripts/offline-images.sh"), "names"], { encoding: "utf8" });
  const names = Object.fromEntries(
    output
      .trim()
      .split("\n")
      .map((line) => line.split(" ", 2) as [string, string]),
  );
  return { base: names.base!, node: names.node!, debian: names.debian!, redis: names.redis! };
}

/**
 * `scripts/offline-images.sh`: makes the stand-ins for the Dockerfile's base and the compose file's
 * Redis unless they exist. Returns what it said (one line per image: made in N s, or kept).
 */
export async function ensureStandIns(): Promise<string[]> {
  const result = await run("bash", [OFFLINE_IMAGES_SCRIPT, "images"], { timeoutMs: 600_000 });
  if (result.code !== 0) throw new Error(`scripts/offline-images.sh exited ${result.code}:\n${result.stderr}${result.stdout}`);
  return result.stderr.split("\n").filter((line) => /: (making|made|present, kept)/.test(line));
}

/**
 * `podman build` of this checkout, as `docker build .` would: the Dockerfile as it is, the build
 * context .dockerignore lets through, the docker image format (the OCI one drops HEALTHCHECK).
 * Unchanged layers come from podman's cache.
 */
export async function buildAppImage(tag = APP_IMAGE): Promise<void> {
  await podman(["build", "--pull=never", "--format", "docker", "-t", tag, "."], { timeoutMs: 600_000 });
}
