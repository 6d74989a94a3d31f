// The lifetime of a session: an idle expiry (SESSION_IDLE_TIMEOUT) that slides with use, in steps
// of at most a minute, and an absolute limit (SESSION_MAX_AGE) that no amount of use extends. The
// Redis entry's TTL and the cookie's lifetime move together.
import request from "supertest";
import { ManualClock } from "../../src/clock.js";
import { SESSION_COOKIE, sessionEntryKeyOf, setCookie } from "../support/cookies.js";
import { signedInBrowser } from "../support/sign-in.js";
import { startTestStack, type TestStack } from "../support/stack.js";

const MINUTES = 60_000;
const HOURS = 60 * MINUTES;
const DAYS = 24 * HOURS;

const stacks: TestStack[] = [];
afterAll(() => Promise.all(stacks.map((stack) => stack.close())));

async function signedInStack(env: Record<string, string> = {}) {
  const clock = new ManualClock(Date.now());
  const stack = await startTestStack({ clock, env });
  stacks.push(stack);
  const { cookie } = await signedInBrowser(stack.app);
  const entryKey = sessionEntryKeyOf(stack.keyPrefix, cookie);
  expect(await stack.redis.exists(entryKey)).toBe(1);
  return { clock, stack, cookie, entryKey };
}

/** Max-Age of the session cookie a response set, in seconds, or undefined when it set none. */
function sessionCookieMaxAge(response: request.Response): number | undefined {
  const header = setCookie(response, SESSION_COOKIE);
  if (header === undefined) return undefined;
  const maxAge = /; Max-Age=(\d+)/.exec(header);
  if (!maxAge) throw new Error(`the session cookie has no Max-Age: ${header}`);
  return Number(maxAge[1]);
}

test("a request soon after the last renewal writes nothing: no Set-Cookie, the TTL left alone", async () => {
  const { stack, cookie, entryKey } = await signedInStack();
  await stack.redis.pexpire(entryKey, 24 * HOURS - 30_000); // 30 s ago: within one step
  for (const path of ["/api/me", "/api/session", "/auth/check", "/"]) {
    const answer = await request(stack.app).get(path).set("Cookie", cookie);
    expect(answer.status).toBeLessThan(300);
    expect(setCookie(answer, SESSION_COOKIE)).toBeUndefined();
  }
  expect(await stack.redis.pttl(entryKey)).toBeLessThanOrEqual(24 * HOURS - 30_000);
});

test("after more than a step, a request slides the idle expiry: the entry's TTL and the cookie both move to 24 h", async () => {
  const { stack, cookie, entryKey } = await signedInStack();
  await stack.redis.pexpire(entryKey, 24 * HOURS - 10 * MINUTES); // last renewed 10 minutes ago
  const answer = await request(stack.app).get("/api/me").set("Cookie", cookie).expect(200);
  expect(await stack.redis.pttl(entryKey)).toBeGreaterThan(24 * HOURS - MINUTES);
  expect(sessionCookieMaxAge(answer)).toBeGreaterThan(24 * 3600 - 60);
  const header = setCookie(answer, SESSION_COOKIE)!;
  expect(header.split(";")[0]).toBe(cookie); // the same session id and signature
  expect(header).toMatch(/; HttpOnly/);
  expect(header).toMatch(/; SameSite=Lax/);
  expect(header).toMatch(/; Path=\//);
});

test("SESSION_MAX_AGE caps the slide: an hour before it, the TTL and the cookie are cut to that hour", async () => {
  const { clock, stack, cookie, entryKey } = await signedInStack();
  clock.advance(30 * DAYS - HOURS);
  const answer = await request(stack.app).get("/auth/check").set("Cookie", cookie).expect(204);
  const ttl = await stack.redis.pttl(entryKey);
  expect(ttl).toBeGreaterThan(HOURS - MINUTES);
  expect(ttl).toBeLessThanOrEqual(HOURS);
  expect(sessionCookieMaxAge(answer)).toBeLessThanOrEqual(3600);
  expect(sessionCookieMaxAge(answer)).toBeGreaterThan(3600 - 60);
});

test("past SESSION_MAX_AGE the session ends, however recently it was used: 401, entry deleted, cookie cleared", async () => {
  const { clock, stack, cookie, entryKey } = await signedInStack();
  clock.advance(30 * DAYS + 1);
  const answer = await request(stack.app).get("/api/me").set("Cookie", cookie).expect(401);
  expect(answer.body.error).toBe("unauthenticated");
  expect(await stack.redis.exists(entryKey)).toBe(0);
  expect(setCookie(answer, SESSION_COOKIE)).toMatch(/Expires=Thu, 01 Jan 1970/);
  await request(stack.app).get("/auth/check").set("Cookie", cookie).expect(401);
});

test("a shorter SESSION_IDLE_TIMEOUT applies to existing sessions at their next request", async () => {
  const { stack, cookie, entryKey } = await signedInStack();
  const restarted = await stack.restartedWith({ SESSION_IDLE_TIMEOUT: "1h" });
  const answer = await request(restarted.app).get("/auth/check").set("Cookie", cookie).expect(204);
  const ttl = await stack.redis.pttl(entryKey);
  expect(ttl).toBeGreaterThan(HOURS - MINUTES);
  expect(ttl).toBeLessThanOrEqual(HOURS);
  expect(sessionCookieMaxAge(answer)).toBeLessThanOrEqual(3600);
});

test("an entry that has expired in Redis is signed out, even if the cookie is still held", async () => {
  const { stack, cookie, entryKey } = await signedInStack();
  await stack.redis.del(entryKey);
  await request(stack.app).get("/api/me").set("Cookie", cookie).expect(401);
  await request(stack.app).get("/auth/check").set("Cookie", cookie).expect(401);
  expect(await stack.redis.exists(entryKey)).toBe(0);
});

test("/api/session's expiresAt is when the session really ends: the entry's TTL, or SESSION_MAX_AGE when that comes first", async () => {
  const { clock, stack, cookie, entryKey } = await signedInStack();
  await stack.redis.pexpire(entryKey, 24 * HOURS - 30_000); // within one step: not moved
  const idle = await request(stack.app).get("/api/session").set("Cookie", cookie).expect(200);
  const idleEnd = Date.parse(idle.body.expiresAt) - clock.now();
  expect(idleEnd).toBeLessThanOrEqual(24 * HOURS - 30_000);
  expect(idleEnd).toBeGreaterThan(24 * HOURS - 35_000);

  const signedInAt = Date.parse(idle.body.createdAt);
  clock.advance(30 * DAYS - HOURS);
  const capped = await request(stack.app).get("/api/session").set("Cookie", cookie).expect(200);
  expect(Date.parse(capped.body.expiresAt)).toBe(signedInAt + 30 * DAYS);
});
