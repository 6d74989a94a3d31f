// Decisions GitHub cannot confirm stay bounded (SPEC §7, §4): while GitHub is down or the user's
// own rate limit is spent, the last decision stands for ACCESS_MAX_STALE past PROFILE_MAX_AGE and
// no longer; past it every route answers 503 access_unconfirmed (at once, not after waiting on
// GitHub), the session is kept, and access comes back (or ends) when GitHub answers again. A session
// a revocation marked "confirm first" (revalidateFirst) waits for GitHub before its next answer.
import request from "supertest";
import { updateRecord, readRecord } from "../../src/auth/session-updates.js";
import type { SignedInRecord } from "../../src/auth/session-record.js";
import { ManualClock } from "../../src/clock.js";
import { redisBackend } from "../../src/store/backend.js";
import { MemoryLocks } from "../../src/store/locks.js";
import { sessionIdOf } from "../support/cookies.js";
import { signedInBrowser } from "../support/sign-in.js";
import { startTestStack, TEST_CLIENT_ID, type TestStack } from "../support/stack.js";

const PROFILE_MAX_AGE_MS = 5 * 60_000;
const ACCESS_MAX_STALE_MS = 10 * 60_000;
/** The lease a failed revalidation keeps (3 × GITHUB_TIMEOUT + 5 s), which spaces out the next attempt. */
const FAILED_LEASE_MS = 3 * 3_000 + 5_000;
const clock = new ManualClock(Date.now());

const stacks: TestStack[] = [];
async function stackWith(env: Record<string, string> = {}): Promise<TestStack> {
  // Leases on the test's clock, so "the lease a failure kept has lapsed" is a step of the test.
  const stack = await startTestStack({
    clock,
    locks: new MemoryLocks(clock),
    env: { ALLOWED_ORGS: "github", ACCESS_MAX_STALE: "10m", ...env },
  });
  stacks.push(stack);
  return stack;
}
afterEach(async () => {
  for (const stack of stacks) {
    await stack.settled();
    stack.emulator.emulator.clearFaults();
  }
});
afterAll(() => Promise.all(stacks.map((stack) => stack.close())));

const get = (stack: TestStack, path: string, cookie: string) =>
  request(stack.app).get(path).set("Cookie", cookie).set("Accept", "application/json");
const userCalls = (stack: TestStack) => stack.emulator.emulator.stats.apiRequests.filter((call) => call.path === "/api/v3/user").length;
const entries = (stack: TestStack) => redisBackend(stack.redis, stack.keyPrefix, clock).sessionStore;
const storedRecord = (stack: TestStack, cookie: string) => readRecord(entries(stack), sessionIdOf(cookie));
const githubDown = (stack: TestStack) =>
  stack.emulator.emulator.injectFault({ pathPrefix: "/api/v3/user", status: 503, body: "unavailable", times: 10_000 });

/** Every route that uses a session, as a program sees it past the bound. */
const ROUTES = ["/auth/check", "/api/me", "/api/session", "/api/sessions", "/api/github/user"];

async function expectUnconfirmed(stack: TestStack, cookie: string): Promise<void> {
  for (const path of ROUTES) {
    const answer = await get(stack, path, cookie);
    expect([path, answer.status, answer.body.error]).toEqual([path, 503, "access_unconfirmed"]);
    expect(Number(answer.headers["retry-after"])).toBeGreaterThan(0);
  }
  const page = await request(stack.app).get("/").set("Cookie", cookie);
  expect([page.status, page.type]).toEqual([503, "text/html"]);
  expect(page.text).toContain("could not confirm");
}

test("GitHub down: the last decision stands within ACCESS_MAX_STALE, then 503 access_unconfirmed everywhere, the session kept; back once GitHub is", async () => {
  const stack = await stackWith();
  const { cookie } = await signedInBrowser(stack.app, "octocat");
  githubDown(stack);
  clock.advance(PROFILE_MAX_AGE_MS + 1_000);
  await get(stack, "/auth/check", cookie).expect(204); // from the last decision; the revalidation behind it fails
  await stack.settled();
  expect((await storedRecord(stack, cookie))?.unconfirmedSince).toBe(clock.now());
  expect(stack.logs.some((line) => line.includes('"reason":"github_unavailable"'))).toBe(true);
  await get(stack, "/api/me", cookie).expect(200); // the cached profile, still within the bound

  clock.advance(ACCESS_MAX_STALE_MS);
  const calls = userCalls(stack);
  await expectUnconfirmed(stack, cookie);
  expect(await storedRecord(stack, cookie)).not.toBeNull(); // nobody signed out
  await stack.settled();
  // Background revalidations keep trying (one per lease), the requests themselves never wait on GitHub.
  expect(userCalls(stack) - calls).toBe(1);

  stack.emulator.emulator.clearFaults();
  clock.advance(FAILED_LEASE_MS);
  await get(stack, "/auth/check", cookie).expect(503); // answered at once; the revalidation it starts succeeds
  await stack.settled();
  await get(stack, "/auth/check", cookie).expect(204);
  expect((await get(stack, "/api/me", cookie).expect(200)).body.login).toBe("octocat");
  expect((await storedRecord(stack, cookie))?.unconfirmedSince).toBeUndefined();
});

test("past the bound with GitHub failing, a check answers 503 at once: it never waits on GitHub", async () => {
  // GitHub holds every call far beyond this test's timeout: a check that waited could not answer.
  const stack = await startTestStack({
    clock,
    locks: new MemoryLocks(clock),
    env: { ALLOWED_ORGS: "github", ACCESS_MAX_STALE: "10m", GITHUB_TIMEOUT: "60s" },
  });
  try {
    const { cookie } = await signedInBrowser(stack.app, "octocat");
    githubDown(stack);
    clock.advance(PROFILE_MAX_AGE_MS + 1_000);
    await get(stack, "/auth/check", cookie).expect(204);
    await stack.settled();
    stack.emulator.emulator.clearFaults();
    stack.emulator.emulator.injectFault({ pathPrefix: "/api/v3/user", delayMs: 120_000, times: 10_000 });
    clock.advance(ACCESS_MAX_STALE_MS);
    for (let round = 0; round < 3; round += 1) await get(stack, "/auth/check", cookie).expect(503);
    await get(stack, "/api/me", cookie).expect(503);
  } finally {
    await stack.close();
  }
});

test("the user's own rate limit spent is bounded the same way (logged as such): a user removed meanwhile loses access within the bound", async () => {
  const stack = await stackWith();
  const { cookie } = await signedInBrowser(stack.app, "octocat");
  stack.emulator.emulator.setRateLimitRemaining("octocat", 0);
  stack.emulator.emulator.setOrgMembership("octocat", "github", null);
  clock.advance(PROFILE_MAX_AGE_MS + 1_000);
  await get(stack, "/auth/check", cookie).expect(204); // the last decision, GitHub refusing the revalidation
  await stack.settled();
  expect(stack.logs.some((line) => line.includes('"reason":"user_rate_limited"'))).toBe(true);
  clock.advance(ACCESS_MAX_STALE_MS);
  await expectUnconfirmed(stack, cookie);
  // The budget comes back: GitHub says she is no longer a member, and the session ends.
  stack.emulator.emulator.setRateLimitRemaining("octocat", 5_000);
  clock.advance(FAILED_LEASE_MS);
  await get(stack, "/auth/check", cookie).expect(503);
  await stack.settled();
  await get(stack, "/auth/check", cookie).expect(401);
  expect(await storedRecord(stack, cookie)).toBeNull();
  stack.emulator.emulator.setOrgMembership("octocat", "github", "active");
});

test("a session idle past the bound is asked of GitHub once, on its next request, and answered from that: no 503 for being away", async () => {
  const stack = await stackWith();
  const { cookie } = await signedInBrowser(stack.app, "octocat");
  clock.advance(PROFILE_MAX_AGE_MS + ACCESS_MAX_STALE_MS + 1_000);
  const calls = userCalls(stack);
  await get(stack, "/auth/check", cookie).expect(204);
  expect(userCalls(stack) - calls).toBe(1); // asked on the request itself, before it answered
  await get(stack, "/auth/check", cookie).expect(204);
  await stack.settled();
  expect(userCalls(stack) - calls).toBe(1);
  // Idle that long while GitHub is down: refused (503), not answered from the old decision.
  clock.advance(PROFILE_MAX_AGE_MS + ACCESS_MAX_STALE_MS + 1_000);
  githubDown(stack);
  await get(stack, "/auth/check", cookie).expect(503);
});

describe("a session marked revalidateFirst (a revocation GitHub could not confirm)", () => {
  const markRevalidateFirst = async (stack: TestStack, cookie: string) => {
    const marked = await updateRecord(entries(stack), sessionIdOf(cookie), (record): SignedInRecord => ({
      ...record,
      revalidateFirst: true,
    }));
    expect(marked?.revalidateFirst).toBe(true);
  };

  test("still authorized: the next check waits for GitHub, answers 204, and the flag is cleared", async () => {
    const stack = await stackWith();
    const { cookie } = await signedInBrowser(stack.app, "octocat");
    await markRevalidateFirst(stack, cookie);
    const calls = userCalls(stack);
    await get(stack, "/auth/check", cookie).expect(204);
    expect(userCalls(stack) - calls).toBe(1); // on the request, before it answered
    expect((await storedRecord(stack, cookie))?.revalidateFirst).toBeUndefined();
    await get(stack, "/auth/check", cookie).expect(204);
    expect(userCalls(stack) - calls).toBe(1); // cleared: nothing more to ask
  });

  test("revoked at GitHub: the next check itself answers 401, and the session is gone", async () => {
    const stack = await stackWith();
    const { cookie } = await signedInBrowser(stack.app, "octocat");
    stack.emulator.emulator.revokeAuthorization("octocat", TEST_CLIENT_ID);
    await markRevalidateFirst(stack, cookie);
    await get(stack, "/auth/check", cookie).expect(401);
    expect(await storedRecord(stack, cookie)).toBeNull();
  });

  test("GitHub cannot be asked: 503 access_unconfirmed, the session and the flag kept; allowed once GitHub answers", async () => {
    const stack = await stackWith();
    const { cookie } = await signedInBrowser(stack.app, "octocat");
    await markRevalidateFirst(stack, cookie);
    githubDown(stack);
    for (const path of ["/auth/check", "/api/me", "/api/session"]) {
      const answer = await get(stack, path, cookie);
      expect([path, answer.status, answer.body.error]).toEqual([path, 503, "access_unconfirmed"]);
    }
    await stack.settled();
    expect((await storedRecord(stack, cookie))?.revalidateFirst).toBe(true);
    stack.emulator.emulator.clearFaults();
    clock.advance(FAILED_LEASE_MS);
    await get(stack, "/auth/check", cookie).expect(503); // GitHub failed a moment ago: not waited on again; asked behind
    await stack.settled();
    await get(stack, "/auth/check", cookie).expect(204);
    expect((await storedRecord(stack, cookie))?.revalidateFirst).toBeUndefined();
  });
});
