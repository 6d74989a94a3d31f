// GET /auth/check, the forward-auth endpoint for reverse proxies: 204 with who is signed in, or
// 401; one session read, and never a wait for GitHub, whatever the state of the token or profile
// (a due revalidation runs in the background: access-revalidation.test.ts).
import request from "supertest";
import { ManualClock } from "../../src/clock.js";
import { SESSION_COOKIE } from "../support/cookies.js";
import { signedInBrowser } from "../support/sign-in.js";
import { startTestStack, TEST_PUBLIC_URL, type TestStack } from "../support/stack.js";
import { storeCommandsDuring } from "../support/store-commands.js";

const HOURS = 3_600_000;
const clock = new ManualClock(Date.now());
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ clock });
});
afterAll(() => stack.close());

const signedInCookie = async (login = "octocat") => (await signedInBrowser(stack.app, login)).cookie;

const githubCalls = () => stack.emulator.emulator.stats.apiRequests.length + stack.emulator.emulator.stats.tokenRequests.length;

test("signed in: 204 with the login, email and user id, and no body", async () => {
  const answer = await request(stack.app)
    .get("/auth/check")
    .set("Cookie", await signedInCookie())
    .expect(204);
  expect(answer.headers["x-auth-request-user"]).toBe("octocat");
  expect(answer.headers["x-auth-request-email"]).toBe("octocat@github.com");
  expect(answer.headers["x-auth-request-user-id"]).toBe("583231");
  expect(answer.text).toBe("");
  expect(answer.headers["cache-control"]).toBe("no-store");
});

test("HEAD answers the same", async () => {
  const answer = await request(stack.app)
    .head("/auth/check")
    .set("Cookie", await signedInCookie())
    .expect(204);
  expect(answer.headers["x-auth-request-user"]).toBe("octocat");
});

test("signed out, or with a forged cookie: 401 and no user headers", async () => {
  for (const cookie of [undefined, `${SESSION_COOKIE}=s%3Aforged.forged`]) {
    const call = request(stack.app).get("/auth/check").set("Accept", "application/json");
    const answer = await (cookie ? call.set("Cookie", cookie) : call);
    expect(answer.status).toBe(401);
    expect(answer.body.error).toBe("unauthenticated");
    expect(answer.headers["x-auth-request-user"]).toBeUndefined();
    expect(answer.headers["x-auth-request-user-id"]).toBeUndefined();
  }
});

test("after sign-out: 401", async () => {
  const cookie = await signedInCookie();
  await request(stack.app).get("/auth/check").set("Cookie", cookie).expect(204);
  await request(stack.app).post("/auth/logout").set("Cookie", cookie).set("Origin", TEST_PUBLIC_URL).expect(303);
  await request(stack.app).get("/auth/check").set("Cookie", cookie).expect(401);
});

test("no call to GitHub while the session is fresh; a stale one costs one revalidation, not one per check", async () => {
  const cookie = await signedInCookie();
  stack.emulator.emulator.resetStats();
  for (let i = 0; i < 5; i += 1) await request(stack.app).get("/auth/check").set("Cookie", cookie).expect(204);
  await stack.settled();
  expect(githubCalls()).toBe(0);
  clock.advance(9 * HOURS); // the token expired, the profile is hours old
  for (let i = 0; i < 5; i += 1) await request(stack.app).get("/auth/check").set("Cookie", cookie).expect(204);
  await stack.settled();
  // One revalidation in the background: a refresh of the expired token, then /user.
  expect(stack.emulator.emulator.stats.refreshes).toBe(1);
  expect(stack.emulator.emulator.stats.apiRequests.filter((call) => call.path === "/api/v3/user")).toHaveLength(1);
  for (let i = 0; i < 5; i += 1) await request(stack.app).get("/auth/check").set("Cookie", cookie).expect(204);
  await stack.settled();
  expect(stack.emulator.emulator.stats.apiRequests.filter((call) => call.path === "/api/v3/user")).toHaveLength(1);
});

test("one session read: one script reads the entry and its TTL (GET, PTTL), nothing written", async () => {
  const cookie = await signedInCookie();
  // Redis now knows the script, so the read below is a bare EVALSHA (not EVALSHA, NOSCRIPT, EVAL).
  await request(stack.app).get("/auth/check").set("Cookie", cookie).expect(204);
  const ours = await storeCommandsDuring(stack, () => request(stack.app).get("/auth/check").set("Cookie", cookie).expect(204));
  const names = ours.map((args) => args[0]!.toLowerCase());
  // Just signed in, so the idle expiry is where sliding would put it: nothing to write.
  expect(names).toEqual(["evalsha", "get", "pttl"]);
  const entryKey = ours[1]![1]!;
  expect(entryKey.startsWith(`${stack.keyPrefix}sess:`)).toBe(true);
  expect(ours[0]!.slice(2)).toEqual(["1", entryKey]); // the script's one key
  expect(ours[2]![1]).toBe(entryKey);
});

test("other methods: 405 with Allow", async () => {
  const answer = await request(stack.app).post("/auth/check").expect(405);
  expect(answer.headers.allow).toBe("GET, HEAD");
});
