// Authorization: Bearer <session token> wherever a session cookie works (SPEC §8): forward auth,
// the API, the sessions list, sign-out; refused when mixed with a cookie; never stored as itself.
import { randomBytes } from "node:crypto";
import request from "supertest";
import { deviceSessionToken } from "../support/device.js";
import { signedInBrowser } from "../support/sign-in.js";
import { redisEntries, startTestStack, testRedisUrl, type App, type TestStack } from "../support/stack.js";
import { Redis } from "ioredis";
import { ManualClock } from "../../src/clock.js";

let clock: ManualClock;
let stack: TestStack;

/** A program signed in through the device flow as `login`; its session token. */
const deviceToken = (app: App = stack.app, login = "octocat") => deviceSessionToken(stack, clock, app, login);

beforeEach(async () => {
  clock = new ManualClock(Date.now());
  stack = await startTestStack({ clock, env: { DEVICE_FLOW: "true" } });
});
afterEach(() => stack.close());

test("/auth/check answers 204 with the user's headers for a bearer, and sets no cookie", async () => {
  const token = await deviceToken();
  const check = await request(stack.app).get("/auth/check").set("Authorization", `Bearer ${token}`).expect(204);
  expect(check.headers["x-auth-request-user"]).toBe("octocat");
  expect(check.headers["set-cookie"]).toBeUndefined();
  // Forward auth after the idle expiry has moved a step: the entry slides, still no cookie.
  clock.advance(120_000);
  expect(
    (await request(stack.app).get("/auth/check").set("Authorization", `Bearer ${token}`).expect(204)).headers["set-cookie"],
  ).toBeUndefined();
});

test("/api/me, /api/session and /api/github/* take the bearer; a wrong or malformed one is 401", async () => {
  const token = await deviceToken();
  const bearer = `Bearer ${token}`;
  expect((await request(stack.app).get("/api/me").set("Authorization", bearer).expect(200)).body.login).toBe("octocat");
  expect((await request(stack.app).get("/api/session").set("Authorization", bearer).expect(200)).body.user.login).toBe("octocat");
  expect((await request(stack.app).get("/api/github/user").set("Authorization", bearer).expect(200)).body.login).toBe("octocat");
  const forged = `gls_${randomBytes(32).toString("base64url")}`;
  for (const header of [`Bearer ${forged}`, "Bearer nope", `Bearer ${token}x`]) {
    expect((await request(stack.app).get("/api/me").set("Authorization", header).expect(401)).body.error).toBe("unauthenticated");
  }
  await request(stack.app).get("/auth/check").set("Authorization", `Bearer ${forged}`).expect(401);
});

test("a request with both a session cookie and a bearer token is refused with 400 mixed_credentials", async () => {
  const token = await deviceToken();
  const browser = await signedInBrowser(stack.app);
  for (const path of ["/api/me", "/auth/check", "/api/sessions"]) {
    const answer = await request(stack.app)
      .get(path)
      .set("Accept", "application/json")
      .set("Cookie", browser.cookie)
      .set("Authorization", `Bearer ${token}`);
    expect({ path, status: answer.status, error: answer.body.error }).toEqual({ path, status: 400, error: "mixed_credentials" });
  }
  await request(stack.app).get("/api/me").set("Cookie", browser.cookie).expect(200);
});

test("sign-out with the bearer needs no same-origin check and ends the session; ending it from a browser works too", async () => {
  const token = await deviceToken();
  await request(stack.app).post("/auth/logout").set("Authorization", `Bearer ${token}`).set("Origin", "https://evil.example").expect(204);
  await request(stack.app).get("/api/me").set("Authorization", `Bearer ${token}`).expect(401);
  expect(stack.logs.some((line) => line.includes('"event":"sign_out"') && line.includes('"kind":"device"'))).toBe(true);

  const second = await deviceToken();
  // A second later, so that "newest first" puts the browser ahead (the same instant would be a tie in either order).
  clock.advance(1_000);
  const browser = await signedInBrowser(stack.app);
  const list = await request(stack.app).get("/api/sessions").set("Cookie", browser.cookie).expect(200);
  expect(list.body.map((session: { kind: string; current: boolean }) => [session.kind, session.current])).toEqual([
    ["browser", true],
    ["device", false],
  ]);
  const device = list.body.find((session: { kind: string }) => session.kind === "device");
  await request(stack.app)
    .delete(`/api/sessions/${device.id}`)
    .set("Cookie", browser.cookie)
    .set("Origin", "http://app.test:3000")
    .expect(204);
  await request(stack.app).get("/api/me").set("Authorization", `Bearer ${second}`).expect(401);
});

test("a program can end another of the user's sessions by bearer (no same-origin check); sign out everywhere reaches device sessions", async () => {
  const browser = await signedInBrowser(stack.app);
  const token = await deviceToken();
  const list = await request(stack.app).get("/api/sessions").set("Authorization", `Bearer ${token}`).expect(200);
  const other = list.body.find((session: { current: boolean }) => !session.current);
  await request(stack.app).delete(`/api/sessions/${other.id}`).set("Authorization", `Bearer ${token}`).expect(204);
  await request(stack.app).get("/api/me").set("Cookie", browser.cookie).expect(401);
  const again = await signedInBrowser(stack.app);
  await request(stack.app).post("/auth/logout?everywhere=1").set("Cookie", again.cookie).set("Origin", "http://app.test:3000").expect(303);
  await request(stack.app).get("/api/me").set("Authorization", `Bearer ${token}`).expect(401);
});

test("no session token in Redis: every key and value scanned holds neither the token nor GitHub's tokens", async () => {
  const token = await deviceToken();
  const secret = token.slice("gls_".length);
  const entries = await redisEntries(stack);
  expect(entries.size).toBeGreaterThan(0);
  const github = [...stack.emulator.emulator.issuedAccessTokens(), ...stack.emulator.emulator.issuedRefreshTokens()];
  for (const [key, value] of entries) {
    expect(`${key} ${value}`).not.toContain(secret);
    for (const githubToken of github) expect(value).not.toContain(githubToken);
  }
  expect(stack.logs.join("\n")).not.toContain(secret);
});

test("SESSION_SECRET rotation keeps device sessions: the old secret, listed second, still finds them", async () => {
  const token = await deviceToken();
  const rotated = await stack.restartedWith({ SESSION_SECRET: `${randomBytes(32).toString("base64url")},${stack.env.SESSION_SECRET}` });
  await request(rotated.app).get("/api/me").set("Authorization", `Bearer ${token}`).expect(200);
  const retired = await stack.restartedWith({ SESSION_SECRET: randomBytes(32).toString("base64url") });
  await request(retired.app).get("/api/me").set("Authorization", `Bearer ${token}`).expect(401);
});

test("idle expiry and SESSION_MAX_AGE end device sessions as they end browsers'", async () => {
  const short = await stack.restartedWith({ SESSION_MAX_AGE: "1h" });
  const token = await deviceToken(short.app);
  clock.advance(3_600_001);
  await request(short.app).get("/api/me").set("Authorization", `Bearer ${token}`).expect(401);
  expect(stack.logs.some((line) => line.includes('"reason":"max_age"') && line.includes('"kind":"device"'))).toBe(true);
});

test("a bearer /auth/check is one session read, as a cookie's is: one script (GET, PTTL) on the token's hashed id, nothing written", async () => {
  const token = await deviceToken();
  await request(stack.app).get("/auth/check").set("Authorization", `Bearer ${token}`).expect(204); // Redis now knows the script
  const watcher = new Redis(testRedisUrl());
  const monitor = await watcher.monitor();
  const seen: string[][] = [];
  monitor.on("monitor", (_time: string, args: string[]) => seen.push(args));
  try {
    await request(stack.app).get("/auth/check").set("Authorization", `Bearer ${token}`).expect(204);
    const marker = `${stack.keyPrefix}marker`;
    await stack.redis.get(marker);
    while (!seen.some((args) => args[1] === marker)) await new Promise((resolve) => setImmediate(resolve));
    const ours = seen.filter((args) => args.some((arg) => arg.startsWith(stack.keyPrefix)) && args[1] !== marker);
    expect(ours.map((args) => args[0]!.toLowerCase())).toEqual(["evalsha", "get", "pttl"]);
    expect(ours[1]![1]).toMatch(new RegExp(`^${stack.keyPrefix}sess:t\\.[A-Za-z0-9_-]{43}$`));
  } finally {
    monitor.disconnect();
    watcher.disconnect();
  }
});
