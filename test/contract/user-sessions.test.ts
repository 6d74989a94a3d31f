// One contract, both per-user session indexes: what "sign out everywhere", the sessions list and the
// revocation webhook rest on (auth/session-endings.ts, session-list.ts, revocation-check.ts).
// Sessions are mostly added in time order with one SESSION_MAX_AGE (auth/session-start.ts), but
// sign-ins racing each other, or instances whose clocks differ, may add them out of end order.
import { Redis } from "ioredis";
import { MemoryUserSessions, RedisUserSessions, type UserSessions } from "../../src/store/user-sessions.js";
import { testRedisUrl } from "../support/stack.js";
import { bothStores, type StoreTime } from "./time-passes.js";

const redis = new Redis(testRedisUrl());
afterAll(() => redis.disconnect());

const MAX_AGE_MS = 3_600_000;

const stores = bothStores<UserSessions>(
  redis,
  ["RedisUserSessions", (keyPrefix, clock) => new RedisUserSessions(redis, keyPrefix, clock)],
  ["MemoryUserSessions", (_prefix, clock) => new MemoryUserSessions(clock)],
);

describe.each(stores)("%s", (_name, makeStore) => {
  let sessions: UserSessions;
  let time: StoreTime;
  beforeEach(() => {
    ({ store: sessions, time } = makeStore());
  });
  /** A sign-in now: the session ends SESSION_MAX_AGE from now. */
  const signIn = (userId: number, sessionId: string) => sessions.add(userId, sessionId, time.clock.now() + MAX_AGE_MS);

  test("lists the sessions added for a user; a user without any has none", async () => {
    expect(await sessions.list(1)).toEqual([]);
    await signIn(1, "s1");
    await time.elapse(1_000);
    await signIn(1, "s2");
    expect(await sessions.list(1)).toEqual(["s1", "s2"]);
  });

  test("lists in the order the sessions end, so the newest come last (the sessions list keeps the last ones)", async () => {
    for (const sessionId of ["s1", "s2", "s3", "s4"]) {
      await signIn(1, sessionId);
      await time.elapse(1_000);
    }
    expect(await sessions.list(1)).toEqual(["s1", "s2", "s3", "s4"]);
  });

  test("a session added twice is listed once", async () => {
    await signIn(1, "s1");
    await signIn(1, "s1");
    expect(await sessions.list(1)).toEqual(["s1"]);
  });

  test("remove drops that session only", async () => {
    await signIn(1, "s1");
    await time.elapse(1_000);
    await signIn(1, "s2");
    await sessions.remove(1, "s1");
    expect(await sessions.list(1)).toEqual(["s2"]);
    await sessions.remove(1, "never-added"); // harmless
    expect(await sessions.list(1)).toEqual(["s2"]);
  });

  test("clear drops every session of the user", async () => {
    await signIn(1, "s1");
    await signIn(1, "s2");
    await sessions.clear(1);
    expect(await sessions.list(1)).toEqual([]);
    await signIn(1, "s3"); // a sign-in after signing out everywhere starts a new list
    expect(await sessions.list(1)).toEqual(["s3"]);
  });

  test("users are isolated: one user's add, remove and clear never touch another's sessions", async () => {
    await signIn(1, "s1");
    await signIn(2, "s2");
    expect(await sessions.list(1)).toEqual(["s1"]);
    expect(await sessions.list(2)).toEqual(["s2"]);
    await sessions.remove(2, "s1"); // a stale index entry is removed under the user it was found for
    expect(await sessions.list(1)).toEqual(["s1"]);
    await sessions.clear(2);
    expect(await sessions.list(1)).toEqual(["s1"]);
  });

  test("a session past its end is no longer listed; the later ones still are", async () => {
    await signIn(1, "s1");
    await time.elapse(10 * 60_000);
    await signIn(1, "s2");
    await time.elapse(MAX_AGE_MS - 60_000); // s1 ended 9 minutes ago, s2 has 10 minutes left
    expect(await sessions.list(1)).toEqual(["s2"]);
    await time.elapse(20 * 60_000);
    expect(await sessions.list(1)).toEqual([]);
  });

  test("a session is listed until its end, and not at it", async () => {
    const endsAt = time.clock.now() + 60_000;
    await sessions.add(1, "s1", endsAt);
    await time.elapse(59_000);
    expect(await sessions.list(1)).toEqual(["s1"]);
    await time.elapse(1_000);
    expect(await sessions.list(1)).toEqual([]);
  });

  test("adding a session that ends before the others never shortens theirs (racing sign-ins, skewed clocks)", async () => {
    const now = time.clock.now();
    await sessions.add(1, "long", now + MAX_AGE_MS);
    await sessions.add(1, "short", now + 60_000);
    await time.elapse(2 * 60_000);
    expect(await sessions.list(1)).toEqual(["long"]);
    await sessions.add(1, "already-ended", time.clock.now() - 1_000);
    expect(await sessions.list(1)).toEqual(["long"]);
  });

  test("adding after an earlier session ended keeps only the live ones", async () => {
    await signIn(1, "s1");
    await time.elapse(MAX_AGE_MS + 1_000);
    await signIn(1, "s2");
    expect(await sessions.list(1)).toEqual(["s2"]);
  });
});
