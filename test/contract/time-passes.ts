// Time passing for a store under test, without waiting: a memory store's clock moves; for a Redis
// store its clock moves too, and every key under the store's own prefix has that much less to live
// (deleted when its time ran out), as if Redis' clock had moved with it. So a contract test checks
// state after an explicit expiry, never by sleeping past one, and still sees the lifetime each
// implementation really gave its entries (a key written without one never lapses here either).
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { ManualClock } from "../../src/clock.js";

export interface StoreTime {
  /** The clock the store is given. */
  clock: ManualClock;
  /** Lets `milliseconds` pass for the store. */
  elapse(milliseconds: number): Promise<void>;
}

export function memoryTime(): StoreTime {
  const clock = new ManualClock(Date.now());
  return { clock, elapse: async (milliseconds) => clock.advance(milliseconds) };
}

/** A store under test and the time that passes for it. */
export interface StoreUnderTest<Store> {
  store: Store;
  time: StoreTime;
}

type Implementation<Store> = [name: string, make: (keyPrefix: string, clock: ManualClock) => Store];

/**
 * Both implementations of one store, for `describe.each`: the Redis one under a fresh key prefix
 * with time moved as Redis would see it, the memory one on its own clock.
 */
export function bothStores<Store>(
  redis: Redis,
  [redisName, makeRedis]: Implementation<Store>,
  [memoryName, makeMemory]: Implementation<Store>,
): [string, () => StoreUnderTest<Store>][] {
  return [
    [
      redisName,
      () => {
        const time = redisTime(redis);
        return { store: makeRedis(time.keyPrefix, time.clock), time };
      },
    ],
    [
      memoryName,
      () => {
        const time = memoryTime();
        return { store: makeMemory("", time.clock), time };
      },
    ],
  ];
}

/** A fresh key prefix, and time for the keys under it (the clock starts at Redis' real time, as systemClock would). */
export function redisTime(redis: Redis): StoreTime & { keyPrefix: string } {
  const keyPrefix = `gls-contract-${randomBytes(4).toString("hex")}:`;
  const clock = new ManualClock(Date.now());
  async function elapse(milliseconds: number): Promise<void> {
    clock.advance(milliseconds);
    for (const key of await keysUnder(redis, keyPrefix)) {
      const left = await redis.pttl(key);
      if (left < 0) continue; // -1: no expiry, -2: gone meanwhile
      if (left <= milliseconds) await redis.del(key);
      else await redis.pexpire(key, left - milliseconds);
    }
  }
  return { clock, keyPrefix, elapse };
}

async function keysUnder(redis: Redis, keyPrefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = "0";
  do {
    const [next, batch] = await redis.scan(cursor, "MATCH", `${keyPrefix}*`, "COUNT", 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== "0");
  return keys;
}
