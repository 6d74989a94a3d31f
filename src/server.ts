// Composition root: the only place that reads process.env, connects to Redis, listens and handles
// signals. Run with `node dist/server.js` (or `npm start`, which builds first);
// `node dist/server.js --check-config` only validates the configuration (compose runs it first).
import { createServer, type Server } from "node:http";
import type { Express } from "express";
import { createApp } from "./app.js";
import { BackgroundTasks } from "./background-tasks.js";
import { systemClock } from "./clock.js";
import type { Config } from "./config/config.js";
import { SHUTDOWN_GRACE_MS, trackInFlightRequests } from "./drain-connections.js";
import { createLogger, terminalDestination } from "./logger.js";
import { createMetrics } from "./metrics.js";
import { readConfiguration } from "./read-configuration.js";
import { buildServices } from "./services.js";
import { memoryBackend, redisBackend } from "./store/backend.js";
import { createRedisConnection, isRedisConfigured, whenReady, type RedisConnection } from "./store/redis-client.js";

const REDIS_QUIT_TIMEOUT_MS = 2_000;

/**
 * `--check-config`: validate, print the verdict and the warnings, exit (0 when the server would
 * start). Nothing connects or listens, so a container can run it before the server itself.
 */
function checkConfiguration(): never {
  const config = readConfiguration();
  for (const warning of config.warnings) console.log(`warning: ${warning}`);
  console.log("github-login-server: configuration OK");
  process.exit(0);
}

async function main(): Promise<void> {
  const [argument, ...more] = process.argv.slice(2);
  if (argument === "--check-config" && more.length === 0) checkConfiguration();
  if (argument !== undefined) {
    console.error(`github-login-server: unknown argument "${[argument, ...more].join(" ")}" (the only one is --check-config)`);
    process.exit(2);
  }
  const config = readConfiguration();
  const logger = createLogger(config.logLevel, terminalDestination(config.production));
  for (const warning of config.warnings) logger.warn(warning);

  const redis: RedisConnection | null = isRedisConfigured(config.redis) ? createRedisConnection(config.redis) : null;
  if (redis) {
    redis.on("error", (error: Error) => logger.warn({ err: { message: error.message } }, "Redis connection problem"));
    if (!(await whenReady(redis, 5_000))) logger.error("Redis is not reachable yet: starting anyway, /readyz answers 503 until it is");
  }

  const metrics = createMetrics({ processMetrics: true });
  const background = new BackgroundTasks(logger);
  const storage = redis ? redisBackend(redis, config.redis.keyPrefix, systemClock) : memoryBackend(systemClock);
  const services = buildServices(config, { storage, clock: systemClock, logger, metrics, background });
  const app = createApp(services, config.demoMode ? { emulatorApp: await demoEmulator(config) } : {});

  const server = createServer(app).listen(config.port, config.host, () => {
    logger.info(
      { publicUrl: config.publicUrl, demoMode: config.demoMode },
      `Listening on ${config.host}:${config.port}; open ${config.publicUrl}`,
    );
  });
  server.on("error", (error) => {
    logger.fatal({ err: { message: error.message } }, "could not listen");
    process.exit(1);
  });
  handleShutdown(server, background, redis, logger);
}

/**
 * Demo mode's GitHub: the emulator package, loaded here and only here, so that production mode never
 * loads it (nor needs it installed). The configuration owns the demo client's credentials.
 */
async function demoEmulator(config: Config): Promise<Express> {
  const { createEmulator, demoClient } = await import("@github-login-server/github-emulator");
  return createEmulator({ clients: [demoClient(config.callbackUrl, config.github)], webBaseUrl: config.github.baseUrl }).app;
}

function handleShutdown(
  server: Server,
  background: BackgroundTasks,
  redis: RedisConnection | null,
  logger: ReturnType<typeof createLogger>,
): void {
  const inFlight = trackInFlightRequests(server);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    // The listener closes inside drain(), synchronously: once this line is written, new
    // connections are already refused.
    const draining = inFlight.drain(SHUTDOWN_GRACE_MS);
    logger.info({ signal }, "shutting down: refusing new connections, finishing in-flight requests");
    const drained = await draining;
    if (!drained) logger.warn({ graceMs: SHUTDOWN_GRACE_MS }, "in-flight requests did not finish in time; they were cut off");
    // Revalidations requests started; each is bounded by GITHUB_TIMEOUT, so this wait is too.
    await background.idle();
    if (redis) await quitRedis(redis);
    logger.info("shut down");
    process.exit(drained ? 0 : 1);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

/** QUIT lets Redis finish what it was sent; if Redis does not answer, just drop the connection. */
async function quitRedis(redis: RedisConnection): Promise<void> {
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, REDIS_QUIT_TIMEOUT_MS).unref());
  await Promise.race([
    redis.quit().then(
      () => undefined,
      () => undefined,
    ),
    timeout,
  ]);
  redis.disconnect();
}

main().catch((error: unknown) => {
  console.error("github-login-server failed to start:", error instanceof Error ? error.message : error);
  process.exit(1);
});
