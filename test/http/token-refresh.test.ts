// Refresh of expiring tokens: on expiry, on 401, once across concurrent requests and instances,
// and what ends a session (a refusal that stands) and what does not (GitHub unreachable). Races are
// set up, not slept into: GitHub holds the slow request's call until the test lets it go, and the
// wait for another refresher's lease is ended by moving the test clock.
import request from "supertest";
import { ManualClock, type Clock } from "../../src/clock.js";
import { Sealer } from "../../src/sealer.js";
import { parseEntry } from "../../src/store/session-entries.js";
import { openAccessToken, type SignedInRecord } from "../../src/auth/session-record.js";
import { REFRESH_LEASE_MARGIN_MS, REFRESH_WAIT_MARGIN_MS } from "../../src/auth/token-refresh.js";
import { LOST_RACE_LOOK_INTERVAL_MS } from "../../src/auth/token-refresh.js";
import { holdRequests, serveHeld } from "../support/held-requests.js";
import { holdingRedisRelay } from "../support/held-redis.js";
import { redisEntries, startTestStack, TEST_CLIENT_ID, TEST_PUBLIC_URL, testRedisUrl, type TestStack } from "../support/stack.js";
import { sessionCookieOf, sessionIdOf } from "../support/cookies.js";
import { signIn } from "../support/sign-in.js";

const HOURS = 3_600_000;
const clock = new ManualClock(Date.now());
/** Every wait the server (or the emulator) started on the clock, by its length. */
const sleeps: number[] = [];
const countingClock: Clock = { now: () => clock.now(), sleep: (milliseconds) => (sleeps.push(milliseconds), clock.sleep(milliseconds)) };
let stack: TestStack;
/** GitHub's /user endpoint, held when a test needs a request to be in flight there. */
const userEndpoint = holdRequests("/api/v3/user");
let github: { url: string; close(): Promise<void> };
beforeAll(async () => {
  github = await serveHeld(userEndpoint, () => stack.emulator.emulator.app);
  stack = await startTestStack({
    clock: countingClock,
    clientType: "github-app",
    env: { GITHUB_BASE_URL: github.url, GITHUB_API_URL: `${github.url}/api/v3` },
  });
});
afterAll(async () => {
  await stack.close();
  await github.close();
});
beforeEach(() => {
  stack.emulator.emulator.resetStats();
  stack.emulator.emulator.clearFaults();
});

const emulator = () => stack.emulator.emulator;

async function signedInAgent(login = "octocat", on: TestStack = stack) {
  const agent = request.agent(on.app);
  const { callback } = await signIn(agent, { login });
  expect(callback.status).toBe(303);
  const cookie = sessionCookieOf(callback);
  on.emulator.emulator.resetStats();
  return { agent, cookie, sessionId: sessionIdOf(cookie) };
}

/** The access token stored (sealed) in the session, opened the way the server does. */
async function storedAccessToken(sessionId: string): Promise<string | null> {
  const raw = await stack.redis.get(`${stack.keyPrefix}sess:${sessionId}`);
  if (!raw) return null;
  const record = parseEntry(raw)!.data.auth as SignedInRecord;
  return openAccessToken(record, new Sealer(stack.config.tokenEncryptionKeys));
}

test("an expired token is refreshed before use, once, and the new pair is stored", async () => {
  const { agent, sessionId } = await signedInAgent();
  const before = await agent.get("/api/session").expect(200);
  const oldToken = await storedAccessToken(sessionId);
  clock.advance(8 * HOURS);
  await agent.get("/api/me").expect(200);
  expect(emulator().stats.refreshes).toBe(1);
  const after = await agent.get("/api/session").expect(200);
  expect(Date.parse(after.body.github.accessTokenExpiresAt)).toBeGreaterThan(Date.parse(before.body.github.accessTokenExpiresAt));
  const newToken = await storedAccessToken(sessionId);
  expect(newToken).not.toBe(oldToken);
  expect(emulator().issuedAccessTokens().at(-1)).toBe(newToken);
  await agent.get("/api/me").expect(200);
  expect(emulator().stats.refreshes).toBe(1);
});

test("a token within the refresh margin is refreshed early; one well before expiry is not", async () => {
  const { agent } = await signedInAgent();
  clock.advance(7 * HOURS);
  await agent.get("/api/me").expect(200);
  expect(emulator().stats.refreshes).toBe(0);
  clock.advance(HOURS - 60_000); // one minute before expiry: inside the margin
  await agent.get("/api/me").expect(200);
  expect(emulator().stats.refreshes).toBe(1);
});

test("401 Bad credentials on a not-yet-expired token: refresh once, retry once", async () => {
  const { agent } = await signedInAgent();
  clock.advance(10 * 60_000); // the cached profile is stale: /api/me asks GitHub
  emulator().injectFault({ pathPrefix: "/api/v3/user", status: 401, body: { message: "Bad credentials", status: "401" } });
  const me = await agent.get("/api/me").expect(200);
  expect(me.body.login).toBe("octocat");
  expect(emulator().stats.refreshes).toBe(1);
  const userCalls = emulator().stats.apiRequests.filter((call) => call.path === "/api/v3/user");
  expect(userCalls.map((call) => call.status)).toEqual([401, 200]);
});

test.each([
  ["/api/me", 24],
  ["/api/github/user", 20],
])("%s: %i concurrent requests on an expired token over two instances all succeed with one refresh, no reuse", async (path, count) => {
  const { cookie } = await signedInAgent();
  const instances = [stack.app, await stack.anotherInstance()];
  clock.advance(9 * HOURS);
  const answers = await Promise.all(
    Array.from({ length: count }, (_, index) =>
      request(instances[index % 2]!)
        .get(path)
        .set("Cookie", cookie),
    ),
  );
  expect(answers.map((answer) => answer.status)).toEqual(Array(count).fill(200));
  expect(emulator().stats.refreshes).toBe(1);
  expect(emulator().stats.refreshTokenReuses).toBe(0);
});

test("a request waiting on a refresh lease that is never released answers 503 refresh_in_progress once the lease must have lapsed; the session stays", async () => {
  const { agent, sessionId } = await signedInAgent();
  // Another instance took the session's refresh lease and stopped (it crashed mid-refresh).
  const lease = `${stack.keyPrefix}lock:refresh:${sessionId}`;
  await stack.redis.set(lease, "an-instance-that-crashed", "PX", 60_000);
  clock.advance(9 * HOURS);
  const waiting = clock.nextSleep();
  const answer = agent.get("/api/me").then((response) => response);
  await waiting; // the request found the lease taken and waits for its holder's tokens
  clock.advance(stack.config.github.timeoutMs + REFRESH_LEASE_MARGIN_MS + REFRESH_WAIT_MARGIN_MS);
  const refused = await answer;
  expect(refused.status).toBe(503);
  expect(refused.body.error).toBe("refresh_in_progress");
  expect(refused.headers["retry-after"]).toBe("1");
  expect(emulator().stats.refreshes).toBe(0);
  // Once the lease is gone (Redis expires it; here it is taken away), the next request refreshes.
  await stack.redis.del(lease);
  await agent.get("/api/me").expect(200);
  expect(emulator().stats.refreshes).toBe(1);
}, 5_000); // well under the real lease (GITHUB_TIMEOUT 3 s + margins): the test clock ends the wait, not real time

test("a waiter uses the tokens the lease's holder stored, without waiting for the lease to be released", async () => {
  // GitHub's token endpoint holds the holder's refresh; the relay then holds its release of the lease.
  const tokenEndpoint = holdRequests("/login/oauth/access_token");
  const front = await serveHeld(tokenEndpoint, () => held.emulator.emulator.app);
  const relay = await holdingRedisRelay(testRedisUrl());
  const held = await startTestStack({
    clock,
    redisUrl: relay.url,
    env: { GITHUB_BASE_URL: front.url, GITHUB_API_URL: `${front.url}/api/v3` },
  });
  try {
    const { cookie, sessionId } = await signedInAgent("octocat", held);
    const other = await held.anotherInstance();
    clock.advance(9 * HOURS);
    const refreshing = tokenEndpoint.holdNext();
    const holder = request(held.app)
      .get("/api/me")
      .set("Cookie", cookie)
      .then((answer) => answer);
    await refreshing; // the holder has the lease and is at GitHub
    const waiting = clock.nextSleep();
    const waiter = request(other)
      .get("/api/github/user")
      .set("Cookie", cookie)
      .then((answer) => answer);
    await waiting; // the waiter loaded the old tokens and waits on the lease
    const releasingLease = relay.holdNext('redis.call("DEL", KEYS[1])');
    tokenEndpoint.release();
    await releasingLease; // new tokens stored; the lease is still held
    expect((await waiter).status).toBe(200);
    expect(await held.redis.get(`${held.keyPrefix}lock:refresh:${sessionId}`)).not.toBeNull(); // answered while the lease was held
    relay.release();
    expect((await holder).status).toBe(200);
    expect(held.emulator.emulator.stats.refreshes).toBe(1);
    expect(held.emulator.emulator.stats.refreshTokenReuses).toBe(0);
  } finally {
    await held.close();
    await relay.close();
    await front.close();
  }
});

test("a holder whose lease lapsed while GitHub was slow meets bad_refresh_token, and finds and uses the next holder's tokens", async () => {
  // GitHub's token endpoint holds the first holder's refresh; its lease is then gone from Redis
  // (lapsed, or lost in a failover), so a second request takes the lease and refreshes first.
  const tokenEndpoint = holdRequests("/login/oauth/access_token");
  const front = await serveHeld(tokenEndpoint, () => held.emulator.emulator.app);
  const held = await startTestStack({ clock, env: { GITHUB_BASE_URL: front.url, GITHUB_API_URL: `${front.url}/api/v3` } });
  try {
    const { cookie, sessionId } = await signedInAgent("octocat", held);
    clock.advance(9 * HOURS);
    const refreshing = tokenEndpoint.holdNext({ onlyFirst: true });
    const slow = request(held.app)
      .get("/api/github/user")
      .set("Cookie", cookie)
      .then((answer) => answer);
    await refreshing; // the first holder is at GitHub with the refresh token
    await held.redis.del(`${held.keyPrefix}lock:refresh:${sessionId}`);
    expect(
      (
        await request(await held.anotherInstance())
          .get("/api/github/user")
          .set("Cookie", cookie)
      ).status,
    ).toBe(200);
    expect(held.emulator.emulator.stats.refreshes).toBe(1);
    tokenEndpoint.release();
    expect((await slow).status).toBe(200);
    expect(held.emulator.emulator.stats.refreshTokenReuses).toBe(1); // the first holder's late refresh was refused...
    await request(held.app).get("/api/me").set("Cookie", cookie).expect(200); // ...and did not end the session
  } finally {
    await held.close();
    await front.close();
  }
});

test("refresh refused (authorization revoked at GitHub) → reauthentication_required and the session is gone", async () => {
  const { agent, sessionId } = await signedInAgent();
  emulator().revokeAuthorization("octocat", TEST_CLIENT_ID);
  clock.advance(8 * HOURS);
  const answer = await agent.get("/api/me").expect(401);
  expect(answer.body).toEqual({ error: "reauthentication_required", message: expect.any(String) });
  expect(await stack.redis.exists(`${stack.keyPrefix}sess:${sessionId}`)).toBe(0);
  expect((await agent.get("/api/me").expect(401)).body.error).toBe("unauthenticated");
});

test("a refusal met while holding the lease ends the session at once: nobody else can have refreshed, so nobody is waited for", async () => {
  const { agent, sessionId } = await signedInAgent();
  emulator().revokeAuthorization("octocat", TEST_CLIENT_ID);
  clock.advance(8 * HOURS);
  sleeps.length = 0;
  const answer = await agent.get("/api/me").expect(401);
  expect(answer.body.error).toBe("reauthentication_required");
  expect(emulator().stats.tokenRequests.map((call) => call.outcome)).toEqual(["bad_refresh_token"]);
  // No look, and no pause between looks, for a winner's tokens (ten of them, a second, before).
  expect(sleeps.filter((milliseconds) => milliseconds === LOST_RACE_LOOK_INTERVAL_MS)).toEqual([]);
  expect(await stack.redis.exists(`${stack.keyPrefix}sess:${sessionId}`)).toBe(0);
});

test("a refresh token past its own expiry ends the session without asking GitHub", async () => {
  // Sessions that outlive GitHub's refresh token (184 days) are possible only with such settings.
  const longLived = await startTestStack({ clock, env: { SESSION_IDLE_TIMEOUT: "400d", SESSION_MAX_AGE: "400d" } });
  try {
    const { agent, sessionId } = await signedInAgent("octocat", longLived);
    const session = (await agent.get("/api/session").expect(200)).body;
    clock.advance(Date.parse(session.github.refreshTokenExpiresAt) - clock.now() + 60_000);
    const answer = await agent.get("/api/me").expect(401);
    expect(answer.body.error).toBe("reauthentication_required");
    expect(longLived.emulator.emulator.stats.tokenRequests).toEqual([]); // the refresh token was not offered to GitHub
    expect(await longLived.redis.exists(`${longLived.keyPrefix}sess:${sessionId}`)).toBe(0);
  } finally {
    await longLived.close();
  }
});

test("GitHub unreachable during refresh: the session stays, /api/me serves the cached profile, the proxy says 502", async () => {
  const { agent, sessionId } = await signedInAgent();
  // In use until shortly before the token expires, so the last decision GitHub confirmed is recent:
  // one older than ACCESS_MAX_STALE would be refused while GitHub cannot confirm it (SPEC §7).
  clock.advance(8 * HOURS - 5 * 60_000);
  await agent.get("/api/me").expect(200);
  clock.advance(10 * 60_000);
  emulator().resetStats();
  emulator().injectFault({ pathPrefix: "/login/oauth/access_token", destroySocket: true, times: 2 });
  expect((await agent.get("/api/me").expect(200)).body.login).toBe("octocat");
  expect((await agent.get("/api/github/user").expect(502)).body.error).toBe("github_unavailable");
  expect(await stack.redis.exists(`${stack.keyPrefix}sess:${sessionId}`)).toBe(1);
  emulator().injectFault({ pathPrefix: "/login/oauth/access_token", status: 500, body: "boom" });
  await agent.get("/api/github/user").expect(502);
  expect(await stack.redis.exists(`${stack.keyPrefix}sess:${sessionId}`)).toBe(1);
  // GitHub is back: the refresh happens and everything works.
  await agent.get("/api/github/user").expect(200);
  expect(emulator().stats.refreshes).toBe(1);
});

test("a slow request racing a sign-out does not bring the session back", async () => {
  const { agent, cookie, sessionId } = await signedInAgent();
  clock.advance(10 * 60_000); // stale profile → /api/me calls GitHub
  const atGitHub = userEndpoint.holdNext();
  const slow = request(stack.app)
    .get("/api/me")
    .set("Cookie", cookie)
    .then((answer) => answer);
  await atGitHub; // the slow request has loaded its session and waits for GitHub
  await agent.post("/auth/logout").set("Origin", TEST_PUBLIC_URL).expect(303);
  userEndpoint.release();
  expect((await slow).status).toBe(401);
  expect(await stack.redis.exists(`${stack.keyPrefix}sess:${sessionId}`)).toBe(0);
  await request(stack.app).get("/api/me").set("Cookie", cookie).expect(401);
});

test("a slow request whose write-back is on its way to Redis when the session is signed out does not bring it back", async () => {
  // Every instance reaches Redis through a relay that holds the write-back (the compare-and-set
  // against the entry as read, the only command that carries KEEPTTL) after its read.
  const relay = await holdingRedisRelay(testRedisUrl());
  const relayed = await startTestStack({ clock, redisUrl: relay.url });
  try {
    const { cookie, sessionId } = await signedInAgent("octocat", relayed);
    const other = await relayed.anotherInstance();
    clock.advance(10 * 60_000); // stale profile: /api/me revalidates, then writes the profile back
    const writing = relay.holdNext("KEEPTTL");
    const slow = request(relayed.app)
      .get("/api/me")
      .set("Cookie", cookie)
      .then((answer) => answer);
    await writing; // read, asked GitHub, and now writing what it read plus GitHub's answer
    await request(other).post("/auth/logout").set("Cookie", cookie).set("Origin", TEST_PUBLIC_URL).expect(303);
    relay.release();
    expect((await slow).status).toBe(401);
    expect(await relayed.redis.exists(`${relayed.keyPrefix}sess:${sessionId}`)).toBe(0);
  } finally {
    await relayed.close();
    await relay.close();
  }
});

test("a slow request does not write its older tokens over a newer refresh", async () => {
  const { cookie, sessionId } = await signedInAgent();
  const other = await stack.anotherInstance();
  clock.advance(10 * 60_000); // stale profile: the slow request revalidates with the current token
  const atGitHub = userEndpoint.holdNext({ onlyFirst: true });
  const slow = request(stack.app)
    .get("/api/me")
    .set("Cookie", cookie)
    .then((answer) => answer);
  await atGitHub; // the slow request holds the tokens it loaded and waits for GitHub
  clock.advance(8 * HOURS); // meanwhile the token expires and another instance refreshes it
  await request(other).get("/api/session").set("Cookie", cookie).expect(200);
  await request(other).get("/api/me").set("Cookie", cookie).expect(200);
  expect(emulator().stats.refreshes).toBe(1);
  userEndpoint.release();
  expect((await slow).status).toBe(200);
  const stored = await storedAccessToken(sessionId);
  const newest = emulator().issuedAccessTokens().at(-1);
  expect(stored).toBe(newest);
  expect(emulator().stats.refreshTokenReuses).toBe(0);
  // The stored token works at GitHub.
  await request(stack.app).get("/api/github/user").set("Cookie", cookie).expect(200);
});

test("an OAuth App token (not refreshable) that GitHub refuses ends the session", async () => {
  const oauth = await startTestStack({ clock, clientType: "oauth-app" });
  try {
    const agent = request.agent(oauth.app);
    await signIn(agent);
    oauth.emulator.emulator.revokeAuthorization("octocat", TEST_CLIENT_ID);
    const answer = await agent.get("/api/github/user").expect(401);
    expect(answer.body.error).toBe("reauthentication_required");
    await agent.get("/api/me").expect(401);
    expect(oauth.emulator.emulator.stats.refreshes).toBe(0);
  } finally {
    await oauth.close();
  }
});

test("an OAuth App with expiring tokens (auto-detected) refreshes like a GitHub App", async () => {
  const oauth = await startTestStack({ clock, clientType: "oauth-app", expiringTokens: true });
  try {
    const agent = request.agent(oauth.app);
    await signIn(agent);
    const session = await agent.get("/api/session").expect(200);
    expect(session.body.github.clientType).toBe("oauth-app");
    expect(session.body.github.accessTokenExpiresAt).not.toBeNull();
    clock.advance(9 * HOURS);
    await agent.get("/api/github/user").expect(200);
    expect(oauth.emulator.emulator.stats.refreshes).toBe(1);
  } finally {
    await oauth.close();
  }
});

test("no token leaks into Redis or logs through refreshes", async () => {
  const { agent } = await signedInAgent();
  clock.advance(9 * HOURS);
  await agent.get("/api/me").expect(200);
  const tokens = [...emulator().issuedAccessTokens(), ...emulator().issuedRefreshTokens()];
  const everything = [...(await redisEntries(stack)).values(), ...stack.logs].join("\n");
  for (const token of tokens) expect(everything).not.toContain(token);
});

test("a refresher that loses the race (its lease lapsed) meets bad_refresh_token, re-reads and uses the winner's tokens", async () => {
  // Refresh locks that exclude no one: what happens when a lease lapses while GitHub is slow.
  // (No revalidation lease is ever granted, so only the two requests' own refreshes reach GitHub.)
  // Nobody can tell they still hold such a lease: each refresher's may have lapsed.
  const noLocks = {
    tryAcquire: async (name: string) => (name.startsWith("refresh:") ? "anyone" : null),
    release: async () => undefined,
    holds: async () => false,
  };
  const racy = await startTestStack({ clock, locks: noLocks });
  try {
    const agent = request.agent(racy.app);
    const { callback } = await signIn(agent);
    const cookie = sessionCookieOf(callback);
    clock.advance(9 * HOURS);
    const answers = await Promise.all([1, 2].map(() => request(racy.app).get("/api/github/user").set("Cookie", cookie)));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    // Both refreshers went to GitHub with the same refresh token: one won, one was refused...
    expect(racy.emulator.emulator.stats.refreshes).toBe(1);
    expect(racy.emulator.emulator.stats.refreshTokenReuses).toBe(1);
    // ...and the loser did not end the session.
    await request(racy.app).get("/api/me").set("Cookie", cookie).expect(200);
  } finally {
    await racy.close();
  }
});
