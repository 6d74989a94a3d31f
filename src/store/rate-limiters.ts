// Request budgets shared by every instance through Redis (rate-limiter-flexible). When Redis does
// not answer, an in-process budget of the same size stands in, so an outage neither blocks
// everyone nor lifts the limit.
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { RedisConnection } from "./redis-client.js";

export type RateLimiterFactory = (name: string, points: number, durationMs: number) => RateLimiterAbstract;

const seconds = (durationMs: number) => Math.max(1, Math.ceil(durationMs / 1000));

export function redisRateLimiters(connection: RedisConnection, keyPrefix: string): RateLimiterFactory {
  return (name, points, durationMs) =>
    new RateLimiterRedis({
      storeClient: connection,
      keyPrefix: `${keyPrefix}rl:${name}`,
      points,
      duration: seconds(durationMs),
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory({ keyPrefix: `rl:${name}`, points, duration: seconds(durationMs) }),
    });
}

export function memoryRateLimiters(): RateLimiterFactory {
  return (name, points, durationMs) => new RateLimiterMemory({ keyPrefix: `rl:${name}`, points, duration: seconds(durationMs) });
}
