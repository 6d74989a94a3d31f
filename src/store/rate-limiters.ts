// Request budgets shared by every instance through Redis. Two kinds:
// - fixed windows (rate-limiter-flexible), for frequent requests (sign-in pages, device polls): when
//   Redis does not answer, an in-process budget of the same size stands in, so an outage neither
//   blocks everyone nor lifts the limit;
// - rolling windows (rolling-budgets.ts), for scarce things counted by someone else too (GitHub's
//   device codes, 50 an hour per app): no two fixed windows back to back can spend twice the budget.
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from "rate-limiter-flexible";
import type { RedisConnection } from "./redis-client.js";
import { MemoryRollingBudgets, RedisRollingBudgets, type RollingBudgets } from "./rolling-budgets.js";

export type { RollingBudgets, RollingCount, RollingRefusal } from "./rolling-budgets.js";

export interface RateLimiterFactory {
  /** A fixed-window budget per key: `points` requests per `durationMs`. */
  (name: string, points: number, durationMs: number): RateLimiterAbstract;
  /** Budgets over the last `windowMs`, several of which one event can count in at once (all or none). */
  rolling(name: string, windowMs: number): RollingBudgets;
}

const seconds = (durationMs: number) => Math.max(1, Math.ceil(durationMs / 1000));

export function redisRateLimiters(connection: RedisConnection, keyPrefix: string): RateLimiterFactory {
  const fixed = (name: string, points: number, durationMs: number) =>
    new RateLimiterRedis({
      storeClient: connection,
      keyPrefix: `${keyPrefix}rl:${name}`,
      points,
      duration: seconds(durationMs),
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory({ keyPrefix: `rl:${name}`, points, duration: seconds(durationMs) }),
    });
  return Object.assign(fixed, {
    rolling: (name: string, windowMs: number) => new RedisRollingBudgets(connection, `${keyPrefix}rl:{${name}}:`, windowMs),
  });
}

export function memoryRateLimiters(): RateLimiterFactory {
  const fixed = (name: string, points: number, durationMs: number) =>
    new RateLimiterMemory({ keyPrefix: `rl:${name}`, points, duration: seconds(durationMs) });
  return Object.assign(fixed, { rolling: (_name: string, windowMs: number) => new MemoryRollingBudgets(windowMs) });
}
