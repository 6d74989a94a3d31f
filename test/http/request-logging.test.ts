// One JSON line per request: request id (the caller's X-Request-Id when sane, echoed back), route,
// status, duration, GitHub user id when signed in; never a token, cookie, code, state or secret.
import request from "supertest";
import { sessionCookieOf } from "../support/cookies.js";
import { approvedSignIn, signIn } from "../support/sign-in.js";
import { startTestStack, type TestStack } from "../support/stack.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

interface RequestLine {
  reqId: string;
  method: string;
  route: string;
  status: number;
  durationMs: number;
  userId?: number;
  msg: string;
  level: number;
}

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(() => stack.close());

const requestLines = (): RequestLine[] =>
  stack.logs.map((line) => JSON.parse(line) as RequestLine & { msg: string }).filter((line) => line.msg === "request completed");

/** The one completion line of the request with this id (fails when there is none or more than one). */
function lineFor(requestId: string): RequestLine {
  const lines = requestLines().filter((line) => line.reqId === requestId);
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

test("a sane X-Request-Id is used and echoed back", async () => {
  const answer = await request(stack.app).get("/healthz").set("X-Request-Id", "lb-7f3a.9_c-01").expect(200);
  expect(answer.headers["x-request-id"]).toBe("lb-7f3a.9_c-01");
  expect(lineFor("lb-7f3a.9_c-01")).toMatchObject({ method: "GET", route: "/healthz", status: 200 });
});

test.each([
  ["spaces and quotes", 'abc "def"'],
  ["a header injection attempt", "abc%0d%0aSet-Cookie:x=1"],
  ["too long", "a".repeat(129)],
])("an X-Request-Id with %s is replaced by a fresh UUID", async (_label, received) => {
  const answer = await request(stack.app).get("/healthz").set("X-Request-Id", received).expect(200);
  const id = answer.headers["x-request-id"]!;
  expect(id).toMatch(UUID);
  expect(lineFor(id).route).toBe("/healthz");
  expect(stack.logs.join("\n")).not.toContain(received);
});

test("without X-Request-Id every request gets its own UUID", async () => {
  const first = (await request(stack.app).get("/healthz")).headers["x-request-id"]!;
  const second = (await request(stack.app).get("/healthz")).headers["x-request-id"]!;
  expect(first).toMatch(UUID);
  expect(second).toMatch(UUID);
  expect(first).not.toBe(second);
});

test("a sign-in: one line per request with route pattern, status, duration, and the user id once signed in", async () => {
  const agent = request.agent(stack.app);
  const walk = await signIn(agent, { returnTo: "/somewhere" });
  const me = await agent.get("/api/me").expect(200);

  const start = lineFor(walk.start.headers["x-request-id"]!);
  expect(start).toMatchObject({ method: "GET", route: "/auth/github", status: 302 });
  expect(start.userId).toBeUndefined();
  const callback = lineFor(walk.callback.headers["x-request-id"]!);
  expect(callback).toMatchObject({ method: "GET", route: "/auth/github/callback", status: 303, userId: 583231 });
  expect(typeof callback.durationMs).toBe("number");
  expect(callback.durationMs).toBeGreaterThanOrEqual(0);
  expect(lineFor(me.headers["x-request-id"]!)).toMatchObject({ route: "/api/me", status: 200, userId: 583231 });
});

test("no token, cookie, code, state or secret reaches any log line", async () => {
  const agent = request.agent(stack.app);
  const { callbackUrl, callbackPath, attemptCookie } = await approvedSignIn(agent);
  const callback = await agent.get(callbackPath).expect(303);
  await agent.get(callbackPath).expect(400); // the replay is logged too
  const sessionCookie = sessionCookieOf(callback);
  await agent.get("/api/github/user").expect(200);
  await request(stack.app).get(`/nowhere?code=leak-me-code&state=leak-me-state`).set("Cookie", sessionCookie).expect(404);

  const secrets = [
    callbackUrl.searchParams.get("code")!,
    callbackUrl.searchParams.get("state")!,
    attemptCookie.split("=")[1]!,
    sessionCookie.split("=")[1]!,
    decodeURIComponent(sessionCookie.split("=")[1]!),
    "leak-me-code",
    "leak-me-state",
    stack.env.SESSION_SECRET!,
    stack.env.TOKEN_ENCRYPTION_KEY!,
    stack.env.GITHUB_CLIENT_SECRET!,
    ...stack.emulator.emulator.issuedAccessTokens(),
    ...stack.emulator.emulator.issuedRefreshTokens(),
  ];
  const everything = stack.logs.join("\n");
  for (const secret of secrets) {
    expect(secret.length).toBeGreaterThan(8);
    expect(everything).not.toContain(secret);
  }
  // An unmatched path is logged without its query string.
  expect(requestLines().some((line) => line.route === "/nowhere" && line.status === 404)).toBe(true);
});

test("each line is one JSON object on its own line, with the service name", async () => {
  await request(stack.app).get("/healthz").set("X-Request-Id", "json-shape-check").expect(200);
  const raw = stack.logs.find((line) => line.includes('"json-shape-check"'))!;
  expect(raw.trimEnd().split("\n")).toHaveLength(1);
  expect(JSON.parse(raw)).toMatchObject({ service: "github-login-server", level: 30, reqId: "json-shape-check" });
});

test("a 10 KB path is logged cut to 512 characters and marked as cut, without its query, on every line of the request", async () => {
  const path = `/${"a".repeat(10 * 1024)}`;
  const before = stack.logs.length;
  await request(stack.app)
    .get(`${path}?teams=${"b".repeat(200)}`)
    .set("X-Request-Id", "ten-kilobyte-path")
    .expect(404);
  const lines = stack.logs.slice(before);
  expect(lines.length).toBeGreaterThan(0);
  const cut = `/${"a".repeat(511)}…[${path.length - 512} more characters]`;
  expect(lineFor("ten-kilobyte-path").route).toBe(cut);
  // The refusal's own line names the path the same way.
  expect(lines.map((line) => JSON.parse(line).where).filter(Boolean)).toEqual([`GET ${cut}`]);
  for (const line of lines) {
    expect(line.length).toBeLessThan(2_000);
    expect(line).not.toContain("a".repeat(513));
    expect(line).not.toContain("bbbb");
  }
});
