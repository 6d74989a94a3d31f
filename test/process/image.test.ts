// The image itself, built from the Dockerfile as it is with Podman and run the way the README runs
// it (read-only, an init, no-new-privileges), against the test run's Redis and a GitHub emulator on
// this machine's loopback (--network host); then docker-compose.yml, unchanged, with podman-compose.
//
// No registry serves base images here: the Dockerfile's FROM is a local stand-in (Debian bookworm
// minbase with this machine's Node and npm, a `node` user and the CA bundle; see
// test/support/podman.ts for what differs from the official node:20-bookworm-slim), made once and
// then reused, as is the stand-in for the compose file's Redis. In CI (.ci/run sets
// GLS_CONTAINER_TESTS=required) a machine where Podman cannot run fails these tests; elsewhere they
// are skipped with the reason.
import { randomBytes } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { approveAtEmulator, startEmulator, type RunningEmulator } from "../support/emulator-server.js";
import { eventually } from "../support/eventually.js";
import { CookieClient, PROJECT_ROOT, productionEnvironment } from "../support/process.js";
import { APP_IMAGE, buildAppImage, containersRequired, engineProblem, ensureBaseImage, ensureRedisImage, podman, podmanCompose, qualified, baseImageName } from "../support/podman.js";
import { freePort, startRedisServer, stopRedisServer } from "../support/redis-server.js";
import { testRedisUrl } from "../support/stack.js";

const problem = await engineProblem();
const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(0)} s`;
/** One line on stderr per figure worth keeping (build time, image size), outside jest's console capture. */
const note = (line: string) => process.stderr.write(`container tests: ${line}\n`);

if (problem && containersRequired) {
  test("the container engine runs (required in CI)", () => {
    throw new Error(`the container tests cannot run: ${problem}`);
  });
} else if (problem) {
  note(`skipped: ${problem}`);
  test.skip(`the image and docker-compose.yml (skipped: ${problem})`, () => {});
} else {
  describeImage();
  describeCompose();
}

/** Runs `podman run -d` with the README's flags; returns the container's name. */
async function runContainer(env: Record<string, string>): Promise<string> {
  const name = `gls-image-test-${randomBytes(4).toString("hex")}`;
  const flags = ["--network", "host", "--init", "--read-only", "--tmpfs", "/tmp", "--security-opt", "no-new-privileges:true", "--stop-timeout", "30"];
  await podman(["run", "-d", "--name", name, ...flags, ...Object.entries(env).flatMap(([key, value]) => ["-e", `${key}=${value}`]), APP_IMAGE]);
  return name;
}

async function logsOf(name: string): Promise<string> {
  const logs = await podman(["logs", name], { allowFailure: true });
  return logs.stdout + logs.stderr;
}

async function waitForAnswer(url: string, container: string, status = 200): Promise<void> {
  await eventually(`${url} to answer ${status}`, async () => (await fetch(url)).status === status, {
    timeoutMs: 30_000,
    intervalMs: 200,
    detail: () => `(container ${container}; see podman logs)`,
  });
}

function describeImage(): void {
  describe("the image from the Dockerfile, run read-only with Podman", () => {
    let emulator: RunningEmulator;
    let container: string;
    let port: number;
    const clientId = "Iv23liImageTest000001";
    const clientSecret = randomBytes(20).toString("hex");
    const keyPrefix = `gls-image-${randomBytes(4).toString("hex")}:`;
    const others: string[] = [];

    beforeAll(async () => {
      const baseStarted = Date.now();
      const made = await ensureBaseImage();
      note(made ? `made the stand-in for ${baseImageName()} in ${seconds(baseStarted)}` : `reused the stand-in for ${baseImageName()}`);
      const buildStarted = Date.now();
      await buildAppImage();
      note(`podman build took ${seconds(buildStarted)}`);

      port = await freePort();
      emulator = await startEmulator({
        clients: [{ clientId, clientSecret, name: "Image test", type: "github-app", expiringTokens: true, callbackUrls: [{ url: `http://127.0.0.1:${port}/auth/github/callback`, wildcard: false }] }],
      });
      container = await runContainer(productionEnvironment({ port, githubUrl: emulator.url, clientId, clientSecret, redisUrl: testRedisUrl(), keyPrefix }));
      await waitForAnswer(`http://127.0.0.1:${port}/healthz`, container);
    }, 600_000);

    afterAll(async () => {
      for (const name of [container, ...others]) if (name) await podman(["rm", "--force", "--time", "0", name], { allowFailure: true });
      await emulator?.close();
    }, 60_000);

    test("runs as the node user (uid 1000), with the root filesystem read-only and /tmp writable", async () => {
      expect((await podman(["exec", container, "id", "-u"])).stdout.trim()).toBe("1000");
      expect((await podman(["exec", container, "id", "-un"])).stdout.trim()).toBe("node");
      const write = async (path: string) => (await podman(["exec", container, "sh", "-c", `echo x > ${path}`], { allowFailure: true })).code;
      expect(await write("/app/dist/server.js")).not.toBe(0);
      expect(await write("/app/written-by-the-app")).not.toBe(0);
      expect(await write("/tmp/scratch")).toBe(0);
      // NODE_ENV=production from the image; the process is node itself, under the init.
      expect((await podman(["exec", container, "printenv", "NODE_ENV"])).stdout.trim()).toBe("production");
      expect((await podman(["exec", container, "cat", "/proc/1/cmdline"])).stdout).not.toMatch(/^node/);
    }, 60_000);

    test("answers /healthz and /readyz, signs in against GitHub (emulator), passes /auth/check, signs out", async () => {
      const base = `http://127.0.0.1:${port}`;
      expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: "ok" });
      expect((await fetch(`${base}/readyz`)).status).toBe(200);

      const browser = new CookieClient();
      expect(await (await browser.fetch(`${base}/`)).text()).toContain("Sign in with GitHub");
      expect((await browser.fetch(`${base}/auth/check`)).status).toBe(401);
      const start = await browser.fetch(`${base}/auth/github?returnTo=/api/me`);
      expect(start.status).toBe(302);
      const callback = await browser.fetch((await approveAtEmulator(start.headers.get("location")!, { login: "monalisa" })).toString());
      expect(callback.status).toBe(303);
      expect(callback.headers.get("location")).toBe("/api/me");
      expect(((await (await browser.fetch(`${base}/api/me`)).json()) as { login: string }).login).toBe("monalisa");

      const check = await browser.fetch(`${base}/auth/check`);
      expect(check.status).toBe(204);
      expect(check.headers.get("x-auth-request-user")).toBe("monalisa");

      const signOut = await browser.fetch(`${base}/auth/logout`, { method: "POST", headers: { origin: base } });
      expect(signOut.status).toBe(303);
      expect((await browser.fetch(`${base}/auth/check`)).status).toBe(401);
      expect((await browser.fetch(`${base}/api/me`)).status).toBe(401);
    }, 60_000);

    test("keeps the Dockerfile's HEALTHCHECK (docker format), and `podman healthcheck run` passes", async () => {
      const healthcheck = JSON.parse((await podman(["image", "inspect", "--format", "{{json .Config.Healthcheck}}", APP_IMAGE])).stdout) as { Test: string[] } | null;
      expect(healthcheck?.Test.join(" ")).toMatch(/\/healthz/);
      // Podman runs timed checks through systemd; `healthcheck run` runs the image's check now.
      const run = await podman(["healthcheck", "run", container], { allowFailure: true });
      expect([run.code, run.stdout.trim()]).toEqual([0, ""]);
      expect((await podman(["inspect", "--format", "{{.State.Health.Status}}", container])).stdout.trim()).toBe("healthy");
    }, 60_000);

    test("holds the build output and production dependencies only, and stays small", async () => {
      const manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
      const listing = (await podman(["exec", container, "ls", "/app", "/app/node_modules", "/app/node_modules/@types"], { allowFailure: true })).stdout;
      for (const name of Object.keys(manifest.dependencies)) expect(listing).toContain(name.split("/")[0]);
      for (const name of ["typescript", "jest", "eslint", "ts-jest", "playwright-core", "autocannon", "supertest"]) expect(listing).not.toMatch(new RegExp(`^${name}$`, "m"));
      expect(listing.split("\n").filter((line) => ["src", "test", ".env", ".git"].includes(line))).toEqual([]);
      const size = async (image: string) => Number((await podman(["image", "inspect", "--format", "{{.Size}}", image])).stdout.trim());
      const ownBytes = (await size(APP_IMAGE)) - (await size(qualified(baseImageName())));
      note(`image ${((await size(APP_IMAGE)) / 1e6).toFixed(0)} MB, of which ${(ownBytes / 1e6).toFixed(1)} MB on top of the base`);
      expect(ownBytes).toBeLessThan(60e6);
    }, 60_000);

    test("started before its Redis, it keeps running, /readyz answers 503, then 200 once Redis is up", async () => {
      const redisPort = await freePort();
      const appPort = await freePort();
      const name = await runContainer({
        ...productionEnvironment({ port: appPort, githubUrl: emulator.url, clientId, clientSecret, redisUrl: `redis://127.0.0.1:${redisPort}`, keyPrefix }),
      });
      others.push(name);
      const base = `http://127.0.0.1:${appPort}`;
      await waitForAnswer(`${base}/healthz`, name);
      expect((await fetch(`${base}/readyz`)).status).toBe(503);
      const redis = await startRedisServer(redisPort);
      try {
        await waitForAnswer(`${base}/readyz`, name);
        expect((await podman(["inspect", "--format", "{{.State.Running}}", name])).stdout.trim()).toBe("true");
      } finally {
        await stopRedisServer(redis);
      }
    }, 90_000);

    test("`podman stop` (SIGTERM) ends it cleanly: exit code 0", async () => {
      await podman(["stop", "--time", "30", container]);
      expect((await podman(["inspect", "--format", "{{.State.ExitCode}}", container])).stdout.trim()).toBe("0");
      const logs = await logsOf(container);
      expect(logs).toContain('"signal":"SIGTERM"');
      expect(logs).toContain("shut down");
    }, 60_000);
  });
}

function describeCompose(): void {
  describe("docker-compose.yml, unchanged, with podman-compose (demo mode, sessions in the compose Redis)", () => {
    const compose = parseYaml(readFileSync(join(PROJECT_ROOT, "docker-compose.yml"), "utf8")) as { services: Record<string, { image?: string }> };
    const project = `glscompose${randomBytes(3).toString("hex")}`;
    let directory: string;
    let port: number;

    beforeAll(async () => {
      const started = Date.now();
      const made = await ensureRedisImage(compose.services.redis!.image!);
      if (made) note(`made the Redis stand-in in ${seconds(started)}`);
      await buildAppImage(compose.services.app!.image!);
      // The compose file as it is, next to the .env the README's demo mode asks for.
      directory = mkdtempSync(join(tmpdir(), "gls-compose-"));
      copyFileSync(join(PROJECT_ROOT, "docker-compose.yml"), join(directory, "docker-compose.yml"));
      port = await freePort();
      writeFileSync(join(directory, ".env"), `NODE_ENV=development\nPORT=${port}\n`);
      const upStarted = Date.now();
      await podmanCompose(["-p", project, "up", "-d", "--no-build"], directory);
      await waitForAnswer(`http://127.0.0.1:${port}/readyz`, `${project}_app_1`);
      note(`podman-compose up to /readyz 200 in ${seconds(upStarted)}`);
    }, 600_000);

    afterAll(async () => {
      if (directory) {
        await podmanCompose(["-p", project, "down", "-v", "-t", "30"], directory).catch(() => undefined);
        rmSync(directory, { recursive: true, force: true });
      }
    }, 120_000);

    test("the config check passed, and a browser signs in through /_emulator on the published port", async () => {
      expect((await podman(["logs", `${project}_config-check_1`])).stdout).toContain("configuration OK");
      const base = `http://localhost:${port}`;
      const browser = new CookieClient();
      expect(await (await browser.fetch(`${base}/`)).text()).toContain("Demo mode");
      const start = await browser.fetch(`${base}/auth/github`);
      const callback = await browser.fetch((await approveAtEmulator(start.headers.get("location")!, { login: "octocat" })).toString());
      expect(callback.status).toBe(303);
      expect(((await (await browser.fetch(`${base}/api/me`)).json()) as { login: string }).login).toBe("octocat");
      expect((await browser.fetch(`${base}/auth/check`)).status).toBe(204);
      // The session is in the compose Redis (append-only, in its volume).
      const keys = (await podman(["exec", `${project}_redis_1`, "redis-cli", "--scan", "--pattern", "gls:sess:*"])).stdout.trim().split("\n").filter(Boolean);
      expect(keys.length).toBe(1);
      expect((await podman(["exec", `${project}_redis_1`, "redis-cli", "config", "get", "appendonly"])).stdout).toMatch(/yes/);
      // What podman-compose does not do for the app, the app does on its own: it waits for Redis.
      expect((await podman(["exec", `${project}_app_1`, "id", "-u"])).stdout.trim()).toBe("1000");
    }, 90_000);

    test("stopping the project stops the app cleanly (exit 0)", async () => {
      await podmanCompose(["-p", project, "stop", "-t", "30"], directory);
      expect((await podman(["inspect", "--format", "{{.State.ExitCode}}", `${project}_app_1`])).stdout.trim()).toBe("0");
    }, 120_000);
  });
}
