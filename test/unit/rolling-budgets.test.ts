// Budgets over a rolling window (store/rolling-budgets.ts), in Redis and in memory alike: at most
// `limit` events in any window, an event counted in all of its budgets or in none, and the wait
// until the oldest counted event leaves the window.
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { MemoryRollingBudgets, RedisRollingBudgets, type RollingBudgets } from "../../src/store/rolling-budgets.js";
import { testRedisUrl } from "../support/stack.js";

const WINDOW_MS = 60_000;
let redis: Redis;
beforeAll(() => {
  redis = new Redis(testRedisUrl());
});
afterAll(() => redis.disconnect());

const kinds: [string, (now: () => number) => RollingBudgets][] = [
  ["in Redis", (now) => new RedisRollingBudgets(redis, `gls-test-${randomBytes(6).toString("hex")}:rl:{budgets}:`, WINDOW_MS, now)],
  ["in memory", (now) => new MemoryRollingBudgets(WINDOW_MS, now)],
];

describe.each(kinds)("%s", (_kind, budgetsAt) => {
  let time: number;
  let budgets: RollingBudgets;
  beforeEach(() => {
    time = Date.now();
    budgets = budgetsAt(() => time);
  });
  const one = (key: string, limit: number) => budgets.take([{ key, limit }]);

  test("at most `limit` in any window, counted from each event, not from a window's start", async () => {
    expect(await one("a", 2)).toBeNull();
    time += 20_000;
    expect(await one("a", 2)).toBeNull();
    time += 20_000;
    expect(await one("a", 2)).toEqual({ full: 0, retryAfterMs: 20_000 }); // the first leaves the window at +60 s
    time += 20_000;
    expect(await one("a", 2)).toBeNull(); // the first has left; the second (at +20 s) still counts
    expect(await one("a", 2)).toEqual({ full: 0, retryAfterMs: 20_000 });
  });

  test("an event counts in all its budgets or, when one is full, in none; the refusal names the full one", async () => {
    const perAddress = (address: string) => ({ key: `address:${address}`, limit: 2 });
    const inAll = { key: "all", limit: 3 };
    expect(await budgets.take([perAddress("x"), inAll])).toBeNull();
    expect(await budgets.take([perAddress("x"), inAll])).toBeNull();
    expect(await budgets.take([perAddress("x"), inAll])).toMatchObject({ full: 0 }); // x is full; "all" was not counted
    expect(await budgets.take([perAddress("y"), inAll])).toBeNull();
    expect(await budgets.take([perAddress("z"), inAll])).toMatchObject({ full: 1 }); // "all" is full; z was not counted
    expect(await budgets.take([{ key: "address:z", limit: 1 }])).toBeNull();
    time += WINDOW_MS;
    expect(await budgets.take([perAddress("x"), inAll])).toBeNull();
    expect(await budgets.take([perAddress("x"), inAll])).toBeNull();
  });

  test("keys are budgets of their own", async () => {
    expect(await one("p", 1)).toBeNull();
    expect(await one("q", 1)).toBeNull();
    expect(await one("p", 1)).not.toBeNull();
  });
});
