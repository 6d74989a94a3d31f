// GET|HEAD /api/github/*: acting as the user against GitHub's REST API.
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import request from "supertest";
import { startTestStack, TEST_PUBLIC_URL, type TestStack } from "../support/stack.js";
import { SESSION_COOKIE, setCookies } from "../support/cookies.js";
import { signIn } from "../support/sign-in.js";

let stack: TestStack;
let agent: ReturnType<typeof request.agent>;
beforeAll(async () => {
  stack = await startTestStack({ env: { GITHUB_PROXY_METHODS: "GET,HEAD,PATCH" } });
  agent = request.agent(stack.app);
  await signIn(agent);
});
afterAll(() => stack.close());
beforeEach(() => stack.emulator.emulator.resetStats());

test("forwards with the user's token and streams status, body and rate-limit headers back", async () => {
  const answer = await agent.get("/api/github/user").expect(200);
  expect(answer.body.login).toBe("octocat");
  expect(answer.headers["x-ratelimit-limit"]).toBe("5000");
  expect(answer.headers["x-ratelimit-remaining"]).toMatch(/^\d+$/);
  expect(answer.headers["x-github-request-id"]).toBeDefined();
  expect(answer.headers.etag).toBeDefined();
  expect(answer.headers["cache-control"]).toBe("no-store");
  const [call] = stack.emulator.emulator.stats.apiRequests;
  expect(call).toMatchObject({ method: "GET", path: "/api/v3/user", status: 200 });
  expect(call!.authorization).toMatch(/^token gh[ou]_/);
});

test("passes query strings, conditional requests and GitHub's own errors through", async () => {
  const first = await agent.get("/api/github/user").expect(200);
  await agent.get("/api/github/user").set("If-None-Match", first.headers.etag!).expect(304);
  const missing = await agent.get("/api/github/repos/octocat/nothing?per_page=5").expect(404);
  expect(missing.body.message).toBe("Not Found");
  expect(stack.emulator.emulator.stats.apiRequests.at(-1)!.path).toBe("/api/v3/repos/octocat/nothing");
});

test("HEAD is forwarded without a body", async () => {
  const answer = await agent.head("/api/github/user").expect(200);
  expect(answer.text ?? "").toBe("");
});

test("GitHub's own cookies and other headers are not passed back", async () => {
  stack.emulator.emulator.injectFault({
    pathPrefix: "/api/v3/user",
    status: 200,
    headers: { "set-cookie": "logged_in=yes; Domain=github.com", "x-frame-options": "ALLOWALL", "content-type": "application/json" },
    body: { login: "octocat" },
  });
  const answer = await agent.get("/api/github/user").expect(200);
  expect(setCookies(answer).filter((cookie) => !cookie.startsWith(`${SESSION_COOKIE}=`))).toEqual([]);
  expect(answer.headers["x-frame-options"]).toBe("DENY"); // ours (helmet), not GitHub's
});

describe("whatever GitHub answers can never run as a page of this origin", () => {
  // The data set (http/security-headers.ts), sandboxed: even a document opened at /api/github/*
  // gets an opaque origin and no script.
  const SANDBOXED_DATA_CSP = "default-src 'none';frame-ancestors 'none';sandbox";
  const HOSTILE_HTML = "<!doctype html><script>fetch('/api/me').then((r) => r.text()).then(alert)</script>";

  function expectSandboxed(answer: request.Response): void {
    expect(answer.headers["content-security-policy"]).toBe(SANDBOXED_DATA_CSP);
    expect(answer.headers["x-content-type-options"]).toBe("nosniff");
  }

  test("an HTML answer (raw content, GitHub's own error pages) keeps its type, sandboxed", async () => {
    stack.emulator.emulator.injectFault({
      pathPrefix: "/api/v3/repos/octocat/site/contents/index.html",
      status: 200,
      headers: { "content-type": "text/html; charset=utf-8" },
      body: HOSTILE_HTML,
    });
    const page = await agent
      .get("/api/github/repos/octocat/site/contents/index.html")
      .set("Accept", "application/vnd.github.raw")
      .expect(200);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.text).toBe(HOSTILE_HTML);
    expectSandboxed(page);

    stack.emulator.emulator.injectFault({
      pathPrefix: "/api/v3/user",
      status: 503,
      headers: { "content-type": "text/html; charset=utf-8" },
      body: HOSTILE_HTML,
    });
    const unicorn = await agent.get("/api/github/user").expect(503);
    expect(unicorn.headers["content-type"]).toBe("text/html; charset=utf-8");
    expectSandboxed(unicorn);
  });

  test("JSON answers keep GitHub's type, for every status and for HEAD", async () => {
    const ok = await agent.get("/api/github/user").expect(200);
    expect(ok.headers["content-type"]).toBe("application/json; charset=utf-8");
    expectSandboxed(ok);
    expectSandboxed(await agent.get("/api/github/user").set("If-None-Match", ok.headers.etag!).expect(304));
    const missing = await agent.get("/api/github/repos/octocat/nothing").expect(404);
    expect(missing.headers["content-type"]).toBe("application/json; charset=utf-8");
    expectSandboxed(missing);
    expectSandboxed(await agent.head("/api/github/user").expect(200));
  });

  test("so do this server's own refusals on the proxy", async () => {
    expectSandboxed(await request(stack.app).get("/api/github/user").set("Accept", "text/html").expect(401));
    expectSandboxed(await agent.delete("/api/github/user").expect(405));
    expectSandboxed(await agent.get("/api/github/%2e%2e/x").expect(400));
  });
});

test("only allow-listed headers go out: never the browser's cookies", async () => {
  // A stand-in for GitHub's API that records what it receives (token exchange stays on the emulator).
  const received: IncomingHttpHeaders[] = [];
  const capture = createServer((incoming, outgoing) => {
    received.push(incoming.headers);
    outgoing.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ id: 583231, login: "octocat", created_at: null }));
  });
  await new Promise<void>((resolve) => capture.listen(0, "127.0.0.1", resolve));
  const apiUrl = `http://127.0.0.1:${(capture.address() as AddressInfo).port}`;
  const captured = await startTestStack({ env: { GITHUB_API_URL: apiUrl } });
  try {
    const browser = request.agent(captured.app);
    await signIn(browser);
    received.length = 0;
    await browser
      .get("/api/github/user")
      .set("X-Secret-Header", "nope")
      // Credentials of its own (a bearer beside the cookie is refused outright: bearer-sessions.test.ts).
      .set("Authorization", "Basic c29tZW9uZTplbHNl")
      .set("Accept", "application/vnd.github+json")
      .expect(200);
    expect(received).toHaveLength(1);
    const headers = received[0]!;
    expect(headers.cookie).toBeUndefined();
    expect(headers["x-secret-header"]).toBeUndefined();
    expect(headers.authorization).toMatch(/^token gh[ou]_/);
    expect(headers.accept).toBe("application/vnd.github+json");
  } finally {
    await captured.close();
    capture.close();
  }
});

test("signed out → 401", async () => {
  const answer = await request(stack.app).get("/api/github/user").expect(401);
  expect(answer.body.error).toBe("unauthenticated");
});

test("methods not in GITHUB_PROXY_METHODS → 405 with Allow", async () => {
  const answer = await agent.post("/api/github/user/repos").send({ name: "x" }).expect(405);
  expect(answer.headers.allow).toBe("GET, HEAD, PATCH");
  await agent.delete("/api/github/user").expect(405);
  expect(stack.emulator.emulator.stats.apiRequests).toHaveLength(0);
});

test("an enabled unsafe method also needs same-origin", async () => {
  await agent.patch("/api/github/user").set("Origin", "https://evil.example").send({ name: "x" }).expect(403);
  expect(stack.emulator.emulator.stats.apiRequests).toHaveLength(0);
  const sameOrigin = await agent.patch("/api/github/user").set("Origin", TEST_PUBLIC_URL).send({ name: "x" });
  expect(sameOrigin.status).toBe(404); // forwarded: the emulator has no PATCH /user
  expect(stack.emulator.emulator.stats.apiRequests.at(-1)).toMatchObject({ method: "PATCH", path: "/api/v3/user" });
});

test.each([
  "/api/github/../../login/oauth/access_token",
  "/api/github/%2e%2e/%2e%2e/login/oauth/access_token",
  "/api/github/..%2f..%2flogin",
  "/api/github/user/%2E%2E/%2E%2E/x",
  "/api/github//evil.example/x",
  "/api/github/%2F%2Fevil.example",
  "/api/github/%5C%5Cevil.example",
  "/api/github/https://evil.example/x",
  "/api/github/user%00",
  "/api/github/user/./emails",
  "/api/github/%252e%252e/x",
])("never leaves the API: %s", async (path) => {
  const answer = await agent.get(path);
  expect(answer.status).toBeGreaterThanOrEqual(400);
  expect(answer.status).toBeLessThan(500);
  for (const call of stack.emulator.emulator.stats.apiRequests) expect(call.path.startsWith("/api/v3/")).toBe(true);
  expect(stack.emulator.emulator.stats.tokenRequests).toHaveLength(0);
});
