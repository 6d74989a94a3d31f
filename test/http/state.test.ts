// State: bound to this browser, single use, 10-minute life, checked before any call to GitHub.
import request from "supertest";
import { ManualClock } from "../../src/clock.js";
import { startTestStack, type TestStack } from "../support/stack.js";
import { approvedSignIn, finishSignIn, startSignIn } from "../support/sign-in.js";

const clock = new ManualClock(Date.now());
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ clock });
});
afterAll(() => stack.close());
beforeEach(() => stack.emulator.emulator.resetStats());

function expectInvalidStatePage(response: request.Response) {
  expect(response.status).toBe(400);
  expect(response.type).toBe("text/html");
  expect(response.text).toContain("Sign-in link expired or invalid");
  expect(response.text).toContain('href="/auth/github"');
  expect(response.headers["referrer-policy"]).toBe("no-referrer"); // this URL carries code and state
}

const approvedCallback = async (agent: ReturnType<typeof request.agent>) => (await approvedSignIn(agent)).callbackPath;

test("missing state → 400, and GitHub is never called", async () => {
  const agent = request.agent(stack.app);
  const callback = await approvedCallback(agent);
  const withoutState = callback.replace(/&?state=[^&]*/, "");
  expectInvalidStatePage(await agent.get(withoutState));
  expect(stack.emulator.emulator.stats.tokenRequests).toHaveLength(0);
});

test("forged state (well-formed, never issued) → 400, no call to GitHub", async () => {
  const agent = request.agent(stack.app);
  const callback = await approvedCallback(agent);
  const forged = callback.replace(/state=[^&]*/, `state=v1.AAAAAAAA.${"A".repeat(16)}.${"A".repeat(40)}.${"A".repeat(22)}`);
  expectInvalidStatePage(await agent.get(forged));
  expect(stack.emulator.emulator.stats.tokenRequests).toHaveLength(0);
});

test("state started in another browser (login CSRF) → 400, no call to GitHub", async () => {
  const attacker = request.agent(stack.app);
  const attackersCallback = await approvedCallback(attacker);
  const victim = request.agent(stack.app);
  expectInvalidStatePage(await victim.get(attackersCallback));
  expect(stack.emulator.emulator.stats.tokenRequests).toHaveLength(0);
  await victim.get("/api/me").expect(401);
});

test("replayed callback, even with the attempt cookie copied → 400, GitHub called once", async () => {
  const agent = request.agent(stack.app);
  const { callbackPath, attemptCookie } = await approvedSignIn(agent);
  expect((await agent.get(callbackPath)).status).toBe(303);
  expectInvalidStatePage(await request(stack.app).get(callbackPath).set("Cookie", attemptCookie));
  expect(stack.emulator.emulator.stats.tokenRequests).toHaveLength(1);
});

test("a replayed callback in a browser that is signed in says so, instead of asking to sign in again", async () => {
  const agent = request.agent(stack.app);
  const { callbackPath } = await approvedSignIn(agent);
  expect((await agent.get(callbackPath)).status).toBe(303);
  const replayed = await agent.get(callbackPath); // the reload or back button
  expect(replayed.status).toBe(400);
  expect(replayed.text).toContain("You are already signed in");
  expect(replayed.text).toContain("you are signed in as @octocat");
  expect(replayed.text).toMatch(/<a class="button button--primary" href="\/">Continue<\/a>/);
  expect(replayed.text).not.toContain("Error 400");
  const asProgram = await agent.get(callbackPath).set("Accept", "application/json");
  expect([asProgram.status, asProgram.body.error]).toEqual([400, "invalid_state"]);
  await agent.get("/api/me").expect(200); // still signed in
  expect(stack.emulator.emulator.stats.tokenRequests).toHaveLength(1);
});

test("the same callback sent twice at once: exactly one succeeds", async () => {
  const { callbackPath, attemptCookie } = await approvedSignIn(request.agent(stack.app));
  const answers = await Promise.all([1, 2, 3].map(() => request(stack.app).get(callbackPath).set("Cookie", attemptCookie)));
  expect(answers.map((answer) => answer.status).sort()).toEqual([303, 400, 400]);
  expect(stack.emulator.emulator.stats.tokenRequests).toHaveLength(1);
});

test("state older than 10 minutes → 400, no call to GitHub", async () => {
  const agent = request.agent(stack.app);
  const callback = await approvedCallback(agent);
  clock.advance(10 * 60_000 + 1_000);
  expectInvalidStatePage(await agent.get(callback));
  expect(stack.emulator.emulator.stats.tokenRequests).toHaveLength(0);
});

test("state issued in the future, more than a minute ahead of this instance's clock → 400, no call to GitHub", async () => {
  const agent = request.agent(stack.app);
  const callback = await approvedCallback(agent);
  clock.advance(-2 * 60_000); // the callback reaches an instance whose clock is two minutes behind the one that started it
  try {
    expectInvalidStatePage(await agent.get(callback));
    expect(stack.emulator.emulator.stats.tokenRequests).toHaveLength(0);
  } finally {
    clock.advance(2 * 60_000);
  }
});

test("state issued less than a minute ahead of this instance's clock (ordinary skew) still works", async () => {
  const agent = request.agent(stack.app);
  const callback = await approvedCallback(agent);
  clock.advance(-30_000);
  try {
    expect((await agent.get(callback)).status).toBe(303);
  } finally {
    clock.advance(30_000);
  }
});

test("state just under 10 minutes old still works", async () => {
  const agent = request.agent(stack.app);
  const callback = await approvedCallback(agent);
  clock.advance(9 * 60_000);
  expect((await agent.get(callback)).status).toBe(303);
});

test("malformed state values → 400 without a call to GitHub", async () => {
  const agent = request.agent(stack.app);
  for (const state of ["", "short", "a".repeat(44), `${"A".repeat(42)}%00`, `${"A".repeat(43)}&state=${"B".repeat(43)}`]) {
    expectInvalidStatePage(await agent.get(`/auth/github/callback?code=abc&state=${state}`));
  }
  expectInvalidStatePage(await agent.get(`/auth/github/callback?code=abc&state[]=x`));
  expect(stack.emulator.emulator.stats.tokenRequests).toHaveLength(0);
});

test("two tabs: two sign-ins started in one browser both complete, in either order", async () => {
  const agent = request.agent(stack.app);
  const first = await startSignIn(agent, "/first");
  const second = await startSignIn(agent, "/second");
  const secondDone = await finishSignIn(agent, second.authorizeUrl, "monalisa");
  expect(secondDone.callback.status).toBe(303);
  expect(secondDone.callback.headers.location).toBe("/second");
  const firstDone = await finishSignIn(agent, first.authorizeUrl, "octocat");
  expect(firstDone.callback.status).toBe(303);
  expect(firstDone.callback.headers.location).toBe("/first");
  expect((await agent.get("/api/me").expect(200)).body.login).toBe("octocat");
});

test("two tabs started at the same moment both complete once the browser has its binding", async () => {
  const agent = request.agent(stack.app);
  await startSignIn(agent); // an earlier visit: the browser holds its binding from now on
  const [first, second] = await Promise.all([startSignIn(agent, "/first"), startSignIn(agent, "/second")]);
  const [firstDone, secondDone] = await Promise.all([
    finishSignIn(agent, first.authorizeUrl),
    finishSignIn(agent, second.authorizeUrl, "monalisa"),
  ]);
  expect([firstDone.callback.status, firstDone.callback.headers.location]).toEqual([303, "/first"]);
  expect([secondDone.callback.status, secondDone.callback.headers.location]).toEqual([303, "/second"]);
});

test("a state sealed for one browser does not open with another browser's binding", async () => {
  const victim = request.agent(stack.app);
  await startSignIn(victim); // the victim has a binding of their own
  const { callbackPath } = await approvedSignIn(request.agent(stack.app));
  expectInvalidStatePage(await victim.get(callbackPath));
  expect(stack.emulator.emulator.stats.tokenRequests).toHaveLength(0);
});
