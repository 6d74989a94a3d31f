// One contract, both lock stores: what the one-refresh-per-token, one-revalidation-per-session and
// one-device-poll-at-a-time guarantees rest on (auth/token-refresh.ts, revalidation.ts, device-sign-in.ts).
import { Redis } from "ioredis";
import { MemoryLocks, RedisLocks, type Locks } from "../../src/store/locks.js";
import { testRedisUrl } from "../support/stack.js";
import { bothStores, type StoreTime } from "./time-passes.js";

const redis = new Redis(testRedisUrl());
afterAll(() => redis.disconnect());

const LEASE_MS = 60_000;

const stores = bothStores<Locks>(
  redis,
  ["RedisLocks", (keyPrefix) => new RedisLocks(redis, keyPrefix)],
  ["MemoryLocks", (_prefix, clock) => new MemoryLocks(clock)],
);

describe.each(stores)("%s", (_name, makeStore) => {
  let locks: Locks;
  let time: StoreTime;
  beforeEach(() => {
    ({ store: locks, time } = makeStore());
  });

  test("one holder at a time: while the lease runs, nobody else gets it", async () => {
    const owner = await locks.tryAcquire("refresh:s1", LEASE_MS);
    expect(owner).toEqual(expect.any(String));
    expect(await locks.tryAcquire("refresh:s1", LEASE_MS)).toBeNull();
    await time.elapse(LEASE_MS - 1_000);
    expect(await locks.tryAcquire("refresh:s1", LEASE_MS)).toBeNull();
    expect(await locks.holds("refresh:s1", owner!)).toBe(true);
  });

  test("of simultaneous attempts exactly one is granted", async () => {
    const owners = await Promise.all(Array.from({ length: 8 }, () => locks.tryAcquire("device:a1", LEASE_MS)));
    expect(owners.filter((owner) => owner !== null)).toHaveLength(1);
  });

  test("leases on different names are independent", async () => {
    const first = await locks.tryAcquire("refresh:s1", LEASE_MS);
    const second = await locks.tryAcquire("refresh:s2", LEASE_MS);
    expect(first).not.toBeNull();
    expect(second).not.toBeNull();
    await locks.release("refresh:s1", first!);
    expect(await locks.holds("refresh:s2", second!)).toBe(true);
  });

  test("the owner's release frees the lease at once", async () => {
    const owner = (await locks.tryAcquire("refresh:s1", LEASE_MS))!;
    await locks.release("refresh:s1", owner);
    expect(await locks.holds("refresh:s1", owner)).toBe(false);
    const next = await locks.tryAcquire("refresh:s1", LEASE_MS);
    expect(next).not.toBeNull();
    expect(next).not.toBe(owner); // a new owner token: the earlier holder cannot pass for the new one
  });

  test("only the owner can release: another owner value leaves the lease held", async () => {
    const owner = (await locks.tryAcquire("refresh:s1", LEASE_MS))!;
    await locks.release("refresh:s1", "not-the-owner");
    expect(await locks.holds("refresh:s1", owner)).toBe(true);
    expect(await locks.tryAcquire("refresh:s1", LEASE_MS)).toBeNull();
  });

  test("holds is true only for the current owner", async () => {
    const owner = (await locks.tryAcquire("refresh:s1", LEASE_MS))!;
    expect(await locks.holds("refresh:s1", owner)).toBe(true);
    expect(await locks.holds("refresh:s1", "not-the-owner")).toBe(false);
    expect(await locks.holds("refresh:s2", owner)).toBe(false); // an owner token is for its own name only
    expect(await locks.holds("never-taken", "anyone")).toBe(false);
  });

  test("a lease lapses after its time: the holder no longer holds it and someone else can take it", async () => {
    const owner = (await locks.tryAcquire("revalidate:s1", LEASE_MS))!;
    await time.elapse(LEASE_MS + 1_000);
    expect(await locks.holds("revalidate:s1", owner)).toBe(false);
    const next = await locks.tryAcquire("revalidate:s1", LEASE_MS);
    expect(next).not.toBeNull();
    expect(await locks.holds("revalidate:s1", next!)).toBe(true);
  });

  test("each lease lasts its own time", async () => {
    const short = (await locks.tryAcquire("device:a1", 10_000))!;
    const long = (await locks.tryAcquire("device:a2", LEASE_MS))!;
    await time.elapse(20_000);
    expect(await locks.holds("device:a1", short)).toBe(false);
    expect(await locks.holds("device:a2", long)).toBe(true);
  });

  test("a holder whose lease lapsed can neither release nor hold the next holder's lease", async () => {
    const late = (await locks.tryAcquire("refresh:s1", LEASE_MS))!;
    await time.elapse(LEASE_MS + 1_000);
    const current = (await locks.tryAcquire("refresh:s1", LEASE_MS))!;
    expect(await locks.holds("refresh:s1", late)).toBe(false);
    await locks.release("refresh:s1", late); // the late holder's finally block
    expect(await locks.holds("refresh:s1", current)).toBe(true);
    expect(await locks.tryAcquire("refresh:s1", LEASE_MS)).toBeNull();
  });
});
