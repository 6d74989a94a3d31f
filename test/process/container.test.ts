// The container, checked without a Docker engine: docker-compose.yml parses and matches the
// configuration schema and .env.example, builds the image once and checks the configuration before
// the server; the Dockerfile is multi-stage on Node 24, runs as `node` with NODE_ENV=production, a
// HEALTHCHECK and exec-form CMD; scripts/offline-images.sh derives the images it makes from those
// two files; and the runtime layout the Dockerfile's COPY lines describe (build output + `npm ci
// --omit=dev`) starts, answers /healthz and /readyz, serves a sign-in, passes the image's and the
// compose file's healthchecks, and runs the compose file's command (a refused configuration waits,
// a good one execs Node). test/process/image.test.ts runs the real image and compose file.
import { execFile, execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { parse as parseYaml } from "yaml";
import { parseDuration } from "../../src/config/durations.js";
import { environmentSchema } from "../../src/config/schema.js";
import { SHUTDOWN_GRACE_MS } from "../../src/drain-connections.js";
import { execForm, parseDockerfile, parseDockerignore, type Stage } from "../support/dockerfile.js";
import { approveAtEmulator, startEmulator, type RunningEmulator } from "../support/emulator-server.js";
import { eventually, within } from "../support/eventually.js";
import { CookieClient, PROJECT_ROOT, productionEnvironment, runServer, waitForHealthy, type ServerProcess } from "../support/process.js";
import { parseMetrics, sampleValue } from "../support/prometheus.js";
import { freePort } from "../support/redis-server.js";
import { testRedisUrl } from "../support/stack.js";

const schemaVariables = new Set(Object.keys(environmentSchema.shape));
const read = (file: string) => readFileSync(join(PROJECT_ROOT, file), "utf8");
/** The build context `docker build .` sends: the checkout, less what .dockerignore leaves out. */
const inContext = { ignores: parseDockerignore(existsSync(join(PROJECT_ROOT, ".dockerignore")) ? read(".dockerignore") : "") };

/** The parts of a compose file these tests read. */
interface ComposeService {
  build?: string;
  image?: string;
  command?: string | string[];
  volumes: string[];
  healthcheck: { test: string[]; interval?: string; timeout?: string; start_period?: string; retries?: number };
  depends_on: Record<string, { condition: string }>;
  env_file: string | (string | { path: string })[];
  environment: Record<string, string>;
  init?: boolean;
  stop_grace_period?: string;
  ports?: string[];
  restart?: string;
}

/** Variables only compose reads, to fill in this file: documented in .env.example, never read by the app. */
const COMPOSE_ONLY_VARIABLES = new Set(["BIND_ADDRESS"]);

/** Compose's variable substitution, as far as docker-compose.yml uses it: ${VAR}, ${VAR:-default}, ${VAR-default}. */
function interpolate(text: string, environment: Record<string, string>): string {
  return text.replace(
    /\$\{([A-Z0-9_]+)(?:(:?-)([^}]*))?\}/g,
    (_match, name: string, operator: string | undefined, fallback: string | undefined) => {
      const value = environment[name];
      if (operator === ":-") return value ? value : fallback!;
      if (operator === "-") return value ?? fallback!;
      return value ?? "";
    },
  );
}

/** The app service of docker-compose.yml. */
function composeApp(): ComposeService {
  return (parseYaml(read("docker-compose.yml")) as { services: Record<string, ComposeService> }).services.app!;
}

/** The app's command in docker-compose.yml, a list (["sh", "-c", script]). */
function composeCommand(): string[] {
  const command = composeApp().command;
  if (!Array.isArray(command)) throw new Error("docker-compose.yml: the app's command is not a list");
  return command;
}

/** The arguments of a running process, from /proc (the shell's `exec` replaces them). */
const commandLine = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);

/**
 * Runs the compose file's app command in `cwd` as the container runs it, with `env` (and PATH) only,
 * in a process group of its own: `killAll()` also ends a server the shell left behind.
 */
function runComposeCommand(cwd: string, env: Record<string, string>) {
  const [shell, ...args] = composeCommand();
  const child = spawn(shell!, args, {
    cwd,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  let exit: string | undefined;
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code, signal) => {
      exit = `it exited (code ${code}, signal ${signal})`;
      resolve(code);
    }),
  );
  const killAll = () => {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // the group has already ended
    }
  };
  return { child, exited, output: () => output, exitReason: () => exit, killAll };
}

describe("docker-compose.yml", () => {
  const compose = parseYaml(read("docker-compose.yml")) as { services: Record<string, ComposeService>; volumes?: Record<string, unknown> };
  const app = compose.services.app!;
  const redis = compose.services.redis!;

  test("has the app and its Redis", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["app", "redis"]);
    expect(app.build).toBe(".");
  });

  test("builds the image once: the app is the only service with a build, and no other service runs its image", () => {
    expect(
      Object.entries(compose.services)
        .filter(([, service]) => service.build !== undefined)
        .map(([name]) => name),
    ).toEqual(["app"]);
    expect(
      Object.entries(compose.services)
        .filter(([, service]) => service.image === app.image)
        .map(([name]) => name),
    ).toEqual(["app"]);
  });

  test("Redis persists append-only to a volume and has a healthcheck", () => {
    const command = Array.isArray(redis.command) ? redis.command.join(" ") : String(redis.command);
    expect(command).toMatch(/--appendonly yes/);
    expect(redis.volumes).toEqual(expect.arrayContaining([expect.stringMatching(/^[\w-]+:\/data$/)]));
    expect(Object.keys(compose.volumes ?? {})).toContain(redis.volumes[0]!.split(":")[0]);
    expect(redis.healthcheck.test.join(" ")).toMatch(/redis-cli ping/);
  });

  test("the app starts once Redis is healthy, is configured from .env, and gets signals through an init", () => {
    expect(app.depends_on.redis?.condition).toBe("service_healthy");
    const envFiles = (Array.isArray(app.env_file) ? app.env_file : [app.env_file]).map((entry: string | { path: string }) =>
      typeof entry === "string" ? entry : entry.path,
    );
    expect(envFiles).toEqual([".env"]);
    expect(app.init).toBe(true);
  });

  test("the app has longer to stop than the server takes to drain", () => {
    expect(parseDuration(String(app.stop_grace_period))).toBeGreaterThan(SHUTDOWN_GRACE_MS);
  });

  test("every variable it sets or reads is a configuration variable (or one of compose's own) documented in .env.example", () => {
    const environment = Object.keys(app.environment);
    const interpolated = [...read("docker-compose.yml").matchAll(/\$\{([A-Z0-9_]+)/g)].map((match) => match[1]!);
    expect(environment.length).toBeGreaterThan(0);
    for (const variable of new Set([...environment, ...interpolated])) {
      expect([variable, schemaVariables.has(variable) || COMPOSE_ONLY_VARIABLES.has(variable)]).toEqual([variable, true]);
      expect(read(".env.example")).toMatch(new RegExp(`^#? ?${variable}=`, "m"));
    }
    for (const variable of COMPOSE_ONLY_VARIABLES) expect([variable, schemaVariables.has(variable)]).toEqual([variable, false]);
  });

  test("publishes the port on this machine's loopback unless BIND_ADDRESS says otherwise; PORT moves both ends", () => {
    const published = (environment: Record<string, string>) => (app.ports ?? []).map((port) => interpolate(port, environment));
    expect(published({})).toEqual(["127.0.0.1:3000:3000"]);
    expect(published({ PORT: "8080" })).toEqual(["127.0.0.1:8080:8080"]);
    expect(published({ BIND_ADDRESS: "0.0.0.0", PORT: "8080" })).toEqual(["0.0.0.0:8080:8080"]);
  });

  test("a configuration the app refuses leaves the app waiting, not restarting in a loop; a working app comes back after crashes and reboots", () => {
    // Podman restarts a container that exits at once (unless-stopped, on-failure alike), and
    // podman-compose ignores service_completed_successfully: the check lives in the app's own
    // command, which waits instead of exiting. (Run for real below and in image.test.ts.)
    const [shell, flag, script] = composeCommand();
    expect([shell, flag]).toEqual(["sh", "-c"]);
    const lines = script!.split("\n").map((line) => line.trim());
    expect(lines[0]).toBe("node dist/server.js --check-config || {");
    expect(lines.slice(1, lines.indexOf("}"))).toContain("exec sleep infinity");
    expect(lines.filter(Boolean).at(-1)).toBe("exec node dist/server.js");
    expect(Object.keys(app.depends_on)).toEqual(["redis"]);
    expect(app.init).toBe(true);
    expect(app.restart).toBe("unless-stopped");
    expect(redis.restart).toBe("unless-stopped");
  });

  test("the app has a healthcheck of its own on /healthz (podman-compose builds the OCI format, which drops the Dockerfile's), in a form podman-compose passes on intact", () => {
    const [kind, command] = app.healthcheck.test;
    // podman-compose 1.0.3 joins a CMD list into one shell word, breaking any argument that needs quoting.
    expect([kind, app.healthcheck.test.length]).toEqual(["CMD-SHELL", 2]);
    expect(command).toMatch(/\/healthz/);
    expect(command).not.toMatch(/\$/); // compose would interpolate it
    expect(parseDuration(app.healthcheck.timeout!)!).toBeLessThan(parseDuration(app.healthcheck.interval!)!);
  });

  test("REDIS_URL defaults to the compose Redis, but an empty REDIS_URL in .env (for a Cluster or Sentinels) stays empty", () => {
    // ${VAR-default} substitutes only when unset; ${VAR:-default} would also replace an empty value.
    expect(app.environment.REDIS_URL).toBe("${REDIS_URL-redis://redis:6379}");
  });
});

describe("Dockerfile", () => {
  const stages = parseDockerfile(read("Dockerfile"));
  const build = stages.find((stage) => stage.name === "build")!;
  const runtime = stages.at(-1)!;
  const texts = (stage: Stage, keyword: string) =>
    stage.instructions.filter((instruction) => instruction.keyword === keyword).map((instruction) => instruction.text);

  test("builds in one stage with dev dependencies and runs in another with production ones only", () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(build).toBeDefined();
    expect(runtime).not.toBe(build);
    expect(runtime.base).toMatch(/slim|alpine|distroless/);
    expect(texts(build, "RUN").join("\n")).toMatch(/npm ci/);
    expect(texts(build, "RUN").join("\n")).toMatch(/npm run build/);
    expect(texts(runtime, "RUN").join("\n")).toMatch(/npm ci --omit=dev/);
    expect(texts(runtime, "COPY")).toEqual(expect.arrayContaining([expect.stringMatching(/^--from=build \S*\/dist \.\/dist$/)]));
  });

  test("runs on Node 24 (LTS) in every stage; package.json still accepts the Node 20.19 this machine has", () => {
    expect(stages.map((stage) => stage.base)).toEqual(stages.map(() => "node:24-bookworm-slim"));
    expect((JSON.parse(read("package.json")) as { engines: { node: string } }).engines.node).toBe(">=20.19");
  });

  test("runs as the non-root node user with NODE_ENV=production", () => {
    expect(texts(runtime, "USER")).toEqual(["node"]);
    expect(texts(runtime, "ENV")).toContain("NODE_ENV=production");
  });

  test("Node itself is PID 1's command (exec form), so SIGTERM reaches it", () => {
    expect(execForm(texts(runtime, "CMD")[0]!)).toEqual(["node", "dist/server.js"]);
    expect(texts(runtime, "ENTRYPOINT")).toEqual([]);
    expect(texts(runtime, "STOPSIGNAL")).toEqual(["SIGTERM"]);
  });

  test("has a HEALTHCHECK on /healthz", () => {
    expect(texts(runtime, "HEALTHCHECK")).toHaveLength(1);
    expect(texts(runtime, "HEALTHCHECK")[0]).toMatch(/\/healthz/);
  });
});

describe("scripts/offline-images.sh", () => {
  const script = join(PROJECT_ROOT, "scripts/offline-images.sh");
  const names = (root: string) =>
    execFileSync("bash", [join(root, "scripts/offline-images.sh"), "names"], { encoding: "utf8", stdio: "pipe" });
  const redisImage = (parseYaml(read("docker-compose.yml")) as { services: Record<string, ComposeService> }).services.redis!.image!;
  let root: string;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "gls-offline-images-"));
    mkdirSync(join(root, "scripts"));
    cpSync(script, join(root, "scripts/offline-images.sh"));
  });

  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test("makes the Dockerfile's base (Node 24 on Debian bookworm) and the compose file's Redis, the names taken from those files", () => {
    const bases = [...new Set(parseDockerfile(read("Dockerfile")).map((stage) => stage.base))];
    expect(bases).toHaveLength(1);
    expect(names(PROJECT_ROOT)).toBe(
      `base docker.io/library/${bases[0]}\nnode 24\ndebian bookworm\nredis docker.io/library/${redisImage}\n`,
    );
  });

  test("follows those files when they change (nothing is written twice), and refuses a Dockerfile with two bases", () => {
    writeFileSync(join(root, "Dockerfile"), read("Dockerfile").replaceAll(/^FROM \S+/gm, "FROM node:22.12.0-trixie-slim"));
    writeFileSync(
      join(root, "docker-compose.yml"),
      read("docker-compose.yml").replace(`image: ${redisImage}`, "image: registry.example.com/cache/redis:8"),
    );
    expect(names(root)).toBe(
      "base docker.io/library/node:22.12.0-trixie-slim\nnode 22.12.0\ndebian trixie\nredis registry.example.com/cache/redis:8\n",
    );
    writeFileSync(join(root, "Dockerfile"), read("Dockerfile").replace(/^FROM \S+/m, "FROM node:22-bookworm-slim"));
    expect(() => names(root)).toThrow(/several bases/);
  });

  test("writes the containers.conf Podman needs here (this machine's hard limits, runc), prints how to use it, and runs a command with it", () => {
    const conf = join(root, "conf", "containers.conf");
    const env = { ...process.env, GLS_CONTAINERS_CONF: conf };
    expect(execFileSync("bash", [script, "conf"], { env, encoding: "utf8" })).toBe(`${conf}\n`);
    const limits = readFileSync("/proc/self/limits", "utf8");
    const hard = (name: string) => /^\S.*?\s{2,}\S+\s+(\S+)/.exec(limits.split("\n").find((line) => line.startsWith(name))!)![1]!;
    const nofile = hard("Max open files");
    expect(readFileSync(conf, "utf8")).toContain(`default_ulimits = ["nofile=${nofile}:${nofile}", `);
    const runc = ["/usr/bin/runc", "/usr/sbin/runc", "/usr/local/bin/runc"].some((path) => existsSync(path));
    expect(readFileSync(conf, "utf8").includes('runtime = "runc"')).toBe(runc);
    expect(execFileSync("bash", [script, "env"], { env, encoding: "utf8" })).toBe(`export CONTAINERS_CONF=${conf}\n`);
    expect(execFileSync("bash", [script, "run", "sh", "-c", "echo $CONTAINERS_CONF"], { env, encoding: "utf8" })).toBe(`${conf}\n`);
    expect(execFileSync("bash", [script, "help"], { env, encoding: "utf8" })).toContain(`export CONTAINERS_CONF=${conf}`);
  });
});

describe("the build context (.dockerignore)", () => {
  const contextSources = parseDockerfile(read("Dockerfile")).flatMap((stage) =>
    stage.instructions
      .filter((instruction) => instruction.keyword === "COPY" && !instruction.text.startsWith("--from="))
      .flatMap((instruction) => instruction.text.split(" ").slice(0, -1)),
  );

  test("leaves out local installs, build output, secrets, git history and test artifacts", () => {
    for (const path of [
      ".env",
      ".env.production",
      "node_modules/express/package.json",
      "dist/server.js",
      ".git/config",
      "coverage/lcov.info",
      "test/e2e/screenshots/home.png",
      "test/unit/config.test.ts",
      "npm-debug.log",
      "dump.rdb",
      "server.key",
    ]) {
      expect([path, inContext.ignores(path)]).toEqual([path, true]);
    }
  });

  test("keeps every source a COPY takes from it", () => {
    expect(contextSources.length).toBeGreaterThan(0);
    for (const source of contextSources)
      expect([source, inContext.ignores(source), existsSync(join(PROJECT_ROOT, source))]).toEqual([source, false, true]);
  });

  test("holds nothing of this checkout but what those COPY lines take", () => {
    const sent: string[] = [];
    const walk = (directory: string) => {
      for (const entry of readdirSync(join(PROJECT_ROOT, directory), { withFileTypes: true })) {
        const path = directory ? `${directory}/${entry.name}` : entry.name;
        // A directory it leaves out is entered only on the way to a COPY source (packages/…): its
        // exceptions reach in no further.
        const towardSource = entry.isDirectory() && contextSources.some((source) => source.startsWith(`${path}/`));
        if (inContext.ignores(path) && !towardSource) continue;
        if (entry.isDirectory()) walk(path);
        else sent.push(path);
      }
    };
    walk("");
    expect(sent.filter((path) => !contextSources.some((source) => path === source || path.startsWith(`${source}/`)))).toEqual([]);
  });
});

describe("the runtime layout the Dockerfile builds, without Docker", () => {
  const stages = parseDockerfile(read("Dockerfile"));
  const runtime = stages.at(-1)!;
  let root: string;
  let runtimeDir: string;
  let emulator: RunningEmulator;
  let server: ServerProcess;
  let port: number;
  const clientId = "Iv23liContainerTest01";
  const clientSecret = randomBytes(20).toString("hex");
  const metricsToken = randomBytes(16).toString("hex");

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "gls-image-"));
    const buildDir = join(root, "build");
    runtimeDir = join(root, "app");
    const build = stages.find((stage) => stage.name === "build")!;
    const buildWorkdir = build.instructions.find((instruction) => instruction.keyword === "WORKDIR")!.text;
    const copy = (text: string, stageDir: string) => {
      const fromBuild = text.startsWith("--from=build ");
      const parts = text.replace(/^--from=build /, "").split(" ");
      const destination = join(stageDir, parts.pop()!);
      for (const source of parts) {
        const origin = fromBuild ? join(buildDir, source.replace(new RegExp(`^${buildWorkdir}/?`), "")) : join(PROJECT_ROOT, source);
        const target = destination.endsWith("/") || parts.length > 1 ? join(destination, source.split("/").pop()!) : destination;
        // From the build context, only what .dockerignore lets through reaches Docker: a source it
        // leaves out fails the build, and files it leaves out under a copied directory are not there.
        if (!fromBuild && (inContext.ignores(source) || !existsSync(origin))) throw new Error(`COPY ${source}: not in the build context`);
        cpSync(origin, target, { recursive: true, filter: (path) => fromBuild || !inContext.ignores(relative(PROJECT_ROOT, path)) });
      }
    };
    // The build stage, instruction by instruction: its `npm ci` is this checkout's node_modules.
    for (const { keyword, text } of build.instructions) {
      if (keyword === "COPY") {
        copy(text, buildDir);
      } else if (keyword === "RUN" && /^npm ci\b/.test(text)) {
        symlinkSync(join(PROJECT_ROOT, "node_modules"), join(buildDir, "node_modules"), "dir");
      } else if (keyword === "RUN") {
        expect(text).toBe("npm run build");
        await promisify(execFile)("npm", ["run", "build"], { cwd: buildDir });
      }
    }
    // The runtime stage, instruction by instruction.
    const environment: Record<string, string> = {};
    for (const { keyword, text } of runtime.instructions) {
      if (keyword === "ENV") {
        const [name, ...value] = text.split("=");
        environment[name!] = value.join("=");
      } else if (keyword === "COPY") {
        copy(text, runtimeDir);
      } else if (keyword === "RUN") {
        expect(text).toMatch(/^npm ci --omit=dev\b/);
        // The same install, kept off the network where the npm cache already has the packages.
        await promisify(execFile)("npm", ["ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline"], {
          cwd: runtimeDir,
        });
      }
    }
    expect(environment.NODE_ENV).toBe("production");

    port = await freePort();
    emulator = await startEmulator({
      clients: [
        {
          clientId,
          clientSecret,
          name: "Container test",
          type: "github-app",
          expiringTokens: true,
          callbackUrls: [{ url: `http://127.0.0.1:${port}/auth/github/callback`, wildcard: false }],
        },
      ],
    });
    const [command, ...args] = execForm(runtime.instructions.find((instruction) => instruction.keyword === "CMD")!.text)!;
    expect(command).toBe("node");
    server = runServer(
      {
        ...environment,
        ...productionEnvironment({
          port,
          githubUrl: emulator.url,
          clientId,
          clientSecret,
          redisUrl: testRedisUrl(),
          keyPrefix: `gls-image-${randomBytes(4).toString("hex")}:`,
        }),
        METRICS_TOKEN: metricsToken,
      },
      { cwd: runtimeDir, args },
    );
    await waitForHealthy(`http://127.0.0.1:${port}`, server);
  }, 90_000);

  afterAll(async () => {
    await server?.stop();
    await emulator?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test("holds production dependencies only", () => {
    const manifest = JSON.parse(read("package.json")) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    for (const name of Object.keys(manifest.dependencies)) expect(existsSync(join(runtimeDir, "node_modules", name))).toBe(true);
    // A package only the tests use is absent; one the tests import directly but a production
    // dependency also needs (jose, under oidc-provider) is there, as the lock file says.
    const lock = JSON.parse(read("package-lock.json")) as { packages: Record<string, { dev?: boolean }> };
    const devOnly = Object.keys(manifest.devDependencies).filter((name) => lock.packages[`node_modules/${name}`]?.dev === true);
    expect(devOnly.length).toBeGreaterThan(Object.keys(manifest.devDependencies).length / 2);
    for (const name of devOnly) expect(existsSync(join(runtimeDir, "node_modules", name))).toBe(false);
    expect(existsSync(join(runtimeDir, "src"))).toBe(false);
  });

  test("answers /healthz and /readyz", async () => {
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
  });

  async function signIn(): Promise<void> {
    const base = `http://127.0.0.1:${port}`;
    const browser = new CookieClient();
    expect(await (await browser.fetch(`${base}/`)).text()).toContain("Sign in with GitHub");
    const start = await browser.fetch(`${base}/auth/github`);
    const callback = await browser.fetch((await approveAtEmulator(start.headers.get("location")!, { login: "monalisa" })).toString());
    expect(callback.status).toBe(303);
    expect(((await (await browser.fetch(`${base}/api/me`)).json()) as { login: string }).login).toBe("monalisa");
  }

  test("serves its pages and a whole sign-in", async () => {
    await signIn();
  });

  test("/metrics, behind METRICS_TOKEN, counts a sign-in's calls to GitHub and the process's own figures", async () => {
    const url = `http://127.0.0.1:${port}/metrics`;
    expect((await fetch(url)).status).toBe(401);
    const scrape = async () => parseMetrics(await (await fetch(url, { headers: { authorization: `Bearer ${metricsToken}` } })).text());
    const before = await scrape();
    await signIn();
    const after = await scrape();
    const moved = (name: string, labels: Record<string, string>) => sampleValue(after, name, labels) - sampleValue(before, name, labels);
    expect(moved("gls_sign_ins_total", { outcome: "success" })).toBe(1);
    expect(moved("gls_github_requests_total", { endpoint: "POST /login/oauth/access_token", status: "200" })).toBe(1);
    expect(after.some((sample) => sample.name === "gls_process_cpu_user_seconds_total")).toBe(true);
  });

  test("the image's HEALTHCHECK command passes against it, and fails when nothing answers", async () => {
    const healthcheck = runtime.instructions.find((instruction) => instruction.keyword === "HEALTHCHECK")!.text;
    const [command, ...args] = execForm(healthcheck.slice(healthcheck.indexOf("CMD ") + 4))!;
    expect(command).toBe("node");
    const run = async (checkedPort: number) => {
      try {
        await promisify(execFile)(process.execPath, args, { env: { PORT: String(checkedPort) } });
        return 0;
      } catch (error) {
        return (error as { code?: number }).code;
      }
    };
    expect(await run(port)).toBe(0);
    expect(await run(await freePort())).toBe(1);
  });

  test("the compose file's healthcheck passes against it, and fails when nothing answers", async () => {
    // As Docker runs it: CMD-SHELL through `sh -c`, CMD as it is.
    const [kind, ...test] = composeApp().healthcheck.test;
    const [command, ...args] = kind === "CMD-SHELL" ? ["sh", "-c", ...test] : test;
    const run = async (checkedPort: number) => {
      try {
        await promisify(execFile)(command!, args, { env: { PATH: process.env.PATH ?? "", PORT: String(checkedPort) }, timeout: 10_000 });
        return 0;
      } catch (error) {
        return (error as { code?: number }).code;
      }
    };
    expect(await run(port)).toBe(0);
    expect(await run(await freePort())).toBe(1);
  });

  test("the compose file's command, with the configuration an unedited .env gives: every problem and the way out, then it waits (never exits)", async () => {
    const run = runComposeCommand(runtimeDir, { NODE_ENV: "production" });
    try {
      await eventually("the command to wait in `sleep infinity`", () => commandLine(run.child.pid!).join(" ") === "sleep infinity", {
        timeoutMs: 10_000,
        abandonIf: run.exitReason,
        detail: run.output,
      });
      expect(run.output()).toMatch(/the configuration has \d+ problem/);
      for (const variable of ["SESSION_SECRET", "GITHUB_CLIENT_ID", "PUBLIC_URL"]) expect(run.output()).toContain(`${variable}: required`);
      expect(run.output()).toContain("is NOT running: set what is listed above in .env");
      expect(run.output()).toContain("docker compose up -d --force-recreate");
    } finally {
      run.killAll();
      await run.exited;
    }
  });

  test("the compose file's command, with a configuration that passes: Node replaces the shell (exec), serves, and SIGTERM ends it cleanly", async () => {
    const commandPort = await freePort();
    const run = runComposeCommand(runtimeDir, {
      ...productionEnvironment({
        port: commandPort,
        githubUrl: emulator.url,
        clientId,
        clientSecret,
        redisUrl: testRedisUrl(),
        keyPrefix: `gls-command-${randomBytes(4).toString("hex")}:`,
      }),
    });
    try {
      await eventually(`/healthz on port ${commandPort}`, async () => (await fetch(`http://127.0.0.1:${commandPort}/healthz`)).ok, {
        timeoutMs: 15_000,
        abandonIf: run.exitReason,
        detail: run.output,
      });
      expect(run.output()).toContain("configuration OK");
      expect(commandLine(run.child.pid!)).toEqual(["node", "dist/server.js"]);
      run.child.kill("SIGTERM");
      expect(await within("the server to exit after SIGTERM", run.exited, { timeoutMs: 15_000, detail: run.output })).toBe(0);
      expect(run.output()).toContain('"msg":"shut down"');
    } finally {
      run.killAll();
    }
  });
});
