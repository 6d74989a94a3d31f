// Redis and GitHub down are expected states with their own answers, not exceptions that sign
// people out. Redis is a real redis-server stopped and restarted under the running app.
import request from "supertest";
import { createApp } from "../../src/app.js";
import { buildServices } from "../../src/services.js";
import { ManualClock, systemClock } from "../../src/clock.js";
import { createLogger } from "../../src/logger.js";
import { redisBackend } from "../../src/store/backend.js";
import { createRedisConnection, whenReady } from "../../src/store/redis-client.js";
import { RedisUserSessions } from "../../src/store/user-sessions.js";
import { eventually } from "../support/eventually.js";
import { freePort, startRedisServer, stopRedisServer } from "../support/redis-server.js";
import { startTestStack, type TestStack, onLoginHostByDefault } from "../support/stack.js";
import { sessionCookieOf } from "../support/cookies.js";
import { approvedSignIn, signIn } from "../support/sign-in.js";

describe("Redis outage", () => {
  test("503 with Retry-After while Redis is down, nobody signed out, recovery by itself", async () => {
    const redisServer = await startRedisServer(undefined, { appendOnly: true });
    const stack = await startTestStack({ redisUrl: redisServer.url });
    let restarted = redisServer;
    try {
      const { callback } = await signIn(request.agent(stack.app));
      const cookie = sessionCookieOf(callback);
      await request(stack.app).get("/api/me").set("Cookie", cookie).expect(200);

      await stopRedisServer(redisServer, { keepDir: true });

      const api = await request(stack.app).get("/api/me").set("Cookie", cookie);
      expect(api.status).toBe(503);
      expect(api.headers["retry-after"]).toBe("5");
      expect(api.body).toEqual({ error: "session_store_unavailable", message: expect.any(String) });
      expect(api.headers["set-cookie"]).toBeUndefined(); // the cookie is kept
      const page = await request(stack.app).get("/").set("Cookie", cookie);
      expect(page.status).toBe(503);
      expect(page.type).toBe("text/html");
      expect(page.headers["retry-after"]).toBe("5");
      expect(page.headers["set-cookie"]).toBeUndefined();
      const logout = await request(stack.app).post("/auth/logout").set("Cookie", cookie).set("Accept", "application/json");
      expect(logout.status).toBe(503);
      expect((await request(stack.app).get("/readyz")).status).toBe(503);
      await request(stack.app).get("/healthz").expect(200);

      restarted = await startRedisServer(redisServer.port, { dir: redisServer.dir, appendOnly: true });
      await eventually("/readyz to answer 200 once Redis is back", async () => (await request(stack.app).get("/readyz")).status === 200, {
        timeoutMs: 15_000,
        intervalMs: 100,
      });
      // Same cookie, same session: the outage signed nobody out.
      expect((await request(stack.app).get("/api/me").set("Cookie", cookie).expect(200)).body.login).toBe("octocat");
    } finally {
      await stack.close();
      await stopRedisServer(restarted);
    }
  });
});

test("Redis failing after the session was read (e.g. mid-failover) is a 503 too, not a 500", async () => {
  const stack = await startTestStack();
  const dead = createRedisConnection({ ...stack.config.redis, url: `redis://127.0.0.1:${await freePort()}` });
  dead.on("error", () => {});
  try {
    const live = createRedisConnection(stack.config.redis);
    live.on("error", () => {});
    await whenReady(live, 5_000);
    const logger = createLogger("silent");
    // Sessions answer; the per-user index (written at sign-in) does not.
    const storage = {
      ...redisBackend(live, stack.keyPrefix, systemClock),
      userSessions: new RedisUserSessions(dead, stack.keyPrefix, systemClock),
    };
    const app = onLoginHostByDefault(createApp(buildServices(stack.config, { clock: systemClock, logger, storage })), stack.config);
    const agent = request.agent(app);
    const { callback } = await signIn(agent);
    expect(callback.status).toBe(503);
    expect(callback.headers["retry-after"]).toBe("5");
    live.disconnect();
  } finally {
    dead.disconnect();
    await stack.close();
  }
});

describe("GitHub outage", () => {
  const clock = new ManualClock(Date.now());
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ clock, env: { GITHUB_TIMEOUT: "1s" } });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.emulator.emulator.clearFaults());

  // Each of these would hang for the fault's 60 s (and fail on the test timeout) if a call to
  // GitHub were not bounded by GITHUB_TIMEOUT.
  test("GitHub not answering the code exchange: the 502 page, in GITHUB_TIMEOUT", async () => {
    const agent = request.agent(stack.app);
    const { callbackPath } = await approvedSignIn(agent);
    stack.emulator.emulator.injectFault({ pathPrefix: "/login/oauth/access_token", delayMs: 60_000, status: 200 });
    const callback = await agent.get(callbackPath);
    expect(callback.status).toBe(502);
    expect(callback.text).toContain("GitHub is unavailable");
  });

  test("GitHub not answering GET /user at sign-in: 502", async () => {
    const agent = request.agent(stack.app);
    const { callbackPath } = await approvedSignIn(agent);
    stack.emulator.emulator.injectFault({ pathPrefix: "/api/v3/user", delayMs: 60_000, status: 200 });
    expect((await agent.get(callbackPath)).status).toBe(502);
  });

  test("signed-in users keep working from the cached profile while GitHub hangs or fails", async () => {
    const agent = request.agent(stack.app);
    await signIn(agent);
    clock.advance(10 * 60_000);
    stack.emulator.emulator.injectFault({ pathPrefix: "/api/v3/user", delayMs: 60_000, status: 200 });
    expect((await agent.get("/api/me").expect(200)).body.login).toBe("octocat");
    stack.emulator.emulator.injectFault({ pathPrefix: "/api/v3/user", status: 500, body: "oops", times: 5 });
    expect((await agent.get("/api/me").expect(200)).body.login).toBe("octocat");
    stack.emulator.emulator.injectFault({ pathPrefix: "/api/v3/user", destroySocket: true, times: 5 });
    expect((await agent.get("/api/me").expect(200)).body.login).toBe("octocat");
    await agent.get("/api/session").expect(200);
  });

  test("the proxy answers 502 when GitHub hangs", async () => {
    const agent = request.agent(stack.app);
    await signIn(agent);
    stack.emulator.emulator.injectFault({ pathPrefix: "/api/v3/user", delayMs: 60_000, status: 200 });
    expect((await agent.get("/api/github/user").expect(502)).body.error).toBe("github_unavailable");
  });

  test("rate limits are told apart: the primary budget used up vs a secondary limit", async () => {
    const primary = request.agent(stack.app);
    const { callbackPath: primaryCallback } = await approvedSignIn(primary);
    stack.emulator.emulator.injectFault({
      pathPrefix: "/api/v3/user",
      status: 403,
      headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(Math.floor(clock.now() / 1000) + 600) },
      body: { message: "API rate limit exceeded for user ID 583231.", documentation_url: "https://docs.github.com/rest" },
    });
    const primaryAnswer = await primary.get(primaryCallback).set("Accept", "application/json");
    expect(primaryAnswer.status).toBe(429);
    expect(primaryAnswer.body.error).toBe("github_rate_limited");
    expect(Number(primaryAnswer.headers["retry-after"])).toBe(600);

    const secondary = request.agent(stack.app);
    const { callbackPath: secondaryCallback } = await approvedSignIn(secondary);
    stack.emulator.emulator.injectFault({
      pathPrefix: "/api/v3/user",
      status: 429,
      headers: { "retry-after": "30" },
      body: { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." },
    });
    const secondaryAnswer = await secondary.get(secondaryCallback).set("Accept", "application/json");
    expect(secondaryAnswer.status).toBe(429);
    expect(secondaryAnswer.body.error).toBe("github_secondary_rate_limited");
    expect(secondaryAnswer.headers["retry-after"]).toBe("30");
  });

  test("the emulator's own exhausted budget reaches a signed-in user as GitHub's 403 through the proxy, and /api/me stays up", async () => {
    const agent = request.agent(stack.app);
    await signIn(agent, { login: "monalisa" });
    stack.emulator.emulator.setRateLimitRemaining("monalisa", 0);
    const proxied = await agent.get("/api/github/user");
    expect(proxied.status).toBe(403);
    expect(proxied.headers["x-ratelimit-remaining"]).toBe("0");
    clock.advance(10 * 60_000);
    expect((await agent.get("/api/me").expect(200)).body.login).toBe("monalisa");
  });
});
