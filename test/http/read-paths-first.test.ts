// GET /auth/check and GET /api/me are answered before Express when the session needs nothing but
// its read (src/http/read-paths-first.ts). These tests hold that answer to the pipeline's: the same
// status, headers, body, log line and metrics, one store read whichever answers, and every request
// that is not the plain case passed on (gls_read_paths_passed_on_total tells which answered).
import request, { type Response } from "supertest";
import { ManualClock } from "../../src/clock.js";
import { SESSION_COOKIE, sessionEntryKeyOf, sessionIdOf } from "../support/cookies.js";
import { deviceSessionToken } from "../support/device.js";
import { signedInBrowser } from "../support/sign-in.js";
import { holdingRedisRelay } from "../support/held-redis.js";
import { startTestStack, testRedisUrl, TEST_PUBLIC_URL, type TestStack } from "../support/stack.js";
import { storeCommandsDuring } from "../support/store-commands.js";

const MINUTES = 60_000;
const clock = new ManualClock(Date.now());
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ clock, env: { DEVICE_FLOW: "true" } });
});
afterAll(() => stack.close());

type App = TestStack["app"];
type ReadPath = "/auth/check" | "/api/me";

/** How many requests for `path` this instance passed on to the full pipeline so far. */
async function passedOn(app: App, path: ReadPath): Promise<number> {
  const text = (await request(app).get("/metrics").expect(200)).text;
  const line = text.split("\n").find((candidate) => candidate.startsWith(`gls_read_paths_passed_on_total{route="${path}"}`));
  if (!line) throw new Error(`no gls_read_paths_passed_on_total for ${path} in /metrics`);
  return Number(line.split(" ").pop());
}

/** Runs `call` and says whether the full pipeline answered it (true) or the read path did (false). */
async function answeredBy(app: App, path: ReadPath, call: () => Promise<Response>): Promise<{ answer: Response; passedOn: boolean }> {
  const before = await passedOn(app, path);
  const answer = await call();
  return { answer, passedOn: (await passedOn(app, path)) === before + 1 };
}

/** The headers that differ between any two answers: the date and a fresh request id. */
const comparable = (answer: Response) => {
  const { date: _date, "x-request-id": _id, ...rest } = answer.headers as Record<string, string>;
  return rest;
};

const signedInCookie = async (login = "octocat") => (await signedInBrowser(stack.app, login)).cookie;

describe("the plain case is answered before the pipeline, exactly as the pipeline answers it", () => {
  test("/auth/check: a GET is answered first, a HEAD by the pipeline, with the same status and headers", async () => {
    const cookie = await signedInCookie();
    const first = await answeredBy(stack.app, "/auth/check", () => request(stack.app).get("/auth/check").set("Cookie", cookie));
    const piped = await answeredBy(stack.app, "/auth/check", () => request(stack.app).head("/auth/check").set("Cookie", cookie));
    expect([first.passedOn, piped.passedOn]).toEqual([false, true]);
    expect(first.answer.status).toBe(204);
    expect(piped.answer.status).toBe(204);
    expect(first.answer.headers["x-auth-request-user"]).toBe("octocat");
    expect(first.answer.headers["cache-control"]).toBe("no-store");
    expect(first.answer.headers["content-security-policy"]).toBe("default-src 'none';frame-ancestors 'none';sandbox");
    expect(comparable(first.answer)).toEqual(comparable(piped.answer));
    expect(Object.keys(first.answer.headers)).toEqual(Object.keys(piped.answer.headers));
  });

  test("/api/me: the same JSON, Content-Type, Content-Length and ETag as the pipeline's", async () => {
    const cookie = await signedInCookie();
    const first = await answeredBy(stack.app, "/api/me", () => request(stack.app).get("/api/me").set("Cookie", cookie));
    const piped = await answeredBy(stack.app, "/api/me", () => request(stack.app).head("/api/me").set("Cookie", cookie));
    expect([first.passedOn, piped.passedOn]).toEqual([false, true]);
    expect(first.answer.status).toBe(200);
    expect(first.answer.body).toMatchObject({ login: "octocat", id: 583231 });
    expect(first.answer.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(first.answer.headers.etag).toMatch(/^W\/"/);
    expect(comparable(first.answer)).toEqual(comparable(piped.answer));
    // The ETag answers a conditional request, which the pipeline answers (304).
    const conditional = await answeredBy(stack.app, "/api/me", () =>
      request(stack.app).get("/api/me").set("Cookie", cookie).set("If-None-Match", first.answer.headers.etag!),
    );
    expect(conditional.passedOn).toBe(true);
    expect(conditional.answer.status).toBe(304);
  });

  test("on https: the same headers, Strict-Transport-Security included", async () => {
    const cookie = await signedInCookie();
    // The same Redis and secrets behind an https PUBLIC_URL: the session cookie is __Host-gls.sid there.
    const { app } = await stack.restartedWith({ PUBLIC_URL: "https://app.test", TRUST_PROXY: "true" });
    const secureCookie = `__Host-${cookie}`;
    for (const path of ["/auth/check", "/api/me"] as const) {
      const first = await answeredBy(app, path, () => request(app).get(path).set("Cookie", secureCookie).set("X-Forwarded-Proto", "https"));
      const piped = await answeredBy(app, path, () => request(app).head(path).set("Cookie", secureCookie).set("X-Forwarded-Proto", "https"));
      expect([first.passedOn, piped.passedOn]).toEqual([false, true]);
      expect(first.answer.headers["strict-transport-security"]).toMatch(/^max-age=\d+/);
      expect(comparable(first.answer)).toEqual(comparable(piped.answer));
    }
  });

  test("a bearer session is answered first too; a token naming nothing, or with a cookie, is passed on", async () => {
    const token = await deviceSessionToken(stack, clock);
    const first = await answeredBy(stack.app, "/auth/check", () => request(stack.app).get("/auth/check").set("Authorization", `Bearer ${token}`));
    expect([first.answer.status, first.passedOn, first.answer.headers["x-auth-request-user"]]).toEqual([204, false, "octocat"]);
    const unknown = await answeredBy(stack.app, "/auth/check", () => request(stack.app).get("/auth/check").set("Authorization", `Bearer ${token}x`));
    expect([unknown.answer.status, unknown.passedOn]).toEqual([401, true]);
    const cookie = await signedInCookie();
    const mixed = await answeredBy(stack.app, "/api/me", () =>
      request(stack.app).get("/api/me").set("Cookie", cookie).set("Authorization", `Bearer ${token}`).set("Accept", "application/json"),
    );
    expect([mixed.answer.status, mixed.answer.body.error, mixed.passedOn]).toEqual([400, "mixed_credentials", true]);
  });

  test("the log line and the request metrics are the pipeline's", async () => {
    const cookie = await signedInCookie();
    const answer = await request(stack.app).get("/auth/check").set("Cookie", cookie).set("X-Request-Id", "proxy-id-123").expect(204);
    expect(answer.headers["x-request-id"]).toBe("proxy-id-123");
    const line = stack.logs.map((text) => JSON.parse(text) as Record<string, unknown>).find((entry) => entry.reqId === "proxy-id-123");
    expect(line).toMatchObject({ msg: "request completed", method: "GET", route: "/auth/check", status: 204, userId: 583231 });
    expect(typeof line!.durationMs).toBe("number");
    const metrics = (await request(stack.app).get("/metrics")).text;
    expect(metrics).toMatch(/gls_http_requests_total\{method="GET",route="\/auth\/check",status="204"\} [1-9]/);
    expect(metrics).toMatch(/gls_http_request_duration_seconds_count\{method="GET",route="\/auth\/check",status="204"\} [1-9]/);
  });
});

describe("anything but the plain case is passed on, having written nothing", () => {
  test("signed out, an unknown host, a trailing slash, a malformed rule, a cross-origin /api/me", async () => {
    const cookie = await signedInCookie();
    const cases: [ReadPath, () => request.Test, number][] = [
      ["/auth/check", () => request(stack.app).get("/auth/check"), 401],
      ["/auth/check", () => request(stack.app).get("/auth/check").set("Cookie", `${SESSION_COOKIE}=s%3Aforged.forged`), 401],
      ["/auth/check", () => request(stack.app).get("/auth/check").set("Host", "elsewhere.test").set("Cookie", cookie), 421],
      ["/auth/check", () => request(stack.app).get("/auth/check?orgs=not%20an%20org").set("Cookie", cookie), 400],
      ["/api/me", () => request(stack.app).get("/api/me"), 401],
    ];
    for (const [path, call, status] of cases) {
      const { answer, passedOn: passed } = await answeredBy(stack.app, path, () => call());
      expect([answer.status, passed]).toEqual([status, true]);
      expect(answer.headers["x-auth-request-user"]).toBeUndefined();
    }
    // Not a read path of this file at all (Express matches a trailing slash), so not counted either way.
    await request(stack.app).get("/auth/check/").set("Cookie", cookie).expect(204);
    const cors = await answeredBy(stack.app, "/api/me", () => request(stack.app).get("/api/me").set("Cookie", cookie).set("Origin", "http://other.test"));
    expect(cors.passedOn).toBe(true);
    expect(cors.answer.status).toBe(200);
  });

  test("a session whose expiry is due to slide: the pipeline moves it and sets the cookie, on the one read", async () => {
    const cookie = await signedInCookie();
    const entryKey = sessionEntryKeyOf(stack.keyPrefix, cookie);
    await stack.redis.pexpire(entryKey, 20 * 60 * MINUTES); // 4 h short of where sliding puts it
    let outcome: Awaited<ReturnType<typeof answeredBy>> | undefined;
    const commands = await storeCommandsDuring(stack, async () => {
      outcome = await answeredBy(stack.app, "/auth/check", () => request(stack.app).get("/auth/check").set("Cookie", cookie));
    });
    expect(outcome!.passedOn).toBe(true);
    expect(outcome!.answer.status).toBe(204);
    expect(outcome!.answer.headers["set-cookie"]?.[0]).toContain(`${SESSION_COOKIE}=`);
    // One read (the script: GET, PTTL), then the write that moves the expiry: no second read.
    expect(commands.map((args) => args[0]!.toLowerCase())).toEqual(["evalsha", "get", "pttl", "pexpire"]);
    expect(await stack.redis.pttl(entryKey)).toBeGreaterThan(23 * 60 * MINUTES);
  });

  test("a bearer session whose expiry is due to slide: the pipeline moves it (no cookie to set)", async () => {
    const bearerKeys = () => stack.redis.keys(`${stack.keyPrefix}sess:t.*`);
    const before = new Set(await bearerKeys());
    const token = await deviceSessionToken(stack, clock);
    const entryKey = (await bearerKeys()).find((key) => !before.has(key))!;
    await stack.redis.pexpire(entryKey, 20 * 60 * MINUTES);
    const slid = await answeredBy(stack.app, "/auth/check", () => request(stack.app).get("/auth/check").set("Authorization", `Bearer ${token}`));
    expect([slid.answer.status, slid.passedOn, slid.answer.headers["set-cookie"]]).toEqual([204, true, undefined]);
    expect(await stack.redis.pttl(entryKey)).toBeGreaterThan(23 * 60 * MINUTES);
  });

  test("a session due for revalidation: the pipeline answers and revalidates in the background", async () => {
    const cookie = await signedInCookie();
    clock.advance(6 * MINUTES); // past PROFILE_MAX_AGE (5 min)
    stack.emulator.emulator.resetStats();
    const due = await answeredBy(stack.app, "/auth/check", () => request(stack.app).get("/auth/check").set("Cookie", cookie));
    expect([due.answer.status, due.passedOn]).toEqual([204, true]);
    await stack.settled();
    expect(stack.emulator.emulator.stats.apiRequests.some((call) => call.path === "/api/v3/user")).toBe(true);
    const after = await answeredBy(stack.app, "/auth/check", () => request(stack.app).get("/auth/check").set("Cookie", cookie));
    expect([after.answer.status, after.passedOn]).toEqual([204, false]);
  });

  test("/api/me with a token about to expire: the pipeline refreshes it first; /auth/check does not wait", async () => {
    // Profiles good for longer than the token, so only the token is due.
    const { app } = await stack.restartedWith({ PROFILE_MAX_AGE: "10h" });
    const cookie = (await signedInBrowser(app)).cookie;
    clock.advance(8 * 60 * MINUTES - MINUTES); // the 8-hour token expires in a minute
    stack.emulator.emulator.resetStats();
    const check = await answeredBy(app, "/auth/check", () => request(app).get("/auth/check").set("Cookie", cookie));
    expect([check.answer.status, check.passedOn, stack.emulator.emulator.stats.refreshes]).toEqual([204, false, 0]);
    const me = await answeredBy(app, "/api/me", () => request(app).get("/api/me").set("Cookie", cookie));
    expect([me.answer.status, me.passedOn, stack.emulator.emulator.stats.refreshes]).toEqual([200, true, 1]);
  });

  test("a stored login a header cannot carry (SPEC §5): that header empty, the same on both paths, never a 500", async () => {
    const cookie = await signedInCookie();
    const entryKey = sessionEntryKeyOf(stack.keyPrefix, cookie);
    const raw = (await stack.redis.get(entryKey))!;
    expect(raw).toContain('"l":"octocat"');
    await stack.redis.set(entryKey, raw.replace('"l":"octocat"', '"l":"octo\\u0001cat"'), "KEEPTTL");
    const first = await answeredBy(stack.app, "/auth/check", () => request(stack.app).get("/auth/check").set("Cookie", cookie).set("Accept", "application/json"));
    const piped = await request(stack.app).head("/auth/check").set("Cookie", cookie).set("Accept", "application/json");
    expect([first.passedOn, first.answer.status, piped.status]).toEqual([false, 204, 204]);
    expect([first.answer.headers["x-auth-request-user"], piped.headers["x-auth-request-user"]]).toEqual(["", ""]);
    await request(stack.app).get("/auth/check").set("Cookie", await signedInCookie()).expect(204);
  });

  test("a user the allow-lists refuse: the pipeline's 403, on every read path", async () => {
    const { app: refusing } = await stack.restartedWith({ ALLOWED_USERS: "hubot" });
    for (const path of ["/auth/check", "/api/me"] as const) {
      // A fresh session for each: the refusal goes on to end the session in the background.
      const cookie = await signedInCookie();
      const refused = await answeredBy(refusing, path, () => request(refusing).get(path).set("Cookie", cookie).set("Accept", "application/json"));
      expect([refused.answer.status, refused.passedOn]).toEqual([403, true]);
    }
  });
});

test("a session past SESSION_MAX_AGE is ended by the pipeline, even when its entry has not expired yet", async () => {
  // Profiles good for longer than the session's lifetime, so that no revalidation is due: only the lifetime ends it.
  const { app } = await stack.restartedWith({ SESSION_MAX_AGE: "1h", PROFILE_MAX_AGE: "2h" });
  const cookie = (await signedInBrowser(app)).cookie;
  // Its idle expiry is almost up too, so moving it would not be due either.
  await stack.redis.pexpire(sessionEntryKeyOf(stack.keyPrefix, cookie), 30_000);
  clock.advance(60 * MINUTES + 10_000);
  const ended = await answeredBy(app, "/auth/check", () => request(app).get("/auth/check").set("Cookie", cookie));
  expect([ended.answer.status, ended.passedOn]).toEqual([401, true]);
  expect(await stack.redis.exists(sessionEntryKeyOf(stack.keyPrefix, cookie))).toBe(0);
});

test("a request passed on after its read is logged with the read's time included", async () => {
  const relay = await holdingRedisRelay(testRedisUrl());
  const held = await startTestStack({ clock, redisUrl: relay.url });
  try {
    const cookie = (await signedInBrowser(held.app)).cookie;
    await held.redis.pexpire(sessionEntryKeyOf(held.keyPrefix, cookie), 20 * 60 * MINUTES); // due to slide: passed on
    const arrived = relay.holdNext(sessionIdOf(cookie));
    const answering = request(held.app).get("/auth/check").set("Cookie", cookie).set("X-Request-Id", "held-read-1").then((answer) => answer);
    await arrived;
    const heldFrom = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 50));
    relay.release();
    expect((await answering).status).toBe(204);
    const heldMs = performance.now() - heldFrom;
    const line = held.logs.map((text) => JSON.parse(text) as Record<string, unknown>).find((entry) => entry.reqId === "held-read-1");
    expect(line!.durationMs as number).toBeGreaterThanOrEqual(Math.floor(heldMs) - 1);
  } finally {
    await held.close();
    await relay.close();
  }
});

test("a session ended on one instance is refused by another at once, after answering it first", async () => {
  const { agent, cookie } = await signedInBrowser(stack.app);
  const other = await stack.anotherInstance();
  const before = await answeredBy(other, "/auth/check", () => request(other).get("/auth/check").set("Cookie", cookie));
  expect([before.answer.status, before.passedOn]).toEqual([204, false]);
  await agent.post("/auth/logout").set("Origin", TEST_PUBLIC_URL).expect(303);
  for (const path of ["/auth/check", "/api/me"] as const) {
    const after = await answeredBy(other, path, () => request(other).get(path).set("Cookie", cookie).set("Accept", "application/json"));
    expect([after.answer.status, after.passedOn]).toEqual([401, true]);
  }
});

