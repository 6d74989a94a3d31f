// Budgets over a rolling window ("at most N in any hour"), for things someone else counts too and
// refuses past a hard cap (GitHub's device codes): a fixed window would let N pass at the end of one
// window and N more at the start of the next. Each budget is a sorted set of event times; one event
// counts in several budgets at once (per address and in all) or, when any is full, in none, in one
// script, so instances racing each other cannot overspend. Redis errors are not absorbed: what is
// counted here is useless without Redis anyway, and refusing is the safe answer.
import { randomBytes } from "node:crypto";
import type { ClientContext, Result } from "ioredis";
import type { RedisConnection } from "./redis-client.js";

export interface RollingCount {
  key: string;
  limit: number;
}

export interface RollingRefusal {
  /** Which of the counts given is full (its index). */
  full: number;
  /** When that budget has room again. */
  retryAfterMs: number;
}

export interface RollingBudgets {
  /** Counts one event in every budget, or refuses it (counting nothing) when one is full. */
  take(counts: readonly RollingCount[]): Promise<RollingRefusal | null>;
}

/** KEYS: a sorted set per budget. ARGV: now, window, this event's member, then each budget's limit. */
const TAKE = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
for i, key in ipairs(KEYS) do
  redis.call("ZREMRANGEBYSCORE", key, "-inf", now - window)
  local limit = tonumber(ARGV[3 + i])
  local count = redis.call("ZCARD", key)
  if count >= limit then
    local freeing = redis.call("ZRANGE", key, count - limit, count - limit, "WITHSCORES")
    return {i, tonumber(freeing[2]) + window - now}
  end
end
for _, key in ipairs(KEYS) do
  redis.call("ZADD", key, now, ARGV[3])
  redis.call("PEXPIRE", key, window)
end
return {0, 0}`;

declare module "ioredis" {
  interface RedisCommander<Context extends ClientContext = { type: "default" }> {
    /** Defined by RedisRollingBudgets (TAKE). */
    glsTakeRolling(numberOfKeys: number, ...keysThenArgs: (string | number)[]): Result<[number, number], Context>;
  }
}

export class RedisRollingBudgets implements RollingBudgets {
  /** `keyPrefix` carries a hash tag, so every budget of one name shares a Redis Cluster slot. */
  constructor(
    private readonly connection: RedisConnection,
    private readonly keyPrefix: string,
    private readonly windowMs: number,
    /** Real time, as Redis expires the sets by (PEXPIRE); tests may pass their own. */
    private readonly now: () => number = Date.now,
  ) {
    connection.defineCommand("glsTakeRolling", { lua: TAKE });
  }

  async take(counts: readonly RollingCount[]): Promise<RollingRefusal | null> {
    const now = this.now();
    const member = `${now}-${randomBytes(6).toString("hex")}`;
    const keys = counts.map((count) => `${this.keyPrefix}${count.key}`);
    const [full, retryAfterMs] = await this.connection.glsTakeRolling(
      keys.length,
      ...keys,
      now,
      this.windowMs,
      member,
      ...counts.map((count) => count.limit),
    );
    return full === 0 ? null : { full: full - 1, retryAfterMs };
  }
}

/** Demo mode without Redis: the same budgets in this process. */
export class MemoryRollingBudgets implements RollingBudgets {
  private readonly eventTimes = new Map<string, number[]>();

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async take(counts: readonly RollingCount[]): Promise<RollingRefusal | null> {
    const now = this.now();
    this.forgetBefore(now - this.windowMs);
    for (const [index, { key, limit }] of counts.entries()) {
      const times = this.eventTimes.get(key) ?? [];
      if (times.length >= limit) return { full: index, retryAfterMs: times[times.length - limit]! + this.windowMs - now };
    }
    for (const { key } of counts) this.eventTimes.set(key, [...(this.eventTimes.get(key) ?? []), now]);
    return null;
  }

  private forgetBefore(oldest: number): void {
    for (const [key, times] of this.eventTimes) {
      const kept = times.filter((time) => time > oldest);
      if (kept.length > 0) this.eventTimes.set(key, kept);
      else this.eventTimes.delete(key);
    }
  }
}
