// The image itself, built from the Dockerfile as it is with Podman and run the way the README runs
// it (read-only, an init, no-new-privileges), against the test run's Redis and a GitHub emulator on
// this machine's loopback (--network host); then docker-compose.yml, unchanged, with podman-compose
// (which builds the image in the OCI format and ignores depends_on conditions).
//
// No registry serves base images here: the Dockerfile's FROM and the compose file's Redis are local
// stand-ins made by scripts/offline-images.sh (the script people run; what differs from the
// official images is written there), made once and then reused. In CI (.ci/run sets
// GLS_CONTAINER_TESTS=required) a machine where Podman cannot run fails these tests; elsewhere they
// are skipped with the reason. Run time here (2 cores): about 35 s once the stand-ins exist and
// podman's layer cache is warm; about 2.3 min on a first run (the stand-ins about 40 s, then the two
// builds, the Dockerfile's docker format and podman-compose's OCI one, about 30 s each).
import { randomBytes } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { approveAtEmulator, startEmulator, type RunningEmulator } from "../support/emulator-server.js";
import { eventually } from "../support/eventually.js";
import { CookieClient, PROJECT_ROOT, productionEnvironment } from "../support/process.js";
import {
  APP_IMAGE,
  buildAppImage,
  containersRequired,
  engineProblem,
  ensureStandIns,
  podman,
  podmanCompose,
  standInNames,
} from "../support/podman.js";
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
  const flags = [
    "--network",
    "host",
    "--init",
    "--read-only",
    "--tmpfs",
    "/tmp",
    "--security-opt",
    "no-new-privileges:true",
    "--stop-timeout",
    "30",
  ];
  await podman([
    "run",
    "-d",
    "--name",
    name,
    ...flags,
    ...Object.entries(env).flatMap(([key, value]) => ["-e", `${key}=${value}`]),
    APP_IMAGE,
  ]);
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
      for (const line of await ensureStandIns()) note(line);
      const buildStarted = Date.now();
      await buildAppImage();
      note(`podman build took ${seconds(buildStarted)}`);

      port = await freePort();
      emulator = await startEmulator({
        clients: [
          {
            clientId,
            clientSecret,
            name: "Image test",
            type: "github-app",
            expiringTokens: true,
            callbackUrls: [{ url: `http://127.0.0.1:${port}/auth/github/callback`, wildcard: false }],
          },
        ],
      });
      container = await runContainer(
        productionEnvironment({ port, githubUrl: emulator.url, clientId, clientSecret, redisUrl: testRedisUrl(), keyPrefix }),
      );
      await waitForAnswer(`http://127.0.0.1:${port}/healthz`, container);
    }, 600_000);

    afterAll(async () => {
      for (const name of [container, ...others]) if (name) await podman(["rm", "--force", "--time", "0", name], { allowFailure: true });
      await emulator?.close();
    }, 60_000);

    test("runs as the node user (uid 1000), with the root filesystem read-only and /tmp writable", async () => {
      expect((await podman(["exec", container, "id", "-u"])).stdout.trim()).toBe("1000");
      expect((await podman(["exec", container, "id", "-un"])).stdout.trim()).toBe("node");
      const write = async (path: string) =>
        (await podman(["exec", container, "sh", "-c", `echo x > ${path}`], { allowFailure: true })).code;
      expect(await write("/app/dist/server.js")).not.toBe(0);
      expect(await write("/app/written-by-the-app")).not.toBe(0);
      expect(await write("/tmp/scratch")).toBe(0);
      // NODE_ENV=production from the image; the process is node itself, under the init.
      expect((await podman(["exec", container, "printenv", "NODE_ENV"])).stdout.trim()).toBe("production");
      expect((await podman(["exec", container, "cat", "/proc/1/cmdline"])).stdout).not.toMatch(/^node/);
    }, 60_000);

    test("runs the Node major the Dockerfile's FROM names (24 LTS), with its npm", async () => {
      const wanted = standInNames().node;
      const version = (await podman(["exec", container, "node", "--version"])).stdout.trim();
      note(`the image runs Node ${version}`);
      expect(version.startsWith(`v${wanted}.`)).toBe(true);
      expect(version).toMatch(/^v24\./);
      expect((await podman(["exec", container, "npm", "--version"])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
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
      const healthcheck = JSON.parse(
        (await podman(["image", "inspect", "--format", "{{json .Config.Healthcheck}}", APP_IMAGE])).stdout,
      ) as { Test: string[] } | null;
      expect(healthcheck?.Test.join(" ")).toMatch(/\/healthz/);
      // Podman runs timed checks through systemd; `healthcheck run` runs the image's check now.
      const run = await podman(["healthcheck", "run", container], { allowFailure: true });
      expect([run.code, run.stdout.trim()]).toEqual([0, ""]);
      expect((await podman(["inspect", "--format", "{{.State.Health.Status}}", container])).stdout.trim()).toBe("healthy");
    }, 60_000);

    test("holds the build output and production dependencies only, and stays small", async () => {
      const manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as {
        dependencies: Record<string, string>;
        devDependencies: Record<string, string>;
      };
      const listing = (
        await podman(["exec", container, "ls", "/app", "/app/node_modules", "/app/node_modules/@types"], { allowFailure: true })
      ).stdout;
      for (const name of Object.keys(manifest.dependencies)) expect(listing).toContain(name.split("/")[0]);
      for (const name of ["typescript", "jest", "eslint", "ts-jest", "playwright-core", "autocannon", "supertest"])
        expect(listing).not.toMatch(new RegExp(`^${name}$`, "m"));
      expect(listing.split("\n").filter((line) => ["src", "test", ".env", ".git"].includes(line))).toEqual([]);
      const size = async (image: string) => Number((await podman(["image", "inspect", "--format", "{{.Size}}", image])).stdout.trim());
      const ownBytes = (await size(APP_IMAGE)) - (await size(standInNames().base));
      note(`image ${((await size(APP_IMAGE)) / 1e6).toFixed(0)} MB, of which ${(ownBytes / 1e6).toFixed(1)} MB on top of the base`);
      expect(ownBytes).toBeLessThan(60e6);
    }, 60_000);

    test("started before its Redis, it keeps running, /readyz answers 503, then 200 once Redis is up", async () => {
      const redisPort = await freePort();
      const appPort = await freePort();
      const name = await runContainer({
        ...productionEnvironment({
          port: appPort,
          githubUrl: emulator.url,
          clientId,
          clientSecret,
          redisUrl: `redis://127.0.0.1:${redisPort}`,
          keyPrefix,
        }),
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
  describe("docker-compose.yml, unchanged, with podman-compose (its OCI build, the compose Redis)", () => {
    const compose = parseYaml(readFileSync(join(PROJECT_ROOT, "docker-compose.yml"), "utf8")) as {
      services: Record<string, { image?: string }>;
    };
    const project = `glscompose${randomBytes(3).toString("hex")}`;
    const app = `${project}_app_1`;
    let directory: string;
    let port: number;
    let buildOutput: string;

    beforeAll(async () => {
      for (const line of await ensureStandIns()) note(line);
      // As `podman-compose up` builds it when it is missing: from the checkout, every service that
      // has a `build:`, in podman's default (OCI) image format.
      const buildStarted = Date.now();
      buildOutput = (await podmanCompose(["-p", project, "build"], PROJECT_ROOT, 600_000)).stdout;
      note(`podman-compose build took ${seconds(buildStarted)}`);
      // The compose file as it is, next to the .env `cp .env.example .env` makes: unedited, but for
      // the port (this machine's 3000 may be taken).
      directory = mkdtempSync(join(tmpdir(), "gls-compose-"));
      copyFileSync(join(PROJECT_ROOT, "docker-compose.yml"), join(directory, "docker-compose.yml"));
      port = await freePort();
      writeFileSync(join(directory, ".env"), `${readFileSync(join(PROJECT_ROOT, ".env.example"), "utf8")}\nPORT=${port}\n`);
      await podmanCompose(["-p", project, "up", "-d", "--no-build"], directory);
    }, 900_000);

    afterAll(async () => {
      if (directory) {
        await podmanCompose(["-p", project, "down", "-v", "-t", "30"], directory).catch(() => undefined);
        rmSync(directory, { recursive: true, force: true });
      }
    }, 120_000);

    test("builds the image once: only the app service builds it", () => {
      expect(buildOutput.match(/^podman build /gm)).toEqual(["podman build "]);
      expect(buildOutput).toContain(`podman build -t ${compose.services.app!.image!} `);
    });

    test("with an unedited .env (production, unconfigured) the app lists the problems and waits, up and unhealthy, never restarted", async () => {
      let seen = "";
      await eventually(
        "the app's log to list the configuration's problems and the way out",
        async () => /SESSION_SECRET: required[^]*is NOT running/.test((seen = await logsOf(app))),
        {
          timeoutMs: 30_000,
          intervalMs: 200,
          detail: () => `(podman logs ${app}:\n${seen})`,
        },
      );
      // Podman restarts an exited container at once, whatever its restart policy: a loop shows
      // within seconds, as a restart count that climbs and a new start time.
      const states = new Set<string>();
      for (const deadline = Date.now() + 5_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 250))) {
        states.add(
          (
            await podman(["inspect", "--format", "restarts={{.RestartCount}} {{.State.Status}} since {{.State.StartedAt}}", app])
          ).stdout.trim(),
        );
      }
      expect([...states]).toEqual([expect.stringMatching(/^restarts=0 running since /)]);
      const logs = await logsOf(app);
      expect(logs.match(/the configuration has \d+ problem/g)).toHaveLength(1);
      for (const variable of ["SESSION_SECRET", "TOKEN_ENCRYPTION_KEY", "GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET", "PUBLIC_URL"])
        expect(logs).toContain(`${variable}: required`);
      expect(logs).toContain("up -d --force-recreate");
      const health = await podman(["healthcheck", "run", app], { allowFailure: true });
      expect([health.code, health.stdout.trim()]).toEqual([1, "unhealthy"]);
    }, 60_000);

    test("configured (demo mode) and recreated as that log says, it starts, and the compose file's healthcheck reports healthy", async () => {
      writeFileSync(join(directory, ".env"), `NODE_ENV=development\nPORT=${port}\n`);
      const upStarted = Date.now();
      await podmanCompose(["-p", project, "up", "-d", "--no-build", "--force-recreate"], directory);
      await waitForAnswer(`http://127.0.0.1:${port}/readyz`, app);
      note(`podman-compose up --force-recreate to /readyz 200 in ${seconds(upStarted)}`);
      expect(await logsOf(app)).toContain("configuration OK");
      // The OCI image podman-compose built has no HEALTHCHECK of its own: the one that passes is the compose file's.
      expect(
        (await podman(["image", "inspect", "--format", "{{json .Config.Healthcheck}}", compose.services.app!.image!])).stdout.trim(),
      ).toMatch(/^(null|)$/);
      // Podman runs timed checks through systemd; `healthcheck run` runs the container's check now.
      const health = await podman(["healthcheck", "run", app], { allowFailure: true });
      expect([health.code, health.stdout.trim()]).toEqual([0, ""]);
      expect((await podman(["inspect", "--format", "{{.State.Health.Status}}", app])).stdout.trim()).toBe("healthy");
    }, 120_000);

    test("a browser signs in through /_emulator on the published port; the session is in the compose Redis", async () => {
      const base = `http://localhost:${port}`;
      const browser = new CookieClient();
      expect(await (await browser.fetch(`${base}/`)).text()).toContain("Demo mode");
      const start = await browser.fetch(`${base}/auth/github`);
      const callback = await browser.fetch((await approveAtEmulator(start.headers.get("location")!, { login: "octocat" })).toString());
      expect(callback.status).toBe(303);
      expect(((await (await browser.fetch(`${base}/api/me`)).json()) as { login: string }).login).toBe("octocat");
      expect((await browser.fetch(`${base}/auth/check`)).status).toBe(204);
      // The session is in the compose Redis (append-only, in its volume).
      const keys = (await podman(["exec", `${project}_redis_1`, "redis-cli", "--scan", "--pattern", "gls:sess:*"])).stdout
        .trim()
        .split("\n")
        .filter(Boolean);
      expect(keys.length).toBe(1);
      expect((await podman(["exec", `${project}_redis_1`, "redis-cli", "config", "get", "appendonly"])).stdout).toMatch(/yes/);
      expect((await podman(["exec", app, "id", "-u"])).stdout.trim()).toBe("1000");
    }, 90_000);

    test("stopping the project stops the app cleanly: SIGTERM reaches Node through the init and the shell's exec (exit 0)", async () => {
      await podmanCompose(["-p", project, "stop", "-t", "30"], directory);
      expect((await podman(["inspect", "--format", "{{.State.ExitCode}}", app])).stdout.trim()).toBe("0");
      expect(await logsOf(app)).toContain('"signal":"SIGTERM"');
    }, 120_000);
  });
}
