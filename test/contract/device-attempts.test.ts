// One contract, both stores of device sign-ins in progress: what auth/device-sign-in.ts rests on.
// A poll reads the attempt, updates it (its pacing) or deletes it (signed in, denied, expired);
// an update never brings back a deleted or lapsed attempt and never lengthens its life.
import { Redis } from "ioredis";
import { MemoryDeviceAttempts, RedisDeviceAttempts, type DeviceAttempts } from "../../src/store/device-attempts.js";
import { testRedisUrl } from "../support/stack.js";
import { bothStores, type StoreTime } from "./time-passes.js";

const redis = new Redis(testRedisUrl());
afterAll(() => redis.disconnect());

/** GitHub's device code lives 15 minutes; the attempt a little longer. */
const LIFETIME_MS = 15 * 60_000 + 60_000;

const stores = bothStores<DeviceAttempts>(
  redis,
  ["RedisDeviceAttempts", (keyPrefix) => new RedisDeviceAttempts(redis, keyPrefix)],
  ["MemoryDeviceAttempts", (_prefix, clock) => new MemoryDeviceAttempts(clock)],
);

describe.each(stores)("%s", (_name, makeStore) => {
  let attempts: DeviceAttempts;
  let time: StoreTime;
  beforeEach(() => {
    ({ store: attempts, time } = makeStore());
  });

  test("create then read gives the value; an unknown attempt reads as null", async () => {
    await attempts.create("a1", '{"n":1}', LIFETIME_MS);
    expect(await attempts.read("a1")).toBe('{"n":1}');
    expect(await attempts.read("unknown")).toBeNull();
  });

  test("attempts are isolated by id", async () => {
    await attempts.create("a1", "one", LIFETIME_MS);
    await attempts.create("a2", "two", LIFETIME_MS);
    await attempts.update("a1", "one, updated");
    await attempts.delete("a2");
    expect(await attempts.read("a1")).toBe("one, updated");
    expect(await attempts.read("a2")).toBeNull();
  });

  test("an attempt lives its lifetime, then reads as null", async () => {
    await attempts.create("a1", "value", LIFETIME_MS);
    await time.elapse(LIFETIME_MS - 1_000);
    expect(await attempts.read("a1")).toBe("value");
    await time.elapse(2_000);
    expect(await attempts.read("a1")).toBeNull();
  });

  test("each attempt lives its own lifetime", async () => {
    await attempts.create("short", "value", 10_000);
    await attempts.create("long", "value", LIFETIME_MS);
    await time.elapse(20_000);
    expect(await attempts.read("short")).toBeNull();
    expect(await attempts.read("long")).toBe("value");
  });

  test("update replaces the value", async () => {
    await attempts.create("a1", "first", LIFETIME_MS);
    await attempts.update("a1", "second");
    expect(await attempts.read("a1")).toBe("second");
  });

  test("update keeps the expiry: polling never lengthens an attempt's life", async () => {
    await attempts.create("a1", "first", LIFETIME_MS);
    await time.elapse(LIFETIME_MS - 10_000);
    await attempts.update("a1", "second");
    await time.elapse(9_000);
    expect(await attempts.read("a1")).toBe("second");
    await time.elapse(2_000);
    expect(await attempts.read("a1")).toBeNull();
  });

  test("update of a deleted attempt leaves it deleted (a late poll never brings it back)", async () => {
    await attempts.create("a1", "first", LIFETIME_MS);
    await attempts.delete("a1");
    await attempts.update("a1", "second");
    expect(await attempts.read("a1")).toBeNull();
  });

  test("update of an attempt that lapsed or never was creates nothing", async () => {
    await attempts.create("a1", "first", 10_000);
    await time.elapse(11_000);
    await attempts.update("a1", "second");
    await attempts.update("unknown", "second");
    expect(await attempts.read("a1")).toBeNull();
    expect(await attempts.read("unknown")).toBeNull();
  });

  test("delete ends the attempt at once; deleting an unknown one is harmless", async () => {
    await attempts.create("a1", "value", LIFETIME_MS);
    await attempts.delete("a1");
    await attempts.delete("unknown");
    expect(await attempts.read("a1")).toBeNull();
  });
});
