// GET /metrics: requests and latency by route, sign-ins and token refreshes by outcome, GitHub calls
// by endpoint and status, GitHub's remaining rate limit, session store errors; METRICS_TOKEN.
import request from "supertest";
import { Redis } from "ioredis";
import { createApp } from "../../src/app.js";
import { buildServices } from "../../src/services.js";
import { ManualClock } from "../../src/clock.js";
import { createLogger } from "../../src/logger.js";
import { createMetrics } from "../../src/metrics.js";
import { redisBackend } from "../../src/store/backend.js";
import { parseMetrics, sampleValue, type Sample } from "../support/prometheus.js";
import { freePort } from "../support/redis-server.js";
import { approvedSignIn, finishSignIn, signedInBrowser, startSignIn } from "../support/sign-in.js";
import { startTestStack, TEST_CLIENT_ID, type App, type TestStack, onLoginHostByDefault } from "../support/stack.js";

const HOURS = 3_600_000;
const clock = new ManualClock(Date.now());
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ clock });
});
afterAll(() => stack.close());
beforeEach(() => stack.emulator.emulator.clearFaults());
// Revalidations a test started finish inside it, so they never count in the next test's figures.
afterEach(() => stack.settled());

const emulator = () => stack.emulator.emulator;

async function scrape(app: App = stack.app): Promise<Sample[]> {
  const answer = await request(app).get("/metrics").expect(200);
  expect(answer.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseMetrics(answer.text);
}

/** How much each series moved while `action` ran. */
async function change(action: () => Promise<unknown>, app: App = stack.app) {
  const before = await scrape(app);
  await action();
  const after = await scrape(app);
  return (name: string, labels: Record<string, string> = {}) => sampleValue(after, name, labels) - sampleValue(before, name, labels);
}

const signedInCookie = async () => (await signedInBrowser(stack.app)).cookie;

describe("HTTP requests", () => {
  test("counted with their latency by method, route pattern and status", async () => {
    const moved = await change(async () => {
      await request(stack.app).get("/api/me").expect(401);
      await request(stack.app).get("/api/me").expect(401);
      await request(stack.app).get("/healthz").expect(200);
    });
    expect(moved("gls_http_requests_total", { method: "GET", route: "/api/me", status: "401" })).toBe(2);
    expect(moved("gls_http_request_duration_seconds_count", { method: "GET", route: "/api/me", status: "401" })).toBe(2);
    expect(moved("gls_http_request_duration_seconds_bucket", { method: "GET", route: "/api/me", status: "401", le: "+Inf" })).toBe(2);
    expect(moved("gls_http_requests_total", { method: "GET", route: "/healthz", status: "200" })).toBe(1);
  });

  test("unknown paths count as one 'unmatched' route, so random URLs cannot create series", async () => {
    const moved = await change(() => request(stack.app).get("/no-such-page-3f9a?code=zz").expect(404));
    expect(moved("gls_http_requests_total", { method: "GET", route: "unmatched", status: "404" })).toBe(1);
    expect((await request(stack.app).get("/metrics")).text).not.toContain("no-such-page-3f9a");
  });

  test("the GitHub proxy counts under one pattern, whatever the path", async () => {
    const cookie = await signedInCookie();
    const moved = await change(() => request(stack.app).get("/api/github/user").set("Cookie", cookie).expect(200));
    expect(moved("gls_http_requests_total", { method: "GET", route: "/api/github/*", status: "200" })).toBe(1);
  });
});

describe("sign-ins by outcome", () => {
  test("success", async () => {
    const moved = await change(() => signedInCookie());
    expect(moved("gls_sign_ins_total", { outcome: "success" })).toBe(1);
  });

  test("cancelled at GitHub", async () => {
    const moved = await change(async () => {
      const agent = request.agent(stack.app);
      const { authorizeUrl } = await startSignIn(agent);
      expect((await finishSignIn(agent, authorizeUrl, "octocat", "cancel")).callback.status).toBe(401);
    });
    expect(moved("gls_sign_ins_total", { outcome: "cancelled" })).toBe(1);
    expect(moved("gls_sign_ins_total", { outcome: "success" })).toBe(0);
  });

  test("invalid state (a replayed callback)", async () => {
    const moved = await change(async () => {
      const agent = request.agent(stack.app);
      const { callbackPath } = await approvedSignIn(agent);
      await agent.get(callbackPath).expect(303);
      await agent.get(callbackPath).expect(400);
    });
    expect(moved("gls_sign_ins_total", { outcome: "success" })).toBe(1);
    expect(moved("gls_sign_ins_total", { outcome: "invalid_state" })).toBe(1);
  });

  test("GitHub unreachable at the code exchange", async () => {
    const moved = await change(async () => {
      const agent = request.agent(stack.app);
      const { callbackPath } = await approvedSignIn(agent);
      emulator().injectFault({ pathPrefix: "/login/oauth/access_token", destroySocket: true });
      await agent.get(callbackPath).expect(502);
    });
    expect(moved("gls_sign_ins_total", { outcome: "github_unavailable" })).toBe(1);
  });

  test("every outcome is exported from the start, at 0", async () => {
    const fresh = await startTestStack();
    try {
      const samples = await scrape(fresh.app);
      for (const outcome of ["success", "cancelled", "invalid_state", "code_refused", "not_allowed", "github_unavailable"]) {
        expect(
          samples.some((sample) => sample.name === "gls_sign_ins_total" && sample.labels.outcome === outcome && sample.value === 0),
        ).toBe(true);
      }
    } finally {
      await fresh.close();
    }
  });
});

describe("token refreshes by outcome", () => {
  test("ok, then lost_race for requests that waited for another's refresh", async () => {
    const cookie = await signedInCookie();
    const other = await stack.anotherInstance();
    clock.advance(9 * HOURS);
    emulator().resetStats();
    const moved = await change(async () => {
      const answers = await Promise.all(
        Array.from({ length: 6 }, (_, index) =>
          request(index % 2 ? other : stack.app)
            .get("/api/me")
            .set("Cookie", cookie),
        ),
      );
      expect(answers.map((answer) => answer.status)).toEqual(Array(6).fill(200));
    });
    expect(emulator().stats.refreshes).toBe(1);
    // This instance's metrics: either it refreshed (ok 1) and its other two requests waited, or the
    // other instance did and all three here waited.
    const ok = moved("gls_token_refreshes_total", { outcome: "ok" });
    expect(ok === 1 || ok === 0).toBe(true);
    expect(moved("gls_token_refreshes_total", { outcome: "lost_race" })).toBe(3 - ok);
  });

  test("refused: GitHub revoked the authorization, the session ends", async () => {
    const cookie = await signedInCookie();
    emulator().revokeAuthorization("octocat", TEST_CLIENT_ID);
    clock.advance(9 * HOURS);
    const moved = await change(() => request(stack.app).get("/api/me").set("Cookie", cookie).expect(401));
    expect(moved("gls_token_refreshes_total", { outcome: "refused" })).toBe(1);
  });

  test("network: GitHub unreachable, the session stays", async () => {
    const cookie = await signedInCookie();
    clock.advance(9 * HOURS);
    emulator().injectFault({ pathPrefix: "/login/oauth/access_token", destroySocket: true });
    // Idle past PROFILE_MAX_AGE + ACCESS_MAX_STALE: the request confirms access with GitHub first,
    // refreshing on the way, and GitHub unreachable leaves it unconfirmed (503, SPEC §7).
    const moved = await change(() => request(stack.app).get("/api/github/user").set("Cookie", cookie).expect(503));
    expect(moved("gls_token_refreshes_total", { outcome: "network" })).toBe(1);
    expect(moved("gls_token_refreshes_total", { outcome: "ok" })).toBe(0);
  });
});

describe("GitHub calls", () => {
  test("counted by endpoint template and status; a call that got no answer is network_error", async () => {
    let otherStatus = 0;
    const moved = await change(async () => {
      const cookie = await signedInCookie();
      await request(stack.app).get("/api/github/user/memberships/orgs/github").set("Cookie", cookie).expect(200);
      otherStatus = (await request(stack.app).get("/api/github/repos/octocat/hello-world/issues").set("Cookie", cookie)).status;
      emulator().injectFault({ pathPrefix: "/api/v3/user", destroySocket: true });
      await request(stack.app).get("/api/github/user").set("Cookie", cookie).expect(502);
    });
    expect(moved("gls_github_requests_total", { endpoint: "POST /login/oauth/access_token", status: "200" })).toBe(1);
    expect(moved("gls_github_requests_total", { endpoint: "GET /user", status: "200" })).toBe(1);
    expect(moved("gls_github_requests_total", { endpoint: "GET /user/memberships/orgs/{org}", status: "200" })).toBe(1);
    // A path the server itself never calls: its own path stays out of the labels.
    expect(moved("gls_github_requests_total", { endpoint: "GET (other)", status: String(otherStatus) })).toBe(1);
    expect((await request(stack.app).get("/metrics")).text).not.toContain("hello-world");
    expect(moved("gls_github_requests_total", { endpoint: "GET /user", status: "network_error" })).toBe(1);
  });

  test("the rate limit remaining is GitHub's latest X-RateLimit-Remaining", async () => {
    const cookie = await signedInCookie();
    emulator().setRateLimitRemaining("octocat", 1234);
    const proxied = await request(stack.app).get("/api/github/user").set("Cookie", cookie).expect(200);
    const remaining = Number(proxied.headers["x-ratelimit-remaining"]);
    expect(remaining).toBeGreaterThan(1000);
    expect(sampleValue(await scrape(), "gls_github_rate_limit_remaining", { resource: "core" })).toBe(remaining);
  });
});

test("session store errors: requests refused because Redis does not answer", async () => {
  const deadRedis = new Redis(`redis://127.0.0.1:${await freePort()}`, {
    enableOfflineQueue: false,
    lazyConnect: true,
    retryStrategy: () => null,
  });
  deadRedis.on("error", () => {});
  await deadRedis.connect().catch(() => undefined);
  const logger = createLogger("silent");
  const app = onLoginHostByDefault(
    createApp(
      buildServices(stack.config, { clock, logger, metrics: createMetrics(), storage: redisBackend(deadRedis, stack.keyPrefix, clock) }),
    ),
    stack.config,
  );
  const cookie = await signedInCookie();
  const moved = await change(async () => {
    await request(app).get("/api/me").set("Cookie", cookie).expect(503);
    await request(app).get("/").set("Cookie", cookie).expect(503);
  }, app);
  expect(moved("gls_session_store_errors_total")).toBe(2);
  deadRedis.disconnect();
});

describe("METRICS_TOKEN", () => {
  const token = "metrics-token-0123456789abcdef";
  let guarded: App;
  beforeAll(async () => {
    guarded = (await stack.restartedWith({ METRICS_TOKEN: token })).app;
  });

  test.each([
    ["no Authorization header", undefined],
    ["a wrong token", "Bearer metrics-token-0123456789abcdeX"],
    ["the token without Bearer", token],
    ["the token as Basic credentials", `Basic ${Buffer.from(`x:${token}`).toString("base64")}`],
  ])("refused with 401: %s", async (_label, authorization) => {
    const call = request(guarded).get("/metrics");
    const answer = await (authorization === undefined ? call : call.set("Authorization", authorization));
    expect(answer.status).toBe(401);
    expect(answer.headers["www-authenticate"]).toMatch(/^Bearer/);
    expect(answer.text).not.toContain("gls_http_requests_total");
  });

  test("the right bearer token reads the metrics", async () => {
    const answer = await request(guarded).get("/metrics").set("Authorization", `Bearer ${token}`).expect(200);
    expect(answer.text).toContain("gls_http_requests_total");
  });

  test("without METRICS_TOKEN, /metrics is open", async () => {
    await request(stack.app).get("/metrics").expect(200);
  });
});
