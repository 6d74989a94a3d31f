// Where sessions live: one Redis URL, a Redis Cluster, or Redis Sentinels (never several at once),
// and the credentials each of them needs. No Redis at all means memory (demo mode and development).
import type { RedisConfig } from "./config.js";
import type { ParsedEnvironment } from "./schema.js";

export function redisConfig(env: ParsedEnvironment, errors: string[]): RedisConfig {
  checkRedisSettings(env, errors);
  return {
    url: env.REDIS_URL ?? null,
    clusterNodes: env.REDIS_CLUSTER_NODES,
    sentinels: env.REDIS_SENTINELS,
    sentinelName: env.REDIS_SENTINEL_NAME ?? "mymaster",
    username: env.REDIS_USERNAME ?? null,
    password: env.REDIS_PASSWORD ?? null,
    sentinelPassword: env.REDIS_SENTINEL_PASSWORD ?? null,
    keyPrefix: env.REDIS_KEY_PREFIX,
  };
}

function checkRedisSettings(env: ParsedEnvironment, errors: string[]): void {
  const redisChoices = [Boolean(env.REDIS_URL), env.REDIS_CLUSTER_NODES.length > 0, env.REDIS_SENTINELS.length > 0].filter(Boolean).length;
  if (redisChoices > 1) errors.push("REDIS_URL, REDIS_CLUSTER_NODES and REDIS_SENTINELS: set one of them, not several");
  if (env.REDIS_SENTINEL_NAME && env.REDIS_SENTINELS.length === 0) errors.push("REDIS_SENTINEL_NAME: set REDIS_SENTINELS too");
  if (env.REDIS_SENTINEL_PASSWORD && env.REDIS_SENTINELS.length === 0) errors.push("REDIS_SENTINEL_PASSWORD: set REDIS_SENTINELS too");
  if ((env.REDIS_USERNAME || env.REDIS_PASSWORD) && env.REDIS_URL) {
    errors.push("REDIS_USERNAME / REDIS_PASSWORD: with REDIS_URL, put the credentials in the URL (redis://user:password@host:6379)");
  } else if ((env.REDIS_USERNAME || env.REDIS_PASSWORD) && redisChoices === 0) {
    errors.push("REDIS_USERNAME / REDIS_PASSWORD: set REDIS_CLUSTER_NODES or REDIS_SENTINELS too");
  }
  if (env.REDIS_USERNAME && !env.REDIS_PASSWORD) errors.push("REDIS_USERNAME: set REDIS_PASSWORD too");
}
