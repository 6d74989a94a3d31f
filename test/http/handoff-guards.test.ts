// The handoff's bounds that no other walk reaches (SPEC §6): a request or ticket dated in the
// future (made by an instance whose clock runs ahead by more than the tolerated skew) is refused
// like a stale one, and a host taken off PROTECTED_HOSTS while a browser was on its way gets no
// ticket, from any instance that knows the new list.
import type { Response } from "supertest";
import { ManualClock } from "../../src/clock.js";
import { approveAtEmulator } from "../support/emulator-server.js";
import { HostBrowser } from "../support/host-browser.js";
import { SESSION_COOKIE, setCookies } from "../support/cookies.js";
import { startTestStack, TEST_PUBLIC_URL, type TestStack } from "../support/stack.js";

const LOGIN = TEST_PUBLIC_URL;
const B = "http://b.test";
const clock = new ManualClock(Date.now());
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ clock, env: { PROTECTED_HOSTS: "b.test, c.test" } });
});
afterAll(() => stack.close());

/** A browser signed in at the login host, so that a handoff needs no visit to GitHub. */
async function signedInBrowser(): Promise<HostBrowser> {
  const browser = new HostBrowser(stack.app);
  const start = await browser.get(`${LOGIN}/auth/github`);
  const callbackUrl = await approveAtEmulator(start.headers.location!, { login: "octocat" });
  expect((await browser.get(callbackUrl.href)).status).toBe(303);
  return browser;
}

/** B's sign-in up to the login host's handoff step (not yet visited). */
async function handoffRequest(browser: HostBrowser): Promise<string> {
  const start = await browser.get(`${B}/auth/github?returnTo=/report`);
  expect(start.status).toBe(302);
  return start.headers.location!;
}

async function ticketFor(browser: HostBrowser): Promise<string> {
  const issued = await browser.get(await handoffRequest(browser));
  expect(issued.status).toBe(303);
  return issued.headers.location!;
}

/** Runs `work` on an instance whose clock is `behindMs` behind the one that made what it is given. */
async function withClockBehind<T>(behindMs: number, work: () => Promise<T>): Promise<T> {
  clock.advance(-behindMs);
  try {
    return await work();
  } finally {
    clock.advance(behindMs);
  }
}

function expectRefusedWithoutCookie(answer: Response) {
  expect(answer.status).toBe(400);
  expect(answer.text).toContain("Sign-in link expired or invalid");
  expect(setCookies(answer).filter((header) => header.startsWith(SESSION_COOKIE))).toEqual([]);
}

test("a ticket issued more than the tolerated skew in the future is refused, no cookie", async () => {
  const browser = await signedInBrowser();
  const ticketUrl = await ticketFor(browser);
  expectRefusedWithoutCookie(await withClockBehind(10_000, () => browser.get(ticketUrl)));
});

test("a ticket issued a little ahead (ordinary skew between instances) works", async () => {
  const browser = await signedInBrowser();
  const ticketUrl = await ticketFor(browser);
  const redeemed = await withClockBehind(3_000, () => browser.get(ticketUrl));
  expect([redeemed.status, redeemed.headers.location]).toEqual([303, "/report"]);
});

test("a handoff request made more than the tolerated skew in the future is refused at the login host", async () => {
  const browser = await signedInBrowser();
  const requestUrl = await handoffRequest(browser);
  const answer = await withClockBehind(10_000, () => browser.get(requestUrl));
  expect(answer.status).toBe(400);
  expect(answer.headers.location).toBeUndefined();
});

test("a host taken off PROTECTED_HOSTS between the start and the handoff gets no ticket", async () => {
  const browser = await signedInBrowser();
  const requestUrl = await handoffRequest(browser);
  // The operator removed b.test; the browser reaches an instance started with the new list.
  const { app } = await stack.restartedWith({ PROTECTED_HOSTS: "c.test" });
  const answer = await browser.through(app).get(requestUrl);
  expect(answer.status).toBe(400);
  expect(answer.text).toContain("Sign-in link expired or invalid");
  expect(answer.headers.location).toBeUndefined();
});

test("a ticket issued before the host was taken off PROTECTED_HOSTS opens nothing there afterwards", async () => {
  const browser = await signedInBrowser();
  const ticketUrl = await ticketFor(browser);
  const { app } = await stack.restartedWith({ PROTECTED_HOSTS: "c.test" });
  const answer = await browser.through(app).get(ticketUrl);
  expect(answer.status).toBe(421);
  expect(setCookies(answer)).toEqual([]);
});
