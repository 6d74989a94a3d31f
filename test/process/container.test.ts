// The container, checked without a Docker engine: docker-compose.yml parses and matches the
// configuration schema and .env.example; the Dockerfile is multi-stage, runs as `node` with
// NODE_ENV=production, a HEALTHCHECK and exec-form CMD; and the runtime layout its COPY lines
// describe (build output + `npm ci --omit=dev`) starts, answers /healthz and /readyz, serves a
// sign-in, and passes the image's own HEALTHCHECK command.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { parse as parseYaml } from "yaml";
import { parseDuration } from "../../src/config/durations.js";
import { environmentSchema } from "../../src/config/schema.js";
import { SHUTDOWN_GRACE_MS } from "../../src/drain-connections.js";
import { execForm, parseDockerfile, parseDockerignore, type Stage } from "../support/dockerfile.js";
import { approveAtEmulator, startEmulator, type RunningEmulator } from "../support/emulator-server.js";
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
  healthcheck: { test: string[] };
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
  return text.replace(/\$\{([A-Z0-9_]+)(?:(:?-)([^}]*))?\}/g, (_match, name: string, operator: string | undefined, fallback: string | undefined) => {
    const value = environment[name];
    if (operator === ":-") return value ? value : fallback!;
    if (operator === "-") return value ?? fallback!;
    return value ?? "";
  });
}

describe("docker-compose.yml", () => {
  const compose = parseYaml(read("docker-compose.yml")) as { services: Record<string, ComposeService>; volumes?: Record<string, unknown> };
  const app = compose.services.app!;
  const redis = compose.services.redis!;

  test("has the app and its Redis", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["app", "config-check", "redis"]);
    expect(app.build).toBe(".");
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

  test("a configuration the app refuses stops `up` once, instead of a restart loop; a working app comes back after reboots", () => {
    const check = compose.services["config-check"]!;
    expect(check.command).toEqual(["node", "dist/server.js", "--check-config"]);
    expect(check.restart).toBe("no");
    // The same image and the same configuration as the app, so its verdict is the app's.
    expect([check.build, check.image]).toEqual([app.build, app.image]);
    expect(check.env_file).toEqual(app.env_file);
    expect(check.environment).toEqual(app.environment);
    expect(app.depends_on).toMatchObject({ "config-check": { condition: "service_completed_successfully" }, redis: { condition: "service_healthy" } });
    expect(app.restart).toBe("unless-stopped");
    expect(redis.restart).toBe("unless-stopped");
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
  const texts = (stage: Stage, keyword: string) => stage.instructions.filter((instruction) => instruction.keyword === keyword).map((instruction) => instruction.text);

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
    for (const source of contextSources) expect([source, inContext.ignores(source), existsSync(join(PROJECT_ROOT, source))]).toEqual([source, false, true]);
  });

  test("holds nothing of this checkout but what those COPY lines take", () => {
    const sent: string[] = [];
    const walk = (directory: string) => {
      for (const entry of readdirSync(join(PROJECT_ROOT, directory), { withFileTypes: true })) {
        const path = directory ? `${directory}/${entry.name}` : entry.name;
        if (inContext.ignores(path)) continue; // (no exception in .dockerignore reaches into a directory it leaves out)
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
        await promisify(execFile)("npm", ["ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline"], { cwd: runtimeDir });
      }
    }
    expect(environment.NODE_ENV).toBe("production");

    port = await freePort();
    emulator = await startEmulator({
      clients: [{ clientId, clientSecret, name: "Container test", type: "github-app", expiringTokens: true, callbackUrls: [{ url: `http://127.0.0.1:${port}/auth/github/callback`, wildcard: false }] }],
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
    for (const name of Object.keys(manifest.devDependencies)) expect(existsSync(join(runtimeDir, "node_modules", name))).toBe(false);
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
});
