// A complete server for one test: the real app, built as server.ts builds it (buildServices, then
// createApp), on real Redis, talking over HTTP to a GitHub emulator on a free port. Each stack gets its own key prefix, so test files can share the
// run's redis-server without seeing each other's keys.
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { createApp, type RequestListener } from "../../src/app.js";
import { systemClock, type Clock } from "../../src/clock.js";
import type { Config } from "../../src/config/config.js";
import { loadConfig } from "../../src/config/load-config.js";
import type { EmulatorClient } from "@github-login-server/github-emulator";
import { createLogger } from "../../src/logger.js";
import type { BackgroundTasks } from "../../src/background-tasks.js";
import { buildServices } from "../../src/services.js";
import { redisBackend } from "../../src/store/backend.js";
import { createRedisConnection, whenReady, type RedisConnection } from "../../src/store/redis-client.js";
import type { Locks } from "../../src/store/locks.js";
import { startEmulator, type RunningEmulator } from "./emulator-server.js";

export const TEST_PUBLIC_URL = "http://app.test:3000";
export const TEST_CLIENT_ID = "Iv23liTestClient00001";
export const TEST_CLIENT_SECRET = "test-client-secret-0123456789abcdef";

export interface TestStackOptions {
  clientType?: "oauth-app" | "github-app";
  /** Defaults: true for GitHub Apps, false for OAuth Apps (as on GitHub). */
  expiringTokens?: boolean;
  /** Extra or overriding environment variables for the server's configuration. */
  env?: Record<string, string>;
  clock?: Clock;
  /** Redis URL for the server; defaults to the test run's redis-server. */
  redisUrl?: string;
  /** Replaces the Redis locks (e.g. with one that never excludes anyone, to force a lost race). */
  locks?: Locks;
}

/** The server as node:http calls it (createApp's front door); supertest takes it as it is. */
export type App = RequestListener;

export interface TestStack {
  app: App;
  config: Config;
  emulator: RunningEmulator;
  /** A separate connection for the test's own look into Redis. */
  redis: Redis;
  keyPrefix: string;
  /** Every log line the server wrote. */
  logs: string[];
  /** Resolves when the work requests started in the background (revalidations) has settled, on every instance. */
  settled(): Promise<void>;
  /** Another instance of the server on the same Redis, GitHub and configuration (a load-balanced pair). */
  anotherInstance(): Promise<App>;
  /** The server restarted on the same Redis and GitHub with some variables changed (e.g. rotated secrets). */
  restartedWith(env: Record<string, string>): Promise<{ app: App; config: Config }>;
  /** The environment the server was configured from. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export function testRedisUrl(): string {
  const url = process.env.GLS_TEST_REDIS_URL;
  if (!url) throw new Error("GLS_TEST_REDIS_URL is not set: run the tests with `npm test`");
  return url;
}

export function testEnvironment(emulatorUrl: string, keyPrefix: string, redisUrl: string): Record<string, string> {
  return {
    PUBLIC_URL: TEST_PUBLIC_URL,
    GITHUB_CLIENT_ID: TEST_CLIENT_ID,
    GITHUB_CLIENT_SECRET: TEST_CLIENT_SECRET,
    GITHUB_BASE_URL: emulatorUrl,
    GITHUB_API_URL: `${emulatorUrl}/api/v3`,
    GITHUB_TIMEOUT: "3s",
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: keyPrefix,
    SESSION_SECRET: randomBytes(32).toString("base64url"),
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    LOG_LEVEL: "info",
    // Tests sign in hundreds of times from one address; the limit itself has its own tests.
    AUTH_RATE_LIMIT: "100000/1m",
  };
}

export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack> {
  const clock = options.clock ?? systemClock;
  const clientType = options.clientType ?? "github-app";
  const client: EmulatorClient = {
    clientId: TEST_CLIENT_ID,
    clientSecret: TEST_CLIENT_SECRET,
    name: "Test login server",
    type: clientType,
    expiringTokens: options.expiringTokens ?? clientType === "github-app",
    callbackUrls: [{ url: `${TEST_PUBLIC_URL}/auth/github/callback`, wildcard: false }],
  };
  const emulator = await startEmulator({ clients: [client], clock });
  const keyPrefix = `gls-test-${randomBytes(6).toString("hex")}:`;
  const redisUrl = options.redisUrl ?? testRedisUrl();
  const env = { ...testEnvironment(emulator.url, keyPrefix, redisUrl), ...options.env };
  const configFrom = (variables: Record<string, string>): Config => {
    const result = loadConfig(variables);
    if (!result.ok) throw new Error(`test configuration is invalid: ${result.errors.join("; ")}`);
    return result.config;
  };
  const config = configFrom(env);

  const connections: RedisConnection[] = [];
  const logs: string[] = [];
  const logger = createLogger(config.logLevel, { write: (line: string) => void logs.push(line) });
  const backgrounds: BackgroundTasks[] = [];
  const instance = async (instanceConfig: Config = config): Promise<App> => {
    // Each instance has its own connection, as separate processes would.
    const serverRedis = createRedisConnection(instanceConfig.redis);
    serverRedis.on("error", () => {});
    connections.push(serverRedis);
    await whenReady(serverRedis, 5_000);
    const storage = { ...redisBackend(serverRedis, keyPrefix, clock), ...(options.locks ? { locks: options.locks } : {}) };
    const services = buildServices(instanceConfig, { storage, clock, logger });
    backgrounds.push(services.background);
    return onLoginHostByDefault(createApp(services), instanceConfig);
  };
  const app = await instance();
  const redis = new Redis(testRedisUrl());
  return {
    app,
    config,
    emulator,
    redis,
    keyPrefix,
    logs,
    env,
    async settled() {
      await Promise.all(backgrounds.map((background) => background.idle()));
    },
    anotherInstance: () => instance(),
    async restartedWith(changes) {
      const restartedConfig = configFrom({ ...env, ...changes });
      return { app: await instance(restartedConfig), config: restartedConfig };
    },
    async close() {
      for (const connection of connections) connection.disconnect();
      redis.disconnect();
      await emulator.close();
    },
  };
}

const SUPERTEST_DEFAULT_HOST = /^127\.0\.0\.1:\d+$/;

/**
 * supertest sends `Host: 127.0.0.1:<its port>`, a host this server does not serve (SPEC §6: only
 * PUBLIC_URL's host and PROTECTED_HOSTS). Such requests are given PUBLIC_URL's host, as a browser at
 * the login host would send; a test that sets its own Host (a protected or an unknown host) keeps it.
 */
export function onLoginHostByDefault(app: App, config: Config): App {
  const loginHost = new URL(config.publicUrl).host;
  return (request, response) => {
    if (SUPERTEST_DEFAULT_HOST.test(request.headers.host ?? "")) request.headers.host = loginHost;
    app(request, response);
  };
}

/** Every key this stack wrote, with its value as text (sorted sets as their members). */
export async function redisEntries(stack: TestStack): Promise<Map<string, string>> {
  return readAllKeys(stack.redis, stack.keyPrefix);
}

export async function readAllKeys(redis: Redis, keyPrefix: string): Promise<Map<string, string>> {
  const keys = await redis.keys(`${keyPrefix}*`);
  const entries = new Map<string, string>();
  for (const key of keys) {
    const type = await redis.type(key);
    const value = type === "zset" ? (await redis.zrange(key, "0", "-1")).join(",") : type === "string" ? await redis.get(key) : `(${type})`;
    entries.set(key, value ?? "");
  }
  return entries;
}
