// Gives every test file a real Redis: a private redis-server on a free port when one is on PATH,
// else the Redis at REDIS_URL. Test files read its address from GLS_TEST_REDIS_URL.
import { Redis } from "ioredis";
import { startRedisServer } from "./redis-server.js";

const HOW_TO_GET_REDIS =
  "Tests need Redis: install redis-server (apt-get install redis-server) or set REDIS_URL to a Redis the tests may write to.";

/** @param {string} url */
async function canPing(url) {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000, retryStrategy: () => null });
  client.on("error", () => {});
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

export default async function globalSetup() {
  try {
    const redis = await startRedisServer();
    /** @type {any} */ (globalThis).__glsTestRedis = redis;
    process.env.GLS_TEST_REDIS_URL = redis.url;
    return;
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error).code !== "ENOENT") throw error;
  }
  const fallback = process.env.REDIS_URL;
  if (fallback && (await canPing(fallback))) {
    process.env.GLS_TEST_REDIS_URL = fallback;
    return;
  }
  throw new Error(HOW_TO_GET_REDIS);
}
