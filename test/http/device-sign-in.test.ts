// Device sign-in for programs (SPEC §8) against the emulator's device flow, over real HTTP and Redis.
import request from "supertest";
import { ManualClock } from "../../src/clock.js";
import { DEVICE_GRANT, pollDevice, startDevice } from "../support/device.js";
import { holdingRedisRelay } from "../support/held-redis.js";
import { holdRequests, serveHeld } from "../support/held-requests.js";
import { redisEntries, startTestStack, TEST_CLIENT_ID, testRedisUrl, type TestStack } from "../support/stack.js";

const SECONDS = 1000;
let clock: ManualClock;
let stack: TestStack;
const emulator = () => stack.emulator.emulator;
const devicePolls = () => emulator().stats.tokenRequests.filter((record) => record.grantType === DEVICE_GRANT).length;
const auditLines = () => stack.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.event === "sign_in");

/** Started, and GitHub's interval since passed, so the next poll asks GitHub. */
async function startedAndDue(app = stack.app) {
  const started = await startDevice(app);
  clock.advance(5 * SECONDS);
  return started;
}

beforeEach(async () => {
  // From real time: Redis expires the user index at absolute times (PEXPIREAT).
  clock = new ManualClock(Date.now());
  stack = await startTestStack({ clock, env: { DEVICE_FLOW: "true" } });
});
afterEach(() => stack.close());

test("without DEVICE_FLOW=true both routes answer 404", async () => {
  const off = await startTestStack({ clock });
  try {
    await request(off.app).post("/auth/device").expect(404);
    const poll = await pollDevice(off.app, "x".repeat(43)).expect(404);
    expect(poll.body.error).toBe("not_found");
  } finally {
    await off.close();
  }
});

test("start: our own opaque device_code, GitHub's user code and page; GitHub's device code only sealed in Redis, with its expiry", async () => {
  const started = await startDevice(stack.app);
  expect(started).toEqual({
    device_code: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
    user_code: expect.stringMatching(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/),
    verification_uri: `${stack.emulator.url}/login/device`,
    expires_in: 900,
    interval: 5,
  });
  const entries = await redisEntries(stack);
  const deviceKeys = [...entries.keys()].filter((key) => key.startsWith(`${stack.keyPrefix}device:`));
  expect(deviceKeys).toHaveLength(1);
  const stored = entries.get(deviceKeys[0]!)!;
  expect(stored).not.toContain(started.device_code);
  expect(deviceKeys[0]).not.toContain(started.device_code);
  expect(stored).not.toMatch(/[0-9a-f]{40}/); // GitHub's device code is 40 hex characters
  const ttl = await stack.redis.pttl(deviceKeys[0]!);
  expect(ttl).toBeGreaterThan(900 * SECONDS);
  expect(ttl).toBeLessThanOrEqual(1500 * SECONDS);
});

test("pending until approved, then the session token; /api/me with it; a device session in the list and the audit", async () => {
  const started = await startDevice(stack.app);
  const pending = await pollDevice(stack.app, started.device_code).expect(400);
  expect(pending.body).toEqual({ error: "authorization_pending", error_description: expect.any(String), message: expect.any(String) });
  expect(devicePolls()).toBe(0); // GitHub's interval counts from the code request
  emulator().approveDevice(started.user_code, "octocat");
  clock.advance(5 * SECONDS);
  const approved = await pollDevice(stack.app, started.device_code).set("User-Agent", "my-cli/1.0").expect(200);
  expect(approved.headers["cache-control"]).toMatch(/no-store/);
  expect(approved.body).toEqual({
    access_token: expect.stringMatching(/^gls_[A-Za-z0-9_-]{43}$/),
    token_type: "Bearer",
    expires_in: 86400,
    user: { id: 583231, login: "octocat" },
  });
  const bearer = `Bearer ${approved.body.access_token}`;
  expect((await request(stack.app).get("/api/me").set("Authorization", bearer).expect(200)).body.login).toBe("octocat");
  const sessions = await request(stack.app).get("/api/sessions").set("Authorization", bearer).expect(200);
  expect(sessions.body).toEqual([expect.objectContaining({ current: true, kind: "device", userAgent: "my-cli/1.0" })]);
  expect(auditLines()).toEqual([
    expect.objectContaining({ event: "sign_in", outcome: "success", kind: "device", userId: 583231, login: "octocat" }),
  ]);
  // Spent: the handle answers nothing more.
  clock.advance(5 * SECONDS);
  expect((await pollDevice(stack.app, started.device_code).expect(400)).body.error).toBe("invalid_grant");
});

test("a program polling faster than its interval gets slow_down (5 s more each time) and GitHub is not asked for it", async () => {
  const started = await startedAndDue();
  await pollDevice(stack.app, started.device_code).expect(400);
  expect(devicePolls()).toBe(1);
  for (const [wait, interval] of [
    [1, 10],
    [1, 15],
    [9, 20],
  ] as const) {
    clock.advance(wait * SECONDS);
    expect((await pollDevice(stack.app, started.device_code).expect(400)).body).toMatchObject({ error: "slow_down", interval });
  }
  expect(devicePolls()).toBe(1);
  clock.advance(20 * SECONDS);
  expect((await pollDevice(stack.app, started.device_code).expect(400)).body.error).toBe("authorization_pending");
  expect(devicePolls()).toBe(2);
});

test("GitHub's slow_down is honoured: its new interval holds for the program and for the server's next call", async () => {
  const started = await startedAndDue();
  emulator().slowDownNextPolls();
  expect((await pollDevice(stack.app, started.device_code).expect(400)).body).toMatchObject({ error: "slow_down", interval: 10 });
  clock.advance(10 * SECONDS);
  expect((await pollDevice(stack.app, started.device_code).expect(400)).body.error).toBe("authorization_pending");
  expect(emulator().stats.tokenRequests.map((record) => record.outcome)).toEqual(["slow_down", "authorization_pending"]);
});

test("expired_token, access_denied, and an unknown device_code", async () => {
  const expired = await startedAndDue();
  emulator().expireDevice(expired.user_code);
  expect((await pollDevice(stack.app, expired.device_code).expect(400)).body.error).toBe("expired_token");
  const late = await startedAndDue();
  clock.advance(900 * SECONDS);
  expect((await pollDevice(stack.app, late.device_code).expect(400)).body.error).toBe("expired_token");
  const denied = await startedAndDue();
  emulator().denyDevice(denied.user_code);
  expect((await pollDevice(stack.app, denied.device_code).expect(400)).body.error).toBe("access_denied");
  expect((await pollDevice(stack.app, "A".repeat(43)).expect(400)).body.error).toBe("invalid_grant");
});

test("bad polls are clear 400s: no grant_type, another grant, repeated values, broken JSON; JSON bodies work", async () => {
  const started = await startDevice(stack.app);
  const post = () => request(stack.app).post("/auth/device/token");
  expect((await post().type("form").send({ device_code: started.device_code }).expect(400)).body.error).toBe("invalid_request");
  expect((await post().type("form").send({ grant_type: "password", device_code: started.device_code }).expect(400)).body.error).toBe(
    "unsupported_grant_type",
  );
  expect(
    (
      await post()
        .type("form")
        .send(`grant_type=${encodeURIComponent(DEVICE_GRANT)}&device_code=a&device_code=b`)
        .expect(400)
    ).body.error,
  ).toBe("invalid_request");
  expect((await post().set("Content-Type", "application/json").send("{nope").expect(400)).body.error).toBe("bad_request");
  const json = await post().send({ grant_type: DEVICE_GRANT, device_code: started.device_code }).expect(400);
  expect(json.body.error).toBe("authorization_pending");
});

test("device flow disabled in the app's settings: a clear operator error (503, logged), never a 500", async () => {
  emulator().setDeviceFlowEnabled(TEST_CLIENT_ID, false);
  const refused = await request(stack.app).post("/auth/device").expect(503);
  expect(refused.body).toEqual({ error: "device_flow_disabled", message: expect.stringContaining("operator") });
  expect(stack.logs.some((line) => line.includes("Enable Device Flow"))).toBe(true);
  emulator().setDeviceFlowEnabled(TEST_CLIENT_ID, true);
  const started = await startedAndDue();
  emulator().setDeviceFlowEnabled(TEST_CLIENT_ID, false);
  expect((await pollDevice(stack.app, started.device_code).expect(503)).body.error).toBe("device_flow_disabled");
});

test("the allow-lists apply as to a browser: a refused user gets access_denied, the token is revoked, the refusal audited", async () => {
  const { app } = await stack.restartedWith({ ALLOWED_USERS: "someone-else" });
  const started = await startedAndDue(app);
  emulator().approveDevice(started.user_code, "octocat");
  const refused = await pollDevice(app, started.device_code).expect(400);
  expect(refused.body).toMatchObject({ error: "access_denied" });
  const token = emulator().issuedAccessTokens().at(-1)!;
  const user = await fetch(`${stack.emulator.url}/api/v3/user`, { headers: { authorization: `token ${token}` } });
  expect(user.status).toBe(401);
  expect(auditLines()).toEqual([expect.objectContaining({ outcome: "not_allowed", kind: "device", login: "octocat" })]);
  expect([...(await redisEntries(stack)).keys()].filter((key) => key.includes("sess:"))).toEqual([]);
});

test("an OAuth App signs programs in too (non-expiring token, its scopes)", async () => {
  const oauth = await startTestStack({ clock, clientType: "oauth-app", env: { DEVICE_FLOW: "true" } });
  try {
    const started = await startDevice(oauth.app);
    clock.advance(5 * SECONDS);
    oauth.emulator.emulator.approveDevice(started.user_code, "octocat");
    const approved = await pollDevice(oauth.app, started.device_code).expect(200);
    const details = await request(oauth.app).get("/api/session").set("Authorization", `Bearer ${approved.body.access_token}`).expect(200);
    expect(details.body.github).toMatchObject({ clientType: "oauth-app", scopes: ["read:user", "user:email"], accessTokenExpiresAt: null });
  } finally {
    await oauth.close();
  }
});

test("a GitHub App's expiring token in a device session is refreshed like a browser's", async () => {
  const started = await startedAndDue();
  emulator().approveDevice(started.user_code, "octocat");
  const { body } = await pollDevice(stack.app, started.device_code).expect(200);
  clock.advance(8 * 3600 * SECONDS + 1);
  await request(stack.app).get("/api/me").set("Authorization", `Bearer ${body.access_token}`).expect(200);
  expect(emulator().stats.refreshes).toBe(1);
});

test("concurrent polls of one device_code: one GitHub call at a time, one session", async () => {
  const tokenEndpoint = holdRequests("/login/oauth/access_token");
  const front = await serveHeld(tokenEndpoint, () => held.emulator.emulator.app);
  const held = await startTestStack({
    clock,
    env: { DEVICE_FLOW: "true", GITHUB_BASE_URL: front.url, GITHUB_API_URL: `${front.url}/api/v3` },
  });
  try {
    const started = await startDevice(held.app);
    clock.advance(5 * SECONDS);
    held.emulator.emulator.approveDevice(started.user_code, "octocat");
    const atGitHub = tokenEndpoint.holdNext();
    const first = pollDevice(held.app, started.device_code).then((answer) => answer);
    await atGitHub; // the first poll holds the handle's lock and waits on GitHub
    const other = await held.anotherInstance();
    const second = await pollDevice(other, started.device_code);
    expect(second.status).toBe(400);
    expect(second.body.error).toBe("slow_down");
    tokenEndpoint.release();
    expect((await first).status).toBe(200);
    clock.advance(60 * SECONDS);
    expect((await pollDevice(other, started.device_code)).body.error).toBe("invalid_grant");
    expect(held.emulator.emulator.stats.deviceGrants).toBe(1);
    const sessionKeys = [...(await redisEntries(held)).keys()].filter((key) => key.startsWith(`${held.keyPrefix}sess:`));
    expect(sessionKeys).toHaveLength(1);
  } finally {
    await held.close();
    await front.close();
  }
});

test("a poll racing another between its read and its write of the attempt is slow_down: the lock, not luck", async () => {
  const relay = await holdingRedisRelay(testRedisUrl());
  const held = await startTestStack({ clock, redisUrl: relay.url, env: { DEVICE_FLOW: "true" } });
  try {
    const started = await startDevice(held.app);
    clock.advance(5 * SECONDS);
    const other = await held.anotherInstance();
    const writing = relay.holdNext("KEEPTTL");
    const first = pollDevice(held.app, started.device_code).then((answer) => answer);
    await writing; // the first poll read the attempt and is writing its pacing back
    const second = await pollDevice(other, started.device_code);
    expect(second.body.error).toBe("slow_down");
    relay.release();
    expect((await first).body.error).toBe("authorization_pending");
    expect(held.emulator.emulator.stats.tokenRequests.filter((record) => record.grantType === DEVICE_GRANT)).toHaveLength(1);
  } finally {
    await held.close();
    await relay.close();
  }
});
