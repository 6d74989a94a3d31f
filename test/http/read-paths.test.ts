// GET and HEAD of /auth/check, /api/me and /api/session are answered wholly on node:http
// (src/http/read-paths.ts), over the same session reader and access gate every Express route uses,
// behind the front door that runs in front of every request (front-door.ts). Every kind of answer
// each read path gives, written here rather than by Express: the answer itself (204 with who is
// signed in, 200 JSON with its ETag, 304, HEAD), CORS, the writes a read calls for (the expiry
// slid, the cookie set or removed), one store round trip, and every error (401 with Location, 403
// with its reason, 400, 421, 503, 500), with the log line and the metrics.
import { createHash, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { connect, type AddressInfo } from "node:net";
import request, { type Response } from "supertest";
import { createApp } from "../../src/app.js";
import { ManualClock, systemClock } from "../../src/clock.js";
import { createLogger } from "../../src/logger.js";
import { buildServices } from "../../src/services.js";
import { redisBackend } from "../../src/store/backend.js";
import { createRedisConnection } from "../../src/store/redis-client.js";
import { SESSION_COOKIE, sessionEntryKeyOf, setCookie } from "../support/cookies.js";
import { deviceSessionToken } from "../support/device.js";
import { freePort } from "../support/redis-server.js";
import { signedInBrowser } from "../support/sign-in.js";
import { onLoginHostByDefault, startTestStack, TEST_PUBLIC_URL, type App, type TestStack } from "../support/stack.js";
import { storeCommandsDuring } from "../support/store-commands.js";

const MINUTES = 60_000;
const DATA_CSP = "default-src 'none';frame-ancestors 'none';sandbox";
const SPA = "https://spa.test";
const clock = new ManualClock(Date.now());
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ clock, env: { DEVICE_FLOW: "true", CORS_ORIGINS: SPA } });
});
afterAll(() => stack.close());

const READ_PATHS = ["/auth/check", "/api/me", "/api/session"] as const;
const signedInCookie = async (app: App = stack.app, login = "octocat") => (await signedInBrowser(app, login)).cookie;
const get = (path: string, cookie: string, app: App = stack.app) =>
  request(app).get(path).set("Cookie", cookie).set("Accept", "application/json");

/** The headers two answers to the same question may differ in: the date and a fresh request id. */
const comparable = (answer: Response) => {
  const { date: _date, "x-request-id": _id, ...rest } = answer.headers as Record<string, string>;
  return rest;
};

/** The data set of security headers every read path answers with (SPEC §5), errors and all. */
function expectDataHeaders(answer: Response): void {
  expect(answer.headers["content-security-policy"]).toBe(DATA_CSP);
  expect(answer.headers["cache-control"]).toBe("no-store");
  expect(answer.headers["x-content-type-options"]).toBe("nosniff");
  expect(answer.headers["x-frame-options"]).toBe("DENY");
  expect(answer.headers["referrer-policy"]).toBe("no-referrer");
}

describe("the answers", () => {
  test("/auth/check: 204 with who is signed in and the data headers; HEAD answers the same", async () => {
    const cookie = await signedInCookie();
    const answer = await get("/auth/check", cookie).expect(204);
    expect(answer.headers["x-auth-request-user"]).toBe("octocat");
    expect(answer.headers["x-auth-request-user-id"]).toBe("583231");
    expect(answer.headers).toHaveProperty("x-auth-request-email");
    expect(answer.headers["x-auth-request-groups"]).toBe("");
    expect(answer.headers["content-type"]).toBeUndefined();
    expectDataHeaders(answer);
    const head = await request(stack.app).head("/auth/check").set("Cookie", cookie).set("Accept", "application/json").expect(204);
    expect(comparable(head)).toEqual(comparable(answer));
  });

  test("/api/me and /api/session: 200 JSON with Express's weak ETag; HEAD the same headers without a body; a matching If-None-Match 304", async () => {
    const cookie = await signedInCookie();
    for (const path of ["/api/me", "/api/session"]) {
      const answer = await get(path, cookie).expect(200);
      expect(answer.headers["content-type"]).toBe("application/json; charset=utf-8");
      expect(Number(answer.headers["content-length"])).toBe(Buffer.byteLength(answer.text));
      // What Express's res.json sends: W/"<length in hex>-<the body's SHA-1, base64, 27 characters>".
      const sha1 = createHash("sha1").update(answer.text).digest("base64").slice(0, 27);
      expect(answer.headers.etag).toBe(`W/"${Buffer.byteLength(answer.text).toString(16)}-${sha1}"`);
      expectDataHeaders(answer);
      const head = await request(stack.app).head(path).set("Cookie", cookie).expect(200);
      expect([path, head.text, Object.keys(head.headers).sort()]).toEqual([path, undefined, Object.keys(answer.headers).sort()]);
    }
    // /api/session's body says when the session expires, to the millisecond; /api/me's is the profile, unchanged between calls.
    const me = await get("/api/me", cookie).expect(200);
    expect(me.body).toMatchObject({ login: "octocat", id: 583231 });
    const head = await request(stack.app).head("/api/me").set("Cookie", cookie).expect(200);
    expect(comparable(head)).toEqual(comparable(me));
    const unchanged = await get("/api/me", cookie).set("If-None-Match", me.headers.etag!).expect(304);
    expect([unchanged.text, unchanged.headers.etag, unchanged.headers["content-type"]]).toEqual(["", me.headers.etag, undefined]);
    expectDataHeaders(unchanged);
    await get("/api/me", cookie).set("If-None-Match", 'W/"something else"').expect(200);
    // It has no Last-Modified, so If-Modified-Since alone never makes it 304.
    await get("/api/me", cookie)
      .set("If-Modified-Since", new Date(Date.now() + MINUTES).toUTCString())
      .expect(200);
    expect((await get("/api/session", cookie)).body).toMatchObject({
      user: { id: 583231, login: "octocat" },
      github: { clientType: "github-app" },
    });
  });

  test("CORS under /api: an allowed origin gets its headers on answers and refusals alike, any other origin none, /auth/check never", async () => {
    const cookie = await signedInCookie();
    for (const path of ["/api/me", "/api/session"]) {
      const allowed = await get(path, cookie).set("Origin", SPA).expect(200);
      expect([allowed.headers["access-control-allow-origin"], allowed.headers["access-control-allow-credentials"]]).toEqual([SPA, "true"]);
      const refused = await request(stack.app).get(path).set("Origin", SPA).expect(401);
      expect(refused.headers["access-control-allow-origin"]).toBe(SPA);
      const other = await get(path, cookie).set("Origin", "https://other.test").expect(200);
      expect(other.headers["access-control-allow-origin"]).toBeUndefined();
    }
    const check = await get("/auth/check", cookie).set("Origin", SPA).expect(204);
    expect(check.headers["access-control-allow-origin"]).toBeUndefined();
    // A preflight is Express's (the same CORS middleware): allowed, or 405 for an origin that is not.
    const preflight = await request(stack.app)
      .options("/api/me")
      .set("Origin", SPA)
      .set("Access-Control-Request-Method", "GET")
      .expect(204);
    expect(preflight.headers["access-control-allow-methods"]).toContain("GET");
    await request(stack.app).options("/api/me").set("Origin", "https://other.test").set("Access-Control-Request-Method", "GET").expect(405);
  });

  test("a session token (bearer) is answered the same, with no cookie; a token naming nothing is 401; with a session cookie too, 400", async () => {
    const token = await deviceSessionToken(stack, clock);
    for (const path of READ_PATHS) {
      const answer = await request(stack.app)
        .get(path)
        .set("Authorization", `Bearer ${token}`)
        .expect(path === "/auth/check" ? 204 : 200);
      expect(answer.headers["set-cookie"]).toBeUndefined();
      await request(stack.app).get(path).set("Authorization", `Bearer ${token}x`).set("Accept", "application/json").expect(401);
      const mixed = await get(path, await signedInCookie())
        .set("Authorization", `Bearer ${token}`)
        .expect(400);
      expect(mixed.body.error).toBe("mixed_credentials");
      expectDataHeaders(mixed);
    }
  });
});

describe("what a read writes", () => {
  test("each read path is one store round trip, by cookie and by bearer", async () => {
    const cookie = await signedInCookie();
    const token = await deviceSessionToken(stack, clock);
    await get("/auth/check", cookie).expect(204); // Redis now knows the script: a bare EVALSHA
    for (const path of READ_PATHS) {
      for (const credential of [{ Cookie: cookie }, { Authorization: `Bearer ${token}` }]) {
        const commands = await storeCommandsDuring(stack, () =>
          request(stack.app)
            .get(path)
            .set(credential)
            .expect((answer) => expect(answer.status).toBeLessThan(300)),
        );
        expect([path, commands.map((args) => args[0]!.toLowerCase())]).toEqual([path, ["evalsha", "get", "pttl"]]);
      }
    }
  });

  test("an expiry due to slide: moved on the one read, and the cookie set again with Max-Age and Expires as Express's res.cookie writes it", async () => {
    for (const path of READ_PATHS) {
      const cookie = await signedInCookie();
      const entryKey = sessionEntryKeyOf(stack.keyPrefix, cookie);
      await stack.redis.pexpire(entryKey, 20 * 60 * MINUTES); // 4 h short of where sliding puts it
      let answer: Response | undefined;
      const commands = await storeCommandsDuring(stack, async () => void (answer = await get(path, cookie)));
      expect([path, answer!.status < 300]).toEqual([path, true]);
      expect(commands.map((args) => args[0]!.toLowerCase())).toEqual(["evalsha", "get", "pttl", "pexpire"]);
      expect(await stack.redis.pttl(entryKey)).toBeGreaterThan(23 * 60 * MINUTES);
      const header = setCookie(answer!, SESSION_COOKIE)!;
      expect(header).toMatch(
        new RegExp(
          `^${SESSION_COOKIE}=${cookie.split("=")[1]!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}; Max-Age=86400; Path=/; Expires=[^;]+ GMT; HttpOnly; SameSite=Lax$`,
        ),
      );
      const expires = Date.parse(/Expires=([^;]+)/.exec(header)![1]!);
      expect(Math.abs(expires - (Date.now() + 24 * 60 * MINUTES))).toBeLessThan(5_000);
    }
  });

  test("a bearer session due to slide is moved, and no cookie is set", async () => {
    const bearerKeys = () => stack.redis.keys(`${stack.keyPrefix}sess:t.*`);
    const before = new Set(await bearerKeys());
    const token = await deviceSessionToken(stack, clock);
    const entryKey = (await bearerKeys()).find((key) => !before.has(key))!;
    await stack.redis.pexpire(entryKey, 20 * 60 * MINUTES);
    const answer = await request(stack.app).get("/auth/check").set("Authorization", `Bearer ${token}`).expect(204);
    expect(answer.headers["set-cookie"]).toBeUndefined();
    expect(await stack.redis.pttl(entryKey)).toBeGreaterThan(23 * 60 * MINUTES);
  });

  test("past SESSION_MAX_AGE the session ends at its next read: 401, the entry gone, the cookie removed", async () => {
    // Profiles good for longer than the session's lifetime, so that only the lifetime ends it.
    const { app } = await stack.restartedWith({ SESSION_MAX_AGE: "1h", PROFILE_MAX_AGE: "2h" });
    for (const path of READ_PATHS) {
      const cookie = await signedInCookie(app);
      await stack.redis.pexpire(sessionEntryKeyOf(stack.keyPrefix, cookie), 30_000); // nor is a slide due
      clock.advance(60 * MINUTES + 10_000);
      const ended = await get(path, cookie, app).expect(401);
      expect(setCookie(ended, SESSION_COOKIE)).toBe(
        `${SESSION_COOKIE}=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax`,
      );
      expect(await stack.redis.exists(sessionEntryKeyOf(stack.keyPrefix, cookie))).toBe(0);
    }
  });
});

describe("the errors, written as Express's error handler writes them", () => {
  test("signed out: 401; /auth/check's carries Location, the sign-in for the page the proxy names, and is a page for a browser", async () => {
    for (const path of READ_PATHS) {
      const answer = await request(stack.app).get(path).set("Accept", "application/json").expect(401);
      expect(answer.body).toEqual({ error: "unauthenticated", message: expect.any(String) });
      expectDataHeaders(answer);
    }
    const check = await request(stack.app).get("/auth/check").set("X-Forwarded-Uri", "/reports?year=2025&q=a").expect(401);
    expect(check.headers.location).toBe("/auth/github?returnTo=/reports%3Fyear%3D2025%26q%3Da");
    // A browser sees the page, under the page set of headers, its button leading to that sign-in.
    expect([check.type, check.headers["x-frame-options"], check.headers["content-security-policy"]]).toEqual([
      "text/html",
      "SAMEORIGIN",
      expect.stringContaining("default-src 'self'"),
    ]);
    expect(check.text).toContain('href="/auth/github?returnTo=/reports%3Fyear%3D2025%26q%3Da"');
    const forged = await request(stack.app)
      .get("/auth/check")
      .set("Cookie", `${SESSION_COOKIE}=s%3Aforged.forged`)
      .set("Accept", "application/json");
    expect(forged.status).toBe(401);
  });

  test("a user the allow-lists refuse: 403 with the reason, on every read path", async () => {
    const { app: refusing } = await stack.restartedWith({ ALLOWED_USERS: "hubot" });
    for (const path of READ_PATHS) {
      // A fresh session for each: the refusal goes on to end the session in the background.
      const answer = await get(path, await signedInCookie(), refusing).expect(403);
      expect(answer.body).toMatchObject({ error: "not_allowed", message: expect.stringContaining("octocat") });
      expect(answer.headers["x-auth-request-user"]).toBeUndefined();
      expectDataHeaders(answer);
    }
  });

  test("a rule /auth/check does not understand: 400 invalid_rule for everyone, before the session is read", async () => {
    const cookie = await signedInCookie();
    const commands = await storeCommandsDuring(stack, async () => {
      const answer = await get("/auth/check?team=acme/ops", cookie).expect(400);
      expect(answer.body.error).toBe("invalid_rule");
    });
    expect(commands).toEqual([]);
  });

  test("a host not ours is 421, a host named twice 400: refused in front of every read path, with the page headers", async () => {
    const cookie = await signedInCookie();
    for (const path of READ_PATHS) {
      const unknown = await get(path, cookie).set("Host", "elsewhere.test").expect(421);
      expect([unknown.body.error, unknown.headers["x-frame-options"], unknown.headers["x-auth-request-user"]]).toEqual([
        "unknown_host",
        "SAMEORIGIN",
        undefined,
      ]);
    }
    const { app } = await stack.restartedWith({ TRUST_PROXY: "true" });
    const twice = await get("/api/me", cookie, app).set("X-Forwarded-Host", "a.test, app.test:3000").expect(400);
    expect(twice.body.error).toBe("bad_request");
  });

  test("GitHub unable to confirm past ACCESS_MAX_STALE: 503 access_unconfirmed with Retry-After, the session kept", async () => {
    const { app } = await stack.restartedWith({ ALLOWED_ORGS: "github", ACCESS_MAX_STALE: "10m" });
    const cookie = await signedInCookie(app);
    stack.emulator.emulator.injectFault({ pathPrefix: "/api/v3/user", status: 503, body: "unavailable", times: 10_000 });
    try {
      clock.advance(5 * MINUTES + 1_000);
      await get("/auth/check", cookie, app).expect(204); // from the last decision; the revalidation behind it fails
      await stack.settled();
      clock.advance(10 * MINUTES);
      for (const path of READ_PATHS) {
        const answer = await get(path, cookie, app).expect(503);
        expect([answer.body.error, Number(answer.headers["retry-after"]) > 0]).toEqual(["access_unconfirmed", true]);
        expectDataHeaders(answer);
      }
      await stack.settled();
    } finally {
      stack.emulator.emulator.clearFaults();
    }
  });

  test("the session store not answering: 503 session_store_unavailable with Retry-After, counted in the metrics", async () => {
    const dead = createRedisConnection({ ...stack.config.redis, url: `redis://127.0.0.1:${await freePort()}` });
    dead.on("error", () => {});
    try {
      const services = buildServices(stack.config, {
        clock: systemClock,
        logger: createLogger("silent"),
        storage: redisBackend(dead, stack.keyPrefix, systemClock),
      });
      const app = onLoginHostByDefault(createApp(services), stack.config);
      const cookie = `${SESSION_COOKIE}=s%3A${randomBytes(8).toString("hex")}.x`;
      const signed = await signedInCookie();
      for (const path of READ_PATHS) {
        const answer = await get(path, signed, app).expect(503);
        expect([answer.body.error, answer.headers["retry-after"], answer.headers["set-cookie"]]).toEqual([
          "session_store_unavailable",
          "5",
          undefined,
        ]);
      }
      await get("/auth/check", cookie, app).expect(401); // a forged cookie never reaches the store
      expect(await services.metrics.registry.getSingleMetricAsString("gls_session_store_errors_total")).toMatch(/ 3$/m);
    } finally {
      dead.disconnect();
    }
  });

  test("anything unexpected: 500 with a generic message, the cause logged and never sent", async () => {
    const cookie = await signedInCookie();
    await stack.redis.set(sessionEntryKeyOf(stack.keyPrefix, cookie), JSON.stringify(["s2", { a: true }]), "KEEPTTL");
    for (const path of READ_PATHS) {
      const answer = await get(path, cookie).set("X-Request-Id", `broken-${path.length}`).expect(500);
      expect(answer.body).toEqual({ error: "internal_error", message: "Something went wrong on our side. Please try again." });
      expectDataHeaders(answer);
    }
    const failures = stack.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === "request failed");
    expect(failures.at(-1)).toMatchObject({ status: 500, errorCode: "internal_error", cause: { name: "TypeError" } });
  });
});

test("other spellings of a read path get Express's answers: any case and a trailing slash answered, others 404, other methods 405", async () => {
  const cookie = await signedInCookie();
  for (const path of ["/API/ME", "/api/me/", "/Auth/Check/"])
    expect([path, (await get(path, cookie)).status]).toEqual([path, path.includes("heck") ? 204 : 200]);
  for (const path of ["/api/me//", "/api/m%65", "/api/me.json"]) expect([path, (await get(path, cookie)).status]).toEqual([path, 404]);
  for (const path of READ_PATHS) {
    const answer = await request(stack.app).post(path).set("Cookie", cookie).set("Accept", "application/json").expect(405);
    expect(answer.headers.allow).toBe("GET, HEAD");
  }
});

test("a request line whose address cannot be read is 400 at the front door, and the server goes on", async () => {
  const server = createServer(stack.app);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  /** Sends `requestLine` as it is, over a socket of its own: the status line of the answer. */
  const statusLineOf = (requestLine: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(port, "127.0.0.1", () =>
        socket.write(`${requestLine}\r\nHost: app.test:3000\r\nAccept: application/json\r\nConnection: close\r\n\r\n`),
      );
      let received = "";
      socket.on("data", (chunk: Buffer) => (received += chunk.toString()));
      socket.on("close", () => resolve(received.split("\r\n")[0]!));
      socket.on("error", reject);
    });
  try {
    for (const target of ["http://[::1/api/me", "http://xn--a.test/auth/check", "http://[::1/"]) {
      expect([target, await statusLineOf(`GET ${target} HTTP/1.1`)]).toEqual([target, "HTTP/1.1 400 Bad Request"]);
    }
    expect(await statusLineOf("GET /healthz HTTP/1.1")).toBe("HTTP/1.1 200 OK");
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

test("the front door's log line and request metrics, with the signed-in user", async () => {
  const cookie = await signedInCookie();
  for (const path of READ_PATHS) {
    const id = `read-path-line${path.replaceAll("/", "-")}`;
    await get(path, cookie)
      .set("X-Request-Id", id)
      .expect((answer) => expect(answer.headers["x-request-id"]).toBe(id));
    const line = stack.logs.map((text) => JSON.parse(text) as Record<string, unknown>).find((entry) => entry.reqId === id);
    expect(line).toMatchObject({ msg: "request completed", method: "GET", route: path, userId: 583231 });
    expect(typeof line!.durationMs).toBe("number");
  }
  await request(stack.app).get("/API/ME").set("Cookie", cookie).expect(200);
  const metrics = (await request(stack.app).get("/metrics")).text;
  expect(metrics).toMatch(/gls_http_requests_total\{method="GET",route="\/auth\/check",status="204"\} [1-9]/);
  expect(metrics).toMatch(/gls_http_request_duration_seconds_count\{method="GET",route="\/api\/me",status="200"\} [1-9]/);
  expect(metrics).not.toMatch(/route="\/API\/ME"/);
});

test("a session ended on one instance is refused by another at once", async () => {
  const { agent, cookie } = await signedInBrowser(stack.app);
  const other = await stack.anotherInstance();
  await get("/auth/check", cookie, other).expect(204);
  await agent.post("/auth/logout").set("Origin", TEST_PUBLIC_URL).expect(303);
  for (const path of READ_PATHS) await get(path, cookie, other).expect(401);
});
