// One contract, every session store: what the lost-update and no-resurrection guarantees rest on.
import { randomBytes } from "node:crypto";
import type { SessionData, Store } from "express-session";
import { Redis } from "ioredis";
import { updateRecord } from "../../src/auth/session-updates.js";
import type { SignedInRecord } from "../../src/auth/session-record.js";
import { systemClock } from "../../src/clock.js";
import { ExpressSessionStore, type SessionCookieSettings } from "../../src/store/express-session-store.js";
import { MemorySessionStore } from "../../src/store/memory-session-store.js";
import { RedisSessionStore } from "../../src/store/redis-session-store.js";
import type { SessionEntries } from "../../src/store/session-entries.js";
import { testRedisUrl } from "../support/stack.js";

type TestedStore = Store & SessionEntries;
const redis = new Redis(testRedisUrl());
afterAll(() => redis.disconnect());

const stores: [string, () => TestedStore][] = [
  ["RedisSessionStore", () => new RedisSessionStore(redis, `gls-contract-${randomBytes(4).toString("hex")}:`)],
  ["MemorySessionStore", () => new MemorySessionStore(systemClock)],
];

/** The configured cookie express-session is given (http/session-middleware.ts builds it from http/cookies.ts). */
const CONFIGURED_COOKIE: SessionCookieSettings = { httpOnly: true, sameSite: "lax", secure: false, path: "/", maxAge: 3_600_000 };
/** What express-session is given: the adapter over the store, and every error it logs. */
function asExpressSees(store: TestedStore) {
  const errors: string[] = [];
  return { adapter: new ExpressSessionStore(store, CONFIGURED_COOKIE, { error: (message: string) => void errors.push(message) }), errors };
}

function sessionWith(login: string, version: number): SessionData {
  const auth = { user: { id: 1, login }, profileFetchedAt: version } as unknown as SignedInRecord;
  return { cookie: { originalMaxAge: 60_000, expires: new Date(Date.now() + 60_000) }, auth } as unknown as SessionData;
}

const save = (store: TestedStore, id: string, data: SessionData) =>
  new Promise<void>((resolve, reject) =>
    asExpressSees(store).adapter.set(id, data, (error?: unknown) => (error ? reject(error) : resolve())),
  );
const load = (store: TestedStore, id: string) =>
  new Promise<SessionData | null | undefined>((resolve, reject) =>
    asExpressSees(store).adapter.get(id, (error, data) => (error ? reject(error) : resolve(data))),
  );
const destroy = (store: TestedStore, id: string) =>
  new Promise<void>((resolve, reject) =>
    asExpressSees(store).adapter.destroy(id, (error?: unknown) => (error ? reject(error) : resolve())),
  );

describe.each(stores)("%s", (_name, makeStore) => {
  let store: TestedStore;
  beforeEach(() => {
    store = makeStore();
  });

  test("express-session creates an entry and reads it back", async () => {
    await save(store, "s1", sessionWith("octocat", 1));
    expect((await load(store, "s1"))?.auth?.user.login).toBe("octocat");
  });

  test("express-session never overwrites an existing entry (only creation goes through it)", async () => {
    await save(store, "s1", sessionWith("octocat", 1));
    const { adapter, errors } = asExpressSees(store);
    await new Promise<void>((resolve) => adapter.set("s1", sessionWith("octocat", 1), () => resolve()));
    expect(errors).toEqual([]); // the repeat save of a regenerated session, same content: harmless
    await new Promise<void>((resolve) => adapter.set("s1", sessionWith("intruder", 2), () => resolve()));
    expect(errors).toEqual([expect.stringContaining("refused to overwrite")]);
    expect((await load(store, "s1"))?.auth?.user.login).toBe("octocat");
  });

  test("create writes only a new entry, with the lifetime it is given", async () => {
    expect(await store.create("s1", sessionWith("octocat", 1), 60_000)).toBe(true);
    expect(await store.create("s1", sessionWith("intruder", 2), 3_600_000)).toBe(false);
    const stored = (await store.readWithExpiry("s1"))!;
    expect(stored.entry.data.auth!.user.login).toBe("octocat");
    expect(stored.expiresInMs).toBeLessThanOrEqual(60_000);
  });

  test("express-session's touch moves nothing: expiry slides only through extend()", async () => {
    await save(store, "s1", sessionWith("octocat", 1)); // expires in 60 s
    await new Promise<void>((resolve) => asExpressSees(store).adapter.touch("s1", sessionWith("octocat", 1), () => resolve()));
    expect((await store.readWithExpiry("s1"))!.expiresInMs).toBeLessThanOrEqual(60_000);
  });

  test("compare-and-set succeeds against the value it read", async () => {
    await save(store, "s1", sessionWith("octocat", 1));
    const entry = (await store.read("s1"))!;
    expect(await store.replace("s1", entry, sessionWith("octocat", 2))).toBe(true);
    expect((await store.read("s1"))!.data.auth!.profileFetchedAt).toBe(2);
  });

  test("compare-and-set fails when someone changed the entry after it was read (no lost update)", async () => {
    await save(store, "s1", sessionWith("octocat", 1));
    const stale = (await store.read("s1"))!;
    const fresh = (await store.read("s1"))!;
    expect(await store.replace("s1", fresh, sessionWith("octocat", 2))).toBe(true);
    expect(await store.replace("s1", stale, sessionWith("octocat", 3))).toBe(false);
    expect((await store.read("s1"))!.data.auth!.profileFetchedAt).toBe(2);
  });

  test("compare-and-set never brings a deleted entry back (no resurrection)", async () => {
    await save(store, "s1", sessionWith("octocat", 1));
    const entry = (await store.read("s1"))!;
    await destroy(store, "s1");
    expect(await store.replace("s1", entry, sessionWith("octocat", 2))).toBe(false);
    expect(await store.read("s1")).toBeNull();
    expect(await load(store, "s1")).toBeFalsy();
  });

  test("updateRecord re-applies a change on the newest value when it lost a race", async () => {
    await save(store, "s1", sessionWith("octocat", 1));
    let raced = false;
    // Another request changes the entry between this update's read and its write, once.
    const racing: SessionEntries = {
      read: (id) => store.read(id),
      readWithExpiry: (id) => store.readWithExpiry(id),
      create: (id, data, ttlMs) => store.create(id, data, ttlMs),
      extend: (id, ttlMs) => store.extend(id, ttlMs),
      delete: (ids) => store.delete(ids),
      async replace(id, expected, data) {
        if (!raced) {
          raced = true;
          const theirs = (await store.read(id))!;
          await store.replace(id, theirs, { ...theirs.data, auth: { ...theirs.data.auth!, profileEtag: '"theirs"' } });
        }
        return store.replace(id, expected, data);
      },
    };
    const written = await updateRecord(racing, "s1", (current) => ({ ...current, profileFetchedAt: 99 }));
    const stored = (await store.read("s1"))!.data.auth!;
    expect(raced).toBe(true);
    expect(stored.profileEtag).toBe('"theirs"'); // their change survived
    expect(stored.profileFetchedAt).toBe(99); // and ours was applied on top
    expect(written).toEqual(stored);
  });

  test("updateRecord on an ended session writes nothing and says so", async () => {
    expect(await updateRecord(store, "gone", (current) => current)).toBeNull();
    expect(await store.read("gone")).toBeNull();
  });

  test("readWithExpiry gives the entry with the time it has left; extend moves that expiry", async () => {
    await save(store, "s1", sessionWith("octocat", 1)); // expires in 60 s
    const first = (await store.readWithExpiry("s1"))!;
    expect(first.entry.data.auth!.user.login).toBe("octocat");
    expect(first.expiresInMs).toBeGreaterThan(55_000);
    expect(first.expiresInMs).toBeLessThanOrEqual(61_000);
    await store.extend("s1", 3_600_000);
    const extended = (await store.readWithExpiry("s1"))!;
    expect(extended.expiresInMs).toBeGreaterThan(3_590_000);
    expect(extended.expiresInMs).toBeLessThanOrEqual(3_600_000);
    expect(extended.entry.raw).toBe(first.entry.raw); // the entry itself is untouched
  });

  test("extend never creates an entry, and readWithExpiry of a missing one is null", async () => {
    await store.extend("gone", 60_000);
    expect(await store.readWithExpiry("gone")).toBeNull();
    expect(await store.read("gone")).toBeNull();
  });

  test("the stored text leaves out express-session's cookie; express-session gets the configured one on load", async () => {
    await save(store, "s1", sessionWith("octocat", 1));
    const entry = (await store.read("s1"))!;
    expect(entry.raw).not.toContain("cookie");
    expect(entry.data).toEqual({ auth: sessionWith("octocat", 1).auth });
    const loaded = await load(store, "s1");
    expect(loaded?.auth?.user.login).toBe("octocat");
    expect(loaded?.cookie).toEqual({
      httpOnly: true,
      sameSite: "lax",
      secure: false,
      path: "/",
      maxAge: 3_600_000,
      originalMaxAge: 3_600_000,
    });
  });
});

test("RedisSessionStore: a damaged entry reads as no session", async () => {
  const prefix = `gls-contract-${randomBytes(4).toString("hex")}:`;
  const store = new RedisSessionStore(redis, prefix);
  await save(store, "s1", sessionWith("octocat", 1));
  await redis.set(`${prefix}sess:s1`, "{not json");
  expect(await load(store, "s1")).toBeFalsy();
  expect(await store.read("s1")).toBeNull();
});
