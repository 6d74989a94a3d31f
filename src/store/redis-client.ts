// The only place that creates Redis connections. Timeouts are bounded and the offline queue is
// off, so during an outage commands fail fast (→ 503) instead of piling up in memory; ioredis keeps
// reconnecting in the background and the server recovers by itself when Redis returns.
import { Cluster, Redis, type RedisOptions } from "ioredis";
import type { RedisConfig } from "../config/config.js";

export type RedisConnection = Redis | Cluster;

const CONNECTION_OPTIONS: RedisOptions = {
  // Shows in CLIENT LIST, so operators (and tests) can tell this server's connections apart.
  connectionName: "github-login-server",
  connectTimeout: 5_000,
  commandTimeout: 2_000,
  maxRetriesPerRequest: 1,
  enableOfflineQueue: false,
  retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
  // After a failover the old master becomes a replica and refuses writes with READONLY: reconnect,
  // which reaches the new master (asked of the Sentinels, or a DNS name that moved to it).
  reconnectOnError: (error) => error.message.startsWith("READONLY"),
  // Commands issued in the same tick (the session reads of concurrent requests, say) leave in one
  // write to the socket instead of one each.
  enableAutoPipelining: true,
};

/** True when the configuration names a Redis (single, Cluster or behind Sentinels). */
export function isRedisConfigured(config: RedisConfig): boolean {
  return Boolean(config.url) || config.clusterNodes.length > 0 || config.sentinels.length > 0;
}

export function createRedisConnection(config: RedisConfig): RedisConnection {
  const credentials = {
    ...(config.username ? { username: config.username } : {}),
    ...(config.password ? { password: config.password } : {}),
  };
  if (config.clusterNodes.length > 0) {
    return new Cluster(config.clusterNodes, {
      enableOfflineQueue: false,
      enableAutoPipelining: true,
      redisOptions: { ...CONNECTION_OPTIONS, ...credentials },
    });
  }
  if (config.sentinels.length > 0) {
    // The Sentinels say which node is the master now; after a failover ioredis asks again and
    // reconnects to the new master (a replica that was promoted).
    return new Redis({
      ...CONNECTION_OPTIONS,
      ...credentials,
      sentinels: config.sentinels,
      name: config.sentinelName,
      failoverDetector: true,
      ...(config.sentinelPassword ? { sentinelPassword: config.sentinelPassword } : {}),
    });
  }
  if (!config.url) throw new Error("createRedisConnection: none of REDIS_URL, REDIS_CLUSTER_NODES, REDIS_SENTINELS is set");
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

const OUTAGE_MESSAGES =
  /Stream isn't writeable|Connection is closed|Command timed out|Reached the max retries|Cluster isn't ready|Failed to refresh slots cache|CLUSTERDOWN|TRYAGAIN|LOADING|READONLY|MASTERDOWN|ECONNREFUSED|ECONNRESET|ETIMEDOUT/;

/** True for the errors ioredis raises while Redis cannot be reached (not for bugs in a command). */
export function isRedisUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return error.name === "MaxRetriesPerRequestError" || error.name === "ClusterAllFailedError" || OUTAGE_MESSAGES.test(error.message);
}
