// Podman for the container tests: builds and runs the image from the Dockerfile, and runs
// docker-compose.yml with podman-compose. No registry serves base images here, so the images the
// Dockerfile and the compose file name are made locally once and then reused:
//
// - the Dockerfile's FROM (node:20-bookworm-slim) is a STAND-IN, not the official image:
//   Debian bookworm minbase (mmdebstrap) plus this machine's Node and npm in /usr/local, a `node`
//   user (uid/gid 1000, home /home/node) and this machine's CA bundle (with NODE_EXTRA_CA_CERTS
//   pointing at it, so `npm ci` inside the build trusts the same registry proxy as the host). The
//   official image has the same Debian release, user, paths and CMD; it has no extra CA bundle and
//   its Node is the upstream 20.x build of the day, and it has an ENTRYPOINT
//   (docker-entrypoint.sh, which execs the CMD) where the stand-in has none.
// - the compose file's Redis (redis:7-alpine) is a stand-in too: the same base plus Debian's
//   redis-server (7.0) and redis-cli, in /data, with protected mode off as in the official image.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDockerfile } from "./dockerfile.js";
import { PROJECT_ROOT } from "./process.js";

export const APP_IMAGE = "github-login-server:local";

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** True in CI, where the container tests must run: .ci/run sets GLS_CONTAINER_TESTS=required. */
export const containersRequired = Boolean(process.env.CI) || process.env.GLS_CONTAINER_TESTS === "required";

function run(command: string, args: string[], options: { env?: Record<string, string>; input?: string; cwd?: string; timeoutMs?: number } = {}): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? PROJECT_ROOT,
      env: { ...process.env, ...engineEnvironment(), ...options.env },
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
  if (result.code !== 0 && !options.allowFailure) throw new Error(`podman ${args.join(" ")} exited ${result.code}:\n${result.stderr}${result.stdout}`);
  return result;
}

export async function podmanCompose(args: string[], cwd: string, timeoutMs = 180_000): Promise<Result> {
  const result = await run("podman-compose", args, { cwd, timeoutMs });
  if (result.code !== 0) throw new Error(`podman-compose ${args.join(" ")} exited ${result.code}:\n${result.stderr}${result.stdout}`);
  return result;
}

let configFile: string | undefined;

/**
 * CONTAINERS_CONF for every podman call: containers get this machine's hard open-files limit (the
 * default asks for more than an unprivileged runtime may set: "setrlimit RLIMIT_NOFILE: Operation
 * not permitted"), and runc runs them where it is installed (crun refuses hybrid cgroups).
 */
function engineEnvironment(): Record<string, string> {
  if (!configFile) {
    const limits = existsSync("/proc/self/limits") ? readFileSync("/proc/self/limits", "utf8") : "";
    const hard = (name: string, fallback: number) => {
      const match = new RegExp(`^${name}\\s+\\S+\\s+(\\S+)`, "m").exec(limits);
      const value = match && match[1] !== "unlimited" ? Number(match[1]) : fallback;
      return Number.isFinite(value) ? value : fallback;
    };
    const nofile = hard("Max open files", 1_048_576);
    const nproc = Math.min(hard("Max processes", 32_768), 32_768);
    const directory = join(tmpdir(), `gls-podman-${process.getuid?.() ?? 0}`);
    mkdirSync(directory, { recursive: true });
    configFile = join(directory, "containers.conf");
    const runc = ["/usr/bin/runc", "/usr/sbin/runc", "/usr/local/bin/runc"].some((path) => existsSync(path));
    writeFileSync(
      configFile,
      [`[containers]`, `default_ulimits = ["nofile=${nofile}:${nofile}", "nproc=${nproc}:${nproc}"]`, ...(runc ? [`[engine]`, `runtime = "runc"`] : []), ""].join("\n"),
    );
  }
  return { CONTAINERS_CONF: configFile };
}

/** Why the container tests cannot run here (one line), or undefined when podman answers. */
export async function engineProblem(): Promise<string | undefined> {
  const info = await run("podman", ["info", "--format", "{{.Host.OCIRuntime.Name}}"]);
  if (info.code === 127) return "podman is not installed (apt-get install podman runc mmdebstrap podman-compose)";
  if (info.code !== 0) return `podman does not work here: ${info.stderr.trim().split("\n").pop()}`;
  return undefined;
}

/** The image the Dockerfile builds FROM (the same in every stage). */
export function baseImageName(): string {
  const bases = new Set(parseDockerfile(readFileSync(join(PROJECT_ROOT, "Dockerfile"), "utf8")).map((stage) => stage.base));
  if (bases.size !== 1) throw new Error(`the Dockerfile has several bases (${[...bases].join(", ")}); the stand-in makes one`);
  return [...bases][0]!;
}

/** docker.io/library/NAME:TAG for a short name, as the Dockerfile's FROM means it. */
export function qualified(name: string): string {
  if (name.includes("/") && name.split("/")[0]!.includes(".")) return name;
  return `docker.io/${name.includes("/") ? name : `library/${name}`}`;
}

async function imageExists(name: string): Promise<boolean> {
  return (await podman(["image", "exists", name], { allowFailure: true })).code === 0;
}

/** Makes the stand-in for the Dockerfile's base unless it already exists. Returns whether it was made. */
export async function ensureBaseImage(): Promise<boolean> {
  const name = qualified(baseImageName());
  if (await imageExists(name)) return false;
  const hooks = [
    'mkdir -p "$1/usr/local/lib/node_modules" "$1/usr/local/bin" "$1/etc/ssl/certs"',
    'cp "$(readlink -f "$(command -v node)")" "$1/usr/local/bin/node"',
    'cp -a "$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")" "$1/usr/local/lib/node_modules/npm"',
    'ln -s ../lib/node_modules/npm/bin/npm-cli.js "$1/usr/local/bin/npm" && ln -s ../lib/node_modules/npm/bin/npx-cli.js "$1/usr/local/bin/npx"',
    'cp /etc/ssl/certs/ca-certificates.crt "$1/etc/ssl/certs/ca-certificates.crt"',
    'chroot "$1" groupadd --gid 1000 node && chroot "$1" useradd --uid 1000 --gid node --shell /bin/bash --create-home node',
    'rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*',
  ];
  const directory = mkdtempSync(join(tmpdir(), "gls-base-"));
  try {
    const tarball = join(directory, "rootfs.tar");
    const debootstrap = await run("mmdebstrap", ["--variant=minbase", "--quiet", ...hooks.map((hook) => `--customize-hook=${hook}`), "bookworm", tarball], {
      timeoutMs: 300_000,
    });
    if (debootstrap.code !== 0) throw new Error(`mmdebstrap exited ${debootstrap.code} (apt-get install mmdebstrap):\n${debootstrap.stderr}`);
    await podman(["import", "--change", "ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt", "--change", 'CMD ["node"]', tarball, name]);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
  return true;
}

/** Makes the Redis stand-in under `name` (the compose file's image) from the base stand-in unless it exists. */
export async function ensureRedisImage(name: string): Promise<boolean> {
  if (await imageExists(qualified(name))) return false;
  await ensureBaseImage();
  const directory = mkdtempSync(join(tmpdir(), "gls-redis-image-"));
  try {
    writeFileSync(
      join(directory, "entrypoint.sh"),
      ['#!/bin/sh', '# As the official image: redis-server answers other containers without a password.', 'if [ "$1" = redis-server ]; then shift; exec redis-server --protected-mode no "$@"; fi', 'exec "$@"', ""].join("\n"),
      { mode: 0o755 },
    );
    writeFileSync(
      join(directory, "Containerfile"),
      [
        `FROM ${qualified(baseImageName())}`,
        "RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server && rm -rf /var/lib/apt/lists/*",
        "COPY entrypoint.sh /usr/local/bin/docker-entrypoint.sh",
        "RUN mkdir /data",
        "WORKDIR /data",
        "EXPOSE 6379",
        'ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]',
        'CMD ["redis-server"]',
        "",
      ].join("\n"),
    );
    await podman(["build", "--pull=never", "--format", "docker", "-t", qualified(name), directory], { timeoutMs: 300_000 });
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
  return true;
}

/**
 * `podman build` of this checkout, as `docker build .` would: the Dockerfile as it is, the build
 * context .dockerignore lets through, the docker image format (the OCI one drops HEALTHCHECK).
 * Unchanged layers come from podman's cache.
 */
export async function buildAppImage(tag = APP_IMAGE): Promise<void> {
  await ensureBaseImage();
  await podman(["build", "--pull=never", "--format", "docker", "-t", tag, "."], { timeoutMs: 600_000 });
}
