// Sessions: cookie attributes, sign-out, the signed-out API, pages, health.
import request from "supertest";
import { Redis } from "ioredis";
import { createApp } from "../../src/app.js";
import { buildServices } from "../../src/services.js";
import { systemClock } from "../../src/clock.js";
import { createLogger } from "../../src/logger.js";
import { redisBackend } from "../../src/store/backend.js";
import { freePort } from "../support/redis-server.js";
import { redisEntries, startTestStack, TEST_PUBLIC_URL, type TestStack, onLoginHostByDefault } from "../support/stack.js";
import { SESSION_COOKIE, sessionCookieOf, setCookie } from "../support/cookies.js";
import { signIn } from "../support/sign-in.js";

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.close());

const sessionKeys = async () => [...(await redisEntries(stack)).keys()].filter((key) => key.startsWith(`${stack.keyPrefix}sess:`));

describe("session cookie", () => {
  test("on http: HttpOnly, SameSite=Lax, Path=/, sliding Max-Age, not Secure", async () => {
    const cookie = setCookie((await signIn(request.agent(stack.app))).callback, SESSION_COOKIE)!;
    expect(cookie).toMatch(/^gls\.sid=s%3A[A-Za-z0-9_-]{43}\.[^;]+; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax$/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).toMatch(/; Path=\//);
    expect(cookie).not.toMatch(/Domain=/);
    expect(cookie).not.toMatch(/; Secure/);
    expect(cookie).toMatch(/Expires=/);
  });

  test("on https behind a trusted proxy: Secure and the __Host- prefix", async () => {
    const https = await startTestStack({ env: { PUBLIC_URL: "https://app.test", TRUST_PROXY: "true" } });
    try {
      // The emulator was registered with the http callback; read the cookie off the attempt instead.
      const start = await request(https.app).get("/auth/github").set("X-Forwarded-Proto", "https").expect(302);
      const attempt = (start.headers["set-cookie"] as unknown as string[])[0]!;
      expect(attempt).toMatch(/^__Host-gls-signin=/);
      expect(attempt).toMatch(/; Secure/);
      expect(attempt).toMatch(/; Path=\//);
      expect(attempt).toMatch(
        /^__Host-gls-signin=[A-Za-z0-9_-]{43}; Max-Age=2592000; Path=\/; Expires=[^;]+; HttpOnly; Secure; SameSite=Lax$/,
      );
      // The session cookie there, as sign-out clears it: the same prefix and attributes.
      const signOut = await request(https.app)
        .post("/auth/logout")
        .set("X-Forwarded-Proto", "https")
        .set("Origin", "https://app.test")
        .expect(303);
      expect(setCookie(signOut, "__Host-gls.sid")).toMatch(
        /^__Host-gls\.sid=; Path=\/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; Secure; SameSite=Lax$/,
      );
      expect(start.headers["strict-transport-security"]).toMatch(/max-age=/);
    } finally {
      await https.close();
    }
  });

  test("a tampered or unknown session cookie is simply signed out", async () => {
    const cookie = sessionCookieOf((await signIn(request.agent(stack.app))).callback);
    const tampered = cookie.slice(0, -3) + (cookie.endsWith("A") ? "BBB" : "AAA");
    await request(stack.app).get("/api/me").set("Cookie", tampered).expect(401);
    await request(stack.app).get("/api/me").set("Cookie", "gls.sid=s%3Anope.nope").expect(401);
  });

  test("sessions live in Redis under REDIS_KEY_PREFIX with the idle timeout as TTL", async () => {
    const before = await sessionKeys();
    await signIn(request.agent(stack.app));
    const after = await sessionKeys();
    expect(after.length).toBe(before.length + 1);
    const created = after.find((key) => !before.includes(key))!;
    const ttl = await stack.redis.ttl(created);
    expect(ttl).toBeGreaterThan(23 * 3600);
    expect(ttl).toBeLessThanOrEqual(24 * 3600);
  });
});

describe("sign-out", () => {
  test("a browser form post ends the session: Redis entry gone, cookie cleared, 303 to the signed-out page", async () => {
    const agent = request.agent(stack.app);
    await signIn(agent);
    const before = await sessionKeys();
    const answer = await agent.post("/auth/logout").set("Origin", TEST_PUBLIC_URL).set("Sec-Fetch-Site", "same-origin").expect(303);
    expect(answer.headers.location).toBe("/?signed_out=1");
    expect(setCookie(answer, SESSION_COOKIE)).toMatch(/Expires=Thu, 01 Jan 1970/);
    expect((await sessionKeys()).length).toBe(before.length - 1);
    await agent.get("/api/me").expect(401);
  });

  test("an API caller gets 204", async () => {
    const agent = request.agent(stack.app);
    await signIn(agent);
    await agent.post("/auth/logout").set("Accept", "application/json").expect(204);
    await agent.get("/api/me").expect(401);
  });

  test.each([
    ["Origin of another site", { Origin: "https://evil.example" }],
    ["Sec-Fetch-Site cross-site", { "Sec-Fetch-Site": "cross-site" }],
    ["Sec-Fetch-Site same-site (a sibling subdomain)", { "Sec-Fetch-Site": "same-site" }],
    ["Origin null", { Origin: "null" }],
  ])("refused with 403 when cross-origin: %s", async (_label, headers) => {
    const agent = request.agent(stack.app);
    await signIn(agent);
    const answer = await agent.post("/auth/logout").set(headers);
    expect(answer.status).toBe(403);
    await agent.get("/api/me").expect(200);
  });

  test.each([
    [
      "Sec-Fetch-Site same-origin with Origin null (a form post under a strict referrer policy)",
      { "Sec-Fetch-Site": "same-origin", Origin: "null" },
    ],
    ["Origin of this site, no Sec-Fetch-Site (older browsers)", { Origin: TEST_PUBLIC_URL }],
    ["neither header (not a browser)", {}],
  ])("allowed: %s", async (_label, headers) => {
    const agent = request.agent(stack.app);
    await signIn(agent);
    await agent.post("/auth/logout").set(headers).expect(303);
    await agent.get("/api/me").expect(401);
  });

  test("signed out already: still a clean 303", async () => {
    await request(stack.app).post("/auth/logout").set("Origin", TEST_PUBLIC_URL).expect(303);
  });
});

describe("signed out", () => {
  test("GET /api/me and /api/session → 401 JSON", async () => {
    for (const path of ["/api/me", "/api/session"]) {
      const answer = await request(stack.app).get(path).expect(401);
      expect(answer.body).toEqual({ error: "unauthenticated", message: expect.any(String) });
      expect(answer.headers["cache-control"]).toBe("no-store");
    }
  });

  test("GET / shows the sign-in link", async () => {
    const answer = await request(stack.app).get("/").expect(200);
    expect(answer.text).toContain('href="/auth/github"');
    expect(answer.text).toContain("Sign in with GitHub");
    expect(answer.headers["content-security-policy"]).toContain("default-src 'self'");
    expect(answer.headers["referrer-policy"]).toBe("same-origin");
  });
});

describe("pages when signed in", () => {
  test("GET / shows avatar, name, login and a sign-out form", async () => {
    const agent = request.agent(stack.app);
    await signIn(agent);
    const answer = await agent.get("/").expect(200);
    expect(answer.text).toContain("The Octocat");
    expect(answer.text).toContain("octocat");
    expect(answer.text).toMatch(/<img[^>]+src="http:\/\/127\.0\.0\.1:\d+\/avatars\/u\/583231/);
    expect(answer.text).toMatch(/<form[^>]+method="post"[^>]+action="\/auth\/logout"|<form[^>]+action="\/auth\/logout"[^>]+method="post"/);
    expect(answer.headers["cache-control"]).toBe("no-store");
    // The avatar host is allowed by the CSP.
    expect(answer.headers["content-security-policy"]).toContain(new URL(stack.emulator.url).origin);
  });
});

describe("routing", () => {
  test("unknown paths: 404 page for browsers, JSON under /api", async () => {
    const page = await request(stack.app).get("/nope").expect(404);
    expect(page.type).toBe("text/html");
    const api = await request(stack.app).get("/api/nope").expect(404);
    expect(api.body.error).toBe("not_found");
  });

  test("wrong methods: 405 with Allow", async () => {
    const answer = await request(stack.app).delete("/api/me").expect(405);
    expect(answer.headers.allow).toBe("GET, HEAD");
    expect((await request(stack.app).get("/auth/logout")).status).toBe(405);
  });

  test("stylesheet is served", async () => {
    const answer = await request(stack.app).get("/auth/assets/style.css").expect(200);
    expect(answer.type).toBe("text/css");
  });
});

describe("health", () => {
  test("/healthz and /readyz answer 200 with Redis up", async () => {
    expect((await request(stack.app).get("/healthz").expect(200)).body).toEqual({ status: "ok" });
    await request(stack.app).get("/readyz").expect(200);
  });

  test("with Redis unreachable: /readyz 503, /healthz 200, session routes 503 with Retry-After", async () => {
    const deadRedis = new Redis(`redis://127.0.0.1:${await freePort()}`, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      lazyConnect: true,
      retryStrategy: () => null,
    });
    deadRedis.on("error", () => {});
    await deadRedis.connect().catch(() => undefined);
    const logger = createLogger("silent");
    const app = onLoginHostByDefault(
      createApp(
        buildServices(stack.config, { clock: systemClock, logger, storage: redisBackend(deadRedis, stack.keyPrefix, systemClock) }),
      ),
      stack.config,
    );
    await request(app).get("/healthz").expect(200);
    expect((await request(app).get("/readyz").expect(503)).body.error).toBe("not_ready");
    const cookie = sessionCookieOf((await signIn(request.agent(stack.app))).callback);
    const me = await request(app).get("/api/me").set("Cookie", cookie);
    expect(me.status).toBe(503);
    expect(me.headers["retry-after"]).toBe("5");
    expect(me.body.error).toBe("session_store_unavailable");
    expect(me.headers["set-cookie"]).toBeUndefined(); // nobody is signed out by an outage
    const page = await request(app).get("/").set("Cookie", cookie);
    expect(page.status).toBe(503);
    expect(page.type).toBe("text/html");
    deadRedis.disconnect();
  });
});
