// The built server as a process: `node dist/server.js` exactly as `npm start` and the container run it.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { approveAtEmulator, startEmulator, type RunningEmulator } from "../support/emulator-server.js";
import { freePort } from "../support/redis-server.js";
import {
  buildServer,
  CookieClient,
  PROJECT_ROOT,
  productionEnvironment,
  runServer,
  waitForHealthy,
  type ServerProcess,
} from "../support/process.js";
import { readAllKeys, testRedisUrl } from "../support/stack.js";

beforeAll(() => buildServer(), 60_000);

test("configuration problems are all printed and the process exits non-zero before listening", async () => {
  const port = await freePort();
  const server = runServer({
    NODE_ENV: "production",
    PORT: String(port),
    SESSION_IDLE_TIMEOUT: "forever",
    TOKEN_ENCRYPTION_KEY: "too-short",
    TRUST_PROXY: "true",
  });
  expect(await server.exited).toBe(1);
  const output = server.output();
  for (const problem of [
    "SESSION_IDLE_TIMEOUT",
    "TOKEN_ENCRYPTION_KEY",
    "GITHUB_CLIENT_ID",
    "REDIS_URL",
    "demo mode",
    "TRUST_PROXY: trusts every sender",
  ]) {
    expect(output).toContain(problem);
  }
  expect(output).not.toContain("too-short");
  await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
});

// Working folders for processes that must not see this checkout's .env: one with nothing in it,
// one with a .env a test writes. Removed when the file is done.
const scratch = mkdtempSync(join(tmpdir(), "gls-check-"));
const emptyFolder = mkdtempSync(join(scratch, "empty-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The exit code, or "still running" (and then stopped) if the process has not exited within `ms`. */
async function exitCodeWithin(server: ServerProcess, ms = 10_000): Promise<number | null | "still running"> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"still running">((resolve) => (timer = setTimeout(() => resolve("still running"), ms)));
  const code = await Promise.race([server.exited, timeout]);
  clearTimeout(timer);
  if (code === "still running") await server.stop();
  return code;
}

test('--check-config: prints every problem and exits 1, or "configuration OK" and the warnings and exits 0; never listens or connects to Redis', async () => {
  // A stand-in for Redis that only counts who connects to it.
  const connections: Socket[] = [];
  const fakeRedis = createServer((socket) => connections.push(socket));
  await new Promise<void>((resolve) => fakeRedis.listen(0, "127.0.0.1", resolve));
  const redisUrl = `redis://127.0.0.1:${(fakeRedis.address() as { port: number }).port}`;
  try {
    const badPort = await freePort();
    const refused = runServer(
      {
        NODE_ENV: "production",
        PORT: String(badPort),
        REDIS_URL: redisUrl,
        SESSION_IDLE_TIMEOUT: "forever",
        TOKEN_ENCRYPTION_KEY: "too-short",
        TRUST_PROXY: "true",
      },
      { cwd: emptyFolder, args: [join(PROJECT_ROOT, "dist/server.js"), "--check-config"] },
    );
    expect(await exitCodeWithin(refused)).toBe(1);
    for (const problem of [
      "SESSION_IDLE_TIMEOUT",
      "TOKEN_ENCRYPTION_KEY",
      "GITHUB_CLIENT_ID",
      "SESSION_SECRET",
      "PUBLIC_URL",
      "TRUST_PROXY: trusts every sender",
    ]) {
      expect(refused.output()).toContain(problem);
    }
    expect(refused.output()).not.toContain("configuration OK");
    await expect(fetch(`http://127.0.0.1:${badPort}/healthz`)).rejects.toThrow();

    // The good configuration comes from a .env in the working directory, as the server reads it.
    const goodPort = await freePort();
    const directory = mkdtempSync(join(scratch, "env-"));
    const environment: Record<string, string> = {
      ...productionEnvironment({
        port: goodPort,
        githubUrl: "https://github.example.com",
        clientId: "Iv23liCheckConfig001",
        clientSecret: "s".repeat(40),
        redisUrl,
        keyPrefix: "gls:",
      }),
      TRUST_PROXY: "loopback",
    };
    writeFileSync(
      join(directory, ".env"),
      Object.entries(environment)
        .map(([name, value]) => `${name}=${value}`)
        .join("\n") + "\n",
    );
    const accepted = runServer({}, { cwd: directory, args: [join(PROJECT_ROOT, "dist/server.js"), "--check-config"] });
    expect(await exitCodeWithin(accepted)).toBe(0);
    const lines = accepted.output().split("\n");
    expect(lines.filter((line) => line.includes("configuration OK"))).toHaveLength(1);
    expect(accepted.output()).toContain("METRICS_TOKEN is not set"); // a warning, told with the verdict
    expect(accepted.output()).not.toContain("Listening");
    expect(accepted.output()).not.toContain(environment.SESSION_SECRET!);
    await expect(fetch(`http://127.0.0.1:${goodPort}/healthz`)).rejects.toThrow();

    // Demo mode passes the check too (outside production), with its warnings.
    const demo = runServer(
      { PORT: String(await freePort()) },
      { cwd: emptyFolder, args: [join(PROJECT_ROOT, "dist/server.js"), "--check-config"] },
    );
    expect(await exitCodeWithin(demo)).toBe(0);
    expect(demo.output()).toContain("configuration OK");
    expect(demo.output()).toContain("Demo mode");
    expect(connections).toHaveLength(0);
  } finally {
    for (const socket of connections) socket.destroy();
    await new Promise((resolve) => fakeRedis.close(resolve));
  }
});

test("an unknown argument is refused in one line, with exit code 2, before anything starts", async () => {
  const port = await freePort();
  const server = runServer({ PORT: String(port) }, { cwd: emptyFolder, args: [join(PROJECT_ROOT, "dist/server.js"), "--chek-config"] });
  expect(await exitCodeWithin(server)).toBe(2);
  expect(server.output().trim().split("\n")).toEqual([expect.stringContaining("--chek-config")]);
  expect(server.output()).toContain("--check-config");
  await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
});

test("demo mode is refused under NODE_ENV=production", async () => {
  const server = runServer({ NODE_ENV: "production", PORT: String(await freePort()) });
  expect(await server.exited).toBe(1);
  expect(server.output()).toMatch(/demo mode .* refused/);
});

test("demo mode: with nothing configured, a browser signs in through /_emulator and sees its profile", async () => {
  const port = await freePort();
  const server = runServer({ PORT: String(port) });
  try {
    const base = `http://localhost:${port}`;
    await waitForHealthy(base, server);
    const browser = new CookieClient();
    const home = await browser.fetch(`${base}/`);
    const homePage = await home.text();
    expect(homePage).toContain("Demo mode");
    expect(homePage).toContain('href="/auth/github"');

    const start = await browser.fetch(`${base}/auth/github`);
    expect(start.status).toBe(302);
    const authorizeUrl = start.headers.get("location")!;
    expect(authorizeUrl.startsWith(`${base}/_emulator/login/oauth/authorize?`)).toBe(true);
    const consent = await fetch(authorizeUrl);
    expect(consent.status).toBe(200);
    expect(await consent.text()).toContain("Authorize");

    const callbackUrl = await approveAtEmulator(authorizeUrl, { login: "octocat" });
    expect(callbackUrl.origin).toBe(base);
    const callback = await browser.fetch(callbackUrl.toString());
    expect(callback.status).toBe(303);
    const profile = await (await browser.fetch(`${base}${callback.headers.get("location")}`)).text();
    expect(profile).toContain("The Octocat");
    expect(profile).toContain('action="/auth/logout"');
    const me = (await (await browser.fetch(`${base}/api/me`)).json()) as { login: string };
    expect(me.login).toBe("octocat");
    expect(server.output()).toMatch(/Demo mode/);
  } finally {
    await server.stop();
  }
});

describe("production-style run against Redis and a GitHub (emulator) on loopback", () => {
  let emulator: RunningEmulator;
  const keyPrefix = `gls-proc-${randomBytes(4).toString("hex")}:`;
  const clientId = "Iv23liProcessTest0001";
  const clientSecret = randomBytes(20).toString("hex");
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    emulator = await startEmulator({
      clients: [
        {
          clientId,
          clientSecret,
          name: "Process test",
          type: "github-app",
          expiringTokens: true,
          callbackUrls: [{ url: `http://127.0.0.1:${port}/auth/github/callback`, wildcard: false }],
        },
      ],
    });
  });
  afterAll(() => emulator.close());

  test("the whole flow works, Redis holds the session, and no token is in Redis in plain text", async () => {
    const server = runServer(
      productionEnvironment({ port, githubUrl: emulator.url, clientId, clientSecret, redisUrl: testRedisUrl(), keyPrefix }),
    );
    const redis = new Redis(testRedisUrl());
    try {
      const base = `http://127.0.0.1:${port}`;
      await waitForHealthy(base, server);
      expect((await fetch(`${base}/readyz`)).status).toBe(200);
      const browser = new CookieClient();
      const start = await browser.fetch(`${base}/auth/github?returnTo=/api/me`);
      const callbackUrl = await approveAtEmulator(start.headers.get("location")!, { login: "monalisa" });
      const callback = await browser.fetch(callbackUrl.toString());
      expect(callback.status).toBe(303);
      expect(callback.headers.get("location")).toBe("/api/me");
      const me = (await (await browser.fetch(`${base}/api/me`)).json()) as { login: string };
      expect(me.login).toBe("monalisa");

      const keys: string[] = [];
      let cursor = "0";
      do {
        const [next, batch] = await redis.scan(cursor, "MATCH", `${keyPrefix}*`, "COUNT", 100);
        cursor = next;
        keys.push(...batch);
      } while (cursor !== "0");
      expect(keys.some((key) => key.startsWith(`${keyPrefix}sess:`))).toBe(true);
      const values = [...(await readAllKeys(redis, keyPrefix)).values()];
      expect(values.length).toBe(keys.length);
      const tokens = [...emulator.emulator.issuedAccessTokens(), ...emulator.emulator.issuedRefreshTokens()];
      expect(tokens).toHaveLength(2);
      for (const token of tokens) {
        for (const value of values) expect(value).not.toContain(token);
        expect(server.output()).not.toContain(token);
      }
    } finally {
      redis.disconnect();
      await server.stop();
    }
  });

  test("SIGTERM: the process stops listening and exits 0", async () => {
    const sigtermPort = await freePort();
    const server = runServer({ PORT: String(sigtermPort), HOST: "127.0.0.1" });
    await waitForHealthy(`http://127.0.0.1:${sigtermPort}`, server);
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
  });
});
