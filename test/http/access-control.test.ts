// CORS for /api/*, the same-origin guard on state-changing routes, rate limiting of /auth/*, and
// the allow-lists re-checked when the profile is revalidated.
import request from "supertest";
import { ManualClock } from "../../src/clock.js";
import { startTestStack, TEST_PUBLIC_URL, type TestStack } from "../support/stack.js";
import { sessionCookieOf } from "../support/cookies.js";
import { signIn } from "../support/sign-in.js";

const SPA = "https://app.example.com";

describe("CORS for /api/*", () => {
  let stack: TestStack;
  let cookie: string;
  beforeAll(async () => {
    stack = await startTestStack({ env: { CORS_ORIGINS: `${SPA},http://localhost:5173`, GITHUB_PROXY_METHODS: "GET,HEAD,POST" } });
    cookie = sessionCookieOf((await signIn(request.agent(stack.app))).callback);
  });
  afterAll(() => stack.close());

  test("an allowed origin gets credentials CORS on answers, and on 401s", async () => {
    const me = await request(stack.app).get("/api/me").set("Origin", SPA).set("Cookie", cookie).expect(200);
    expect(me.headers["access-control-allow-origin"]).toBe(SPA);
    expect(me.headers["access-control-allow-credentials"]).toBe("true");
    expect(me.headers.vary).toMatch(/Origin/);
    const signedOut = await request(stack.app).get("/api/me").set("Origin", SPA).expect(401);
    expect(signedOut.headers["access-control-allow-origin"]).toBe(SPA);
    expect(signedOut.headers["access-control-allow-credentials"]).toBe("true");
  });

  test("a preflight from an allowed origin is answered; the rate-limit headers are readable", async () => {
    const preflight = await request(stack.app)
      .options("/api/github/user")
      .set("Origin", SPA)
      .set("Access-Control-Request-Method", "POST")
      .set("Access-Control-Request-Headers", "content-type");
    expect(preflight.status).toBe(204);
    expect(preflight.headers["access-control-allow-origin"]).toBe(SPA);
    expect(preflight.headers["access-control-allow-methods"]).toContain("POST");
    const proxied = await request(stack.app).get("/api/github/user").set("Origin", SPA).set("Cookie", cookie).expect(200);
    expect(proxied.headers["access-control-expose-headers"]).toContain("x-ratelimit-remaining");
  });

  test("an allowed origin may use an enabled unsafe proxy method; another origin may not", async () => {
    const fromSpa = await request(stack.app)
      .post("/api/github/user/repos")
      .set("Origin", SPA)
      .set("Sec-Fetch-Site", "cross-site")
      .set("Cookie", cookie)
      .send({});
    expect(fromSpa.status).not.toBe(403);
    const fromElsewhere = await request(stack.app)
      .post("/api/github/user/repos")
      .set("Origin", "https://evil.example")
      .set("Cookie", cookie)
      .send({});
    expect(fromElsewhere.status).toBe(403);
    expect(fromElsewhere.headers["access-control-allow-origin"]).toBeUndefined();
  });

  test.each(["https://evil.example", "https://app.example.com.evil.example", "null", "http://app.example.com"])(
    "no CORS headers at all for %s",
    async (origin) => {
      const answer = await request(stack.app).get("/api/me").set("Origin", origin).set("Cookie", cookie);
      expect(answer.headers["access-control-allow-origin"]).toBeUndefined();
      expect(answer.headers["access-control-allow-credentials"]).toBeUndefined();
    },
  );

  test("sign-out stays same-origin only, even for an allowed CORS origin", async () => {
    const agent = request.agent(stack.app);
    await signIn(agent);
    await agent.post("/auth/logout").set("Origin", SPA).set("Sec-Fetch-Site", "cross-site").expect(403);
    await agent.post("/auth/logout").set("Origin", TEST_PUBLIC_URL).expect(303);
  });

  test("pages outside /api get no CORS headers", async () => {
    const answer = await request(stack.app).get("/").set("Origin", SPA);
    expect(answer.headers["access-control-allow-origin"]).toBeUndefined();
  });
});

describe("rate limiting of /auth/*", () => {
  test("per client IP, shared by instances through Redis, 429 with Retry-After; other routes unaffected", async () => {
    const stack = await startTestStack({ env: { AUTH_RATE_LIMIT: "5/1m", TRUST_PROXY: "true" } });
    try {
      const other = await stack.anotherInstance();
      const from = (ip: string) => ({ "X-Forwarded-For": ip });
      for (let index = 0; index < 5; index += 1) {
        await request(index % 2 ? other : stack.app)
          .get("/auth/github")
          .set(from("203.0.113.7"))
          .expect(302);
      }
      const limited = await request(stack.app).get("/auth/github").set(from("203.0.113.7"));
      expect(limited.status).toBe(429);
      expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
      expect(limited.text).toContain("Too many");
      const limitedCallback = await request(other)
        .get("/auth/github/callback?code=x&state=y")
        .set(from("203.0.113.7"))
        .set("Accept", "application/json");
      expect(limitedCallback.status).toBe(429);
      expect(limitedCallback.body.error).toBe("too_many_requests");
      // Another address has its own budget; non-auth routes are not limited.
      await request(stack.app).get("/auth/github").set(from("198.51.100.1")).expect(302);
      await request(stack.app).get("/healthz").set(from("203.0.113.7")).expect(200);
      await request(stack.app).get("/api/me").set(from("203.0.113.7")).expect(401);
    } finally {
      await stack.close();
    }
  });
});

describe("allow-lists at revalidation", () => {
  test("a user removed from the allowed organisation loses access at the next revalidation", async () => {
    const clock = new ManualClock(Date.now());
    const allowed = await startTestStack({ clock, env: { ALLOWED_ORGS: "github" } });
    try {
      const agent = request.agent(allowed.app);
      await signIn(agent, { login: "octocat" });
      await agent.get("/api/me").expect(200);
      // octocat leaves the organisation: GitHub now answers 404 to the membership check.
      allowed.emulator.emulator.injectFault({
        pathPrefix: "/api/v3/user/memberships/orgs/github",
        status: 404,
        body: { message: "Not Found" },
        times: 10,
      });
      await agent.get("/api/me").expect(200); // profile still fresh: no check yet
      clock.advance(5 * 60_000 + 1_000);
      const refused = await agent.get("/api/me");
      expect(refused.status).toBe(403);
      expect(refused.body.error).toBe("not_allowed");
      allowed.emulator.emulator.clearFaults();
      await agent.get("/api/me").expect(401); // the session ended
    } finally {
      await allowed.close();
    }
  });
});
