// The only place that creates Redis connections. Timeouts are bounded and the offline queue is
// off, so during an outage commands fail fast (→ 503) instead of piling up in memory; ioredis keeps
// reconnecting in the background and the server recovers by itself when Redis returns.
import { Cluster, Redis, type RedisOptions } from "ioredis";
import type { RedisConfig } from "../config/config.js";

export type RedisConnection = Redis | Cluster;

const CONNECTION_OPTIONS: RedisOptions = {
  connectTimeout: 5_000,
  commandTimeout: 2_000,
  maxRetriesPerRequest: 1,
  enableOfflineQueue: false,
  retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
};

export function createRedisConnection(config: RedisConfig): RedisConnection {
  if (config.clusterNodes.length > 0) {
    return new Cluster(config.clusterNodes, { enableOfflineQueue: false, redisOptions: CONNECTION_OPTIONS });
  }
  if (!config.url) throw new Error("createRedisConnection: neither REDIS_URL nor REDIS_CLUSTER_NODES is set");
  return new Redis(config.url, CONNECTION_OPTIONS);
}

/** Resolves when the connection is ready, or after timeoutMs (the server then starts not-ready). */
export function whenReady(connection: RedisConnection, timeoutMs: number): Promise<boolean> {
  if (connection.status === "ready") return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish(false), timeoutMs);
    const onReady = () => finish(true);
    function finish(ready: boolean) {
      clearTimeout(timer);
      connection.off("ready", onReady);
      resolve(ready);
    }
    connection.once("ready", onReady);
  });
}

export async function pingRedis(connection: RedisConnection): Promise<boolean> {
  try {
    return (await connection.ping()) === "PONG";
  } catch {
    return false;
  }
}
