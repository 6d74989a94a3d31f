import { stopRedisServer } from "./redis-server.js";

export default async function globalTeardown() {
  const redis = /** @type {any} */ (globalThis).__glsTestRedis;
  if (redis) await stopRedisServer(redis);
}
