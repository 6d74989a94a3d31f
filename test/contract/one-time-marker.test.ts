// One contract, both one-time markers: what refusing a replayed sign-in callback or hand-off ticket,
// and spacing revocation checks, rest on (auth/sign-in-state.ts, handoff-flow.ts, revocation-check.ts).
import { Redis } from "ioredis";
import { MemoryOneTimeMarker, RedisOneTimeMarker, type OneTimeMarker } from "../../src/store/one-time-marker.js";
import { testRedisUrl } from "../support/stack.js";
import { bothStores, type StoreTime } from "./time-passes.js";

const redis = new Redis(testRedisUrl());
afterAll(() => redis.disconnect());

const LIFETIME_MS = 600_000;

const stores = bothStores<OneTimeMarker>(
  redis,
  ["RedisOneTimeMarker", (keyPrefix) => new RedisOneTimeMarker(redis, keyPrefix)],
  ["MemoryOneTimeMarker", (_prefix, clock) => new MemoryOneTimeMarker(clock)],
);

describe.each(stores)("%s", (_name, makeStore) => {
  let marker: OneTimeMarker;
  let time: StoreTime;
  beforeEach(() => {
    ({ store: marker, time } = makeStore());
  });

  test("a key is claimed once: every later claim within its lifetime is refused", async () => {
    expect(await marker.claim("signin:n1", LIFETIME_MS)).toBe(true);
    expect(await marker.claim("signin:n1", LIFETIME_MS)).toBe(false);
    await time.elapse(LIFETIME_MS - 1_000);
    expect(await marker.claim("signin:n1", LIFETIME_MS)).toBe(false);
  });

  test("a refused claim does not extend the first one's lifetime", async () => {
    expect(await marker.claim("revocation-check:1", 60_000)).toBe(true);
    await time.elapse(50_000);
    expect(await marker.claim("revocation-check:1", 60_000)).toBe(false);
    await time.elapse(11_000);
    expect(await marker.claim("revocation-check:1", 60_000)).toBe(true);
  });

  test("of simultaneous claims of a key exactly one wins", async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, () => marker.claim("handoff:n1", LIFETIME_MS)));
    expect(answers.filter(Boolean)).toHaveLength(1);
  });

  test("keys are isolated: claiming one leaves every other claimable", async () => {
    expect(await marker.claim("signin:n1", LIFETIME_MS)).toBe(true);
    expect(await marker.claim("signin:n2", LIFETIME_MS)).toBe(true);
    expect(await marker.claim("handoff:n1", LIFETIME_MS)).toBe(true);
    expect(await marker.claim("signin:n1", LIFETIME_MS)).toBe(false);
  });

  test("once its lifetime lapsed, a key can be claimed again, once", async () => {
    expect(await marker.claim("revocation-check:1", 60_000)).toBe(true);
    await time.elapse(60_000 + 1_000);
    expect(await marker.claim("revocation-check:1", 60_000)).toBe(true);
    expect(await marker.claim("revocation-check:1", 60_000)).toBe(false);
  });

  test("each claim lasts its own lifetime", async () => {
    expect(await marker.claim("short", 10_000)).toBe(true);
    expect(await marker.claim("long", LIFETIME_MS)).toBe(true);
    await time.elapse(20_000);
    expect(await marker.claim("short", 10_000)).toBe(true);
    expect(await marker.claim("long", LIFETIME_MS)).toBe(false);
  });
});
