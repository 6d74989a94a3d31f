// A user's own sessions (SPEC §8): GET /api/sessions lists them (opaque ids, never a session id;
// kind, host, browser, created, last seen), DELETE /api/sessions/{id} ends one of the user's own
// (404 for any other id, same-origin for cookie callers), and the /sessions page does the same for
// people. A session ended from another device is refused from its next request.
import request from "supertest";
import { ManualClock } from "../../src/clock.js";
import { sessionCookieOf, sessionEntryKeyOf, sessionIdOf } from "../support/cookies.js";
import { approveAtEmulator } from "../support/emulator-server.js";
import { HostBrowser } from "../support/host-browser.js";
import { signIn } from "../support/sign-in.js";
import { startTestStack, TEST_PUBLIC_URL, type TestStack } from "../support/stack.js";

const clock = new ManualClock(Date.now());
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ clock });
});
beforeEach(() => stack.redis.del(`${stack.keyPrefix}user:583231:sessions`)); // each test starts with octocat's index empty
afterEach(() => stack.settled());
afterAll(() => stack.close());

const LAPTOP = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";
const PHONE = "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36";

/** A browser signed in with this User-Agent (the agent sends it on every request, as a browser would). */
async function browserWith(userAgent: string, login = "octocat") {
  const agent = request.agent(stack.app);
  agent.set("User-Agent", userAgent);
  const { callback } = await signIn(agent, { login });
  return { agent, cookie: sessionCookieOf(callback) };
}
const list = async (cookie: string) =>
  (await request(stack.app).get("/api/sessions").set("Cookie", cookie).expect(200)).body as Record<string, unknown>[];

test("the list: each session with an opaque id, kind, host, its browser, created and last seen; the current one marked", async () => {
  const laptop = await browserWith(LAPTOP);
  clock.advance(1_000); // newest first: the phone signed in after the laptop
  const phone = await browserWith(PHONE);
  const sessions = await list(laptop.cookie);
  expect(sessions).toHaveLength(2);
  expect(sessions.map(({ current, userAgent, kind, host }) => ({ current, userAgent, kind, host }))).toEqual([
    { current: false, userAgent: PHONE, kind: "browser", host: new URL(TEST_PUBLIC_URL).host },
    { current: true, userAgent: LAPTOP, kind: "browser", host: new URL(TEST_PUBLIC_URL).host },
  ]);
  const ids = sessions.map((session) => String(session.id));
  for (const cookie of [laptop.cookie, phone.cookie]) expect(ids).not.toContain(sessionIdOf(cookie));
  expect(ids.every((id) => /^[A-Za-z0-9_-]{22}$/.test(id))).toBe(true);
  await request(stack.app).get("/api/sessions").expect(401);
});

test("last seen is read off the sliding expiry: within the renewal step of the last use", async () => {
  const laptop = await browserWith(LAPTOP);
  const phone = await browserWith(PHONE);
  clock.advance(30 * 60_000);
  // The phone was last used ten minutes ago: its entry has ten minutes less to live than a fresh one.
  const tenMinutes = 10 * 60_000;
  await stack.redis.pexpire(sessionEntryKeyOf(stack.keyPrefix, phone.cookie), stack.config.session.idleTimeoutMs - tenMinutes);
  const phoneSession = (await list(laptop.cookie)).find((session) => !session.current)!;
  expect(Math.abs(Date.parse(String(phoneSession.lastSeenAt)) - (clock.now() - tenMinutes))).toBeLessThanOrEqual(60_000);
  const laptopSession = (await list(laptop.cookie)).find((session) => session.current)!;
  expect(Math.abs(Date.parse(String(laptopSession.lastSeenAt)) - clock.now())).toBeLessThanOrEqual(60_000);
});

test("ending another of one's sessions: 204, and that device is refused from its next request; this one goes on", async () => {
  const laptop = await browserWith(LAPTOP);
  const phone = await browserWith(PHONE);
  const phoneId = (await list(laptop.cookie)).find((session) => !session.current)!.id;
  await request(stack.app)
    .delete(`/api/sessions/${phoneId}`)
    .set("Cookie", laptop.cookie)
    .set("Origin", "https://evil.example")
    .expect(403);
  await request(stack.app).delete(`/api/sessions/${phoneId}`).set("Cookie", laptop.cookie).set("Origin", TEST_PUBLIC_URL).expect(204);
  await request(stack.app).get("/auth/check").set("Cookie", phone.cookie).expect(401);
  await request(stack.app).get("/auth/check").set("Cookie", laptop.cookie).expect(204);
  await request(stack.app).delete(`/api/sessions/${phoneId}`).set("Cookie", laptop.cookie).set("Origin", TEST_PUBLIC_URL).expect(404);
});

test("another user's session, or any made-up id, is a 404", async () => {
  const octocat = await browserWith(LAPTOP);
  const monalisa = await browserWith(PHONE, "monalisa");
  const monalisasId = (await list(monalisa.cookie))[0]!.id;
  const answer = await request(stack.app)
    .delete(`/api/sessions/${monalisasId}`)
    .set("Cookie", octocat.cookie)
    .set("Origin", TEST_PUBLIC_URL)
    .set("Accept", "application/json");
  expect([answer.status, answer.body.error]).toEqual([404, "not_found"]);
  await request(stack.app)
    .delete(`/api/sessions/${sessionIdOf(octocat.cookie)}`)
    .set("Cookie", octocat.cookie)
    .set("Origin", TEST_PUBLIC_URL)
    .expect(404);
  // Even a session id of monalisa's that found its way into octocat's index is not his to list or end.
  await stack.redis.zadd(`${stack.keyPrefix}user:583231:sessions`, Date.now() + 3_600_000, sessionIdOf(monalisa.cookie));
  expect((await list(octocat.cookie)).map((session) => session.id)).not.toContain(monalisasId);
  await request(stack.app).delete(`/api/sessions/${monalisasId}`).set("Cookie", octocat.cookie).set("Origin", TEST_PUBLIC_URL).expect(404);
  await request(stack.app).get("/auth/check").set("Cookie", monalisa.cookie).expect(204);
});

test("the /sessions page: one sign-out button per session and one for all others; same-origin forms", async () => {
  const laptop = await browserWith(LAPTOP);
  const phone = await browserWith(PHONE);
  const tablet = await browserWith(PHONE);
  const page = await request(stack.app).get("/sessions").set("Cookie", laptop.cookie).expect(200);
  expect(page.text).toContain("Chrome on macOS");
  expect(page.text).toContain("This session");
  expect(page.text.match(/action="\/sessions\/[A-Za-z0-9_-]{22}\/end"/g)).toHaveLength(3);
  expect(page.text).toContain('action="/sessions/end-others"');
  await request(stack.app).post("/sessions/end-others").set("Cookie", laptop.cookie).set("Sec-Fetch-Site", "cross-site").expect(403);
  const ended = await request(stack.app)
    .post("/sessions/end-others")
    .set("Cookie", laptop.cookie)
    .set("Origin", TEST_PUBLIC_URL)
    .expect(303);
  expect(ended.headers.location).toBe("/sessions");
  for (const other of [phone, tablet]) await request(stack.app).get("/auth/check").set("Cookie", other.cookie).expect(401);
  const [current] = await list(laptop.cookie);
  const signedOut = await request(stack.app)
    .post(`/sessions/${current!.id}/end`)
    .set("Cookie", laptop.cookie)
    .set("Origin", TEST_PUBLIC_URL)
    .expect(303);
  expect(signedOut.headers.location).toBe("/?signed_out=1");
  await request(stack.app).get("/auth/check").set("Cookie", laptop.cookie).expect(401);
});

describe("the host a session was signed in on", () => {
  let hosts: TestStack;
  beforeAll(async () => {
    hosts = await startTestStack({ clock, env: { PROTECTED_HOSTS: "b.test" } });
  });
  afterAll(() => hosts.close());
  const hostsListed = async (browser: HostBrowser, origin: string) =>
    ((await browser.get(`${origin}/api/sessions`)).body as { host: string; current: boolean }[]).map(({ host, current }) => ({
      host,
      current,
    }));

  test("a sign-in started on a protected host shows that host, on every host the session reached", async () => {
    const browser = new HostBrowser(hosts.app);
    const start = await browser.get("http://b.test/auth/github?returnTo=/app");
    const atGitHub = await browser.get(start.headers.location!);
    const callbackUrl = await approveAtEmulator(atGitHub.headers.location!, { login: "monalisa" });
    const backToHandoff = await browser.get(callbackUrl.href);
    const ticket = await browser.get(new URL(backToHandoff.headers.location!, TEST_PUBLIC_URL).href);
    expect((await browser.get(ticket.headers.location!)).status).toBe(303);
    expect(await hostsListed(browser, "http://b.test")).toEqual([{ host: "b.test", current: true }]);
    expect(await hostsListed(browser, TEST_PUBLIC_URL)).toEqual([{ host: "b.test", current: true }]);
  });

  test("on the login host for a protected host's address: that host; for a path of its own: the login host", async () => {
    const browsers = [new HostBrowser(hosts.app), new HostBrowser(hosts.app)];
    for (const [browser, returnTo] of [
      [browsers[0]!, "http://b.test/report"],
      [browsers[1]!, "/"],
    ] as const) {
      const start = await browser.get(`${TEST_PUBLIC_URL}/auth/github?returnTo=${encodeURIComponent(returnTo)}`);
      const callbackUrl = await approveAtEmulator(start.headers.location!, { login: "octocat" });
      expect((await browser.get(callbackUrl.href)).status).toBe(303);
      clock.advance(1_000);
    }
    // Newest first: the second browser's sign-in, for a path on the login host.
    expect(await hostsListed(browsers[1]!, TEST_PUBLIC_URL)).toEqual([
      { host: new URL(TEST_PUBLIC_URL).host, current: true },
      { host: "b.test", current: false },
    ]);
  });
});
