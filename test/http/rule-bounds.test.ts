// What per-route rules can make the server do is bounded (SPEC §7), whoever writes the rule (a
// proxy's configuration, or a client whose query reaches the check): a session learns at most 16
// new facts per PROFILE_MAX_AGE, no request makes more than 16 calls to GitHub, and a session keeps
// at most 32 facts. Calls are counted in the emulator's request records.
import request from "supertest";
import { readRecord } from "../../src/auth/session-updates.js";
import { ManualClock } from "../../src/clock.js";
import { redisBackend } from "../../src/store/backend.js";
import { sessionIdOf } from "../support/cookies.js";
import { signedInBrowser } from "../support/sign-in.js";
import { startTestStack, type TestStack } from "../support/stack.js";

const PROFILE_MAX_AGE_MS = 5 * 60_000;
const clock = new ManualClock(Date.now());
const stacks: TestStack[] = [];
async function stackWith(env: Record<string, string> = {}): Promise<TestStack> {
  const stack = await startTestStack({ clock, env });
  stacks.push(stack);
  return stack;
}
afterEach(() => Promise.all(stacks.map((stack) => stack.settled())));
afterAll(() => Promise.all(stacks.map((stack) => stack.close())));

const check = (stack: TestStack, cookie: string, query: string) =>
  request(stack.app).get(`/auth/check${query}`).set("Cookie", cookie).set("Accept", "application/json");
const githubCalls = (stack: TestStack) =>
  stack.emulator.emulator.stats.apiRequests.length + stack.emulator.emulator.stats.tokenRequests.length;
const orgs = (prefix: string, count: number) => Array.from({ length: count }, (_, index) => `${prefix}${index + 1}`);
const orgRule = (names: string[]) => `?orgs=${names.join(",")}`;

/** The GitHub calls `work` makes, counted from the emulator's records once everything it started has settled. */
async function callsDuring(stack: TestStack, work: () => Promise<unknown>): Promise<number> {
  await stack.settled();
  const before = githubCalls(stack);
  await work();
  return githubCalls(stack) - before;
}

test("a session learns at most 16 new facts per PROFILE_MAX_AGE: the 17th is 429 with Retry-After, never a pass, and asks GitHub nothing", async () => {
  const stack = await stackWith();
  const { cookie } = await signedInBrowser(stack.app, "octocat");
  const sixteen = orgs("new-a", 16);
  stack.emulator.emulator.setOrgMembership("octocat", "new-a16", "active");
  expect(await callsDuring(stack, () => check(stack, cookie, orgRule(sixteen)).expect(204))).toBe(16);
  let refused: request.Response | undefined;
  expect(await callsDuring(stack, async () => (refused = await check(stack, cookie, "?orgs=github")))).toBe(0);
  expect([refused!.status, refused!.body.error]).toEqual([429, "too_many_requests"]);
  expect(refused!.body.reason).toMatch(/more than 16 organisations, teams or repositories/);
  expect(Number(refused!.headers["retry-after"])).toBe(PROFILE_MAX_AGE_MS / 1000);
  // The facts it holds still answer, from the session.
  expect(await callsDuring(stack, () => check(stack, cookie, orgRule(sixteen)).expect(204))).toBe(0);
  // A new window, a new allowance.
  clock.advance(PROFILE_MAX_AGE_MS);
  await check(stack, cookie, "?orgs=github").expect(204);
});

test("no request makes more than 16 calls to GitHub: a revalidation and a rule's learning share the budget", async () => {
  // The server's own list (1 fact), and a session idle past PROFILE_MAX_AGE + ACCESS_MAX_STALE that
  // meets a rule of 16 new organisations: /user, the list's fact and 16 memberships would be 18.
  const stack = await stackWith({ ALLOWED_ORGS: "github", ACCESS_MAX_STALE: "10m" });
  const { cookie } = await signedInBrowser(stack.app, "octocat");
  clock.advance(PROFILE_MAX_AGE_MS + 10 * 60_000 + 1_000);
  const rule = orgRule(orgs("budget-", 16));
  let answer: request.Response | undefined;
  expect(await callsDuring(stack, async () => (answer = await check(stack, cookie, rule)))).toBe(16);
  // Two of the rule's organisations were not reached: undecided, so not a pass (nor a refusal).
  expect([answer!.status, answer!.body.error]).toEqual([503, "access_unconfirmed"]);
  // The next request asks the rest.
  expect(await callsDuring(stack, () => check(stack, cookie, rule).expect(403))).toBe(2);
});

test("a revalidation renews what 16 calls allow, and the facts it does not reach at the next one", async () => {
  const stack = await stackWith();
  const { cookie } = await signedInBrowser(stack.app, "octocat");
  const rule = orgRule(orgs("renewed-", 16));
  await check(stack, cookie, rule).expect(403);
  clock.advance(PROFILE_MAX_AGE_MS + 1_000);
  // /user and 15 of the 16 memberships, behind the check that noticed; the 16th behind the next one.
  expect(
    await callsDuring(stack, () =>
      check(stack, cookie, "")
        .expect(204)
        .then(() => stack.settled()),
    ),
  ).toBe(16);
  expect(
    await callsDuring(stack, () =>
      check(stack, cookie, "")
        .expect(204)
        .then(() => stack.settled()),
    ),
  ).toBe(1);
  expect(
    await callsDuring(stack, () =>
      check(stack, cookie, rule)
        .expect(403)
        .then(() => stack.settled()),
    ),
  ).toBe(0);
});

test("a session keeps at most 32 facts: beyond them the oldest a rule brought in makes room, the server's lists' own are kept", async () => {
  // Seventeen organisations in the server's list (asked at sign-in), then rules for sixteen more.
  const lists = ["github", ...orgs("listed-", 16)];
  const stack = await stackWith({ ALLOWED_ORGS: lists.join(",") });
  const { cookie } = await signedInBrowser(stack.app, "octocat");
  const rule = orgs("kept-", 15);
  await check(stack, cookie, orgRule(rule)).expect(403);
  expect(await callsDuring(stack, () => check(stack, cookie, orgRule(rule)).expect(403))).toBe(0); // all 32 held
  expect(await callsDuring(stack, () => check(stack, cookie, "?orgs=one-more").expect(403))).toBe(1);
  const record = await readRecord(redisBackend(stack.redis, stack.keyPrefix, clock).sessionStore, sessionIdOf(cookie));
  const held = Object.keys(record?.access ?? {});
  expect(held).toHaveLength(32);
  expect(held).not.toContain("org:kept-1"); // the oldest of the rule's facts
  expect(held).toEqual(expect.arrayContaining([...lists.map((org) => `org:${org}`), "org:kept-2", "org:one-more"]));
});

describe("X-Auth-Request-Groups is never partial and never older than the bound (SPEC §7)", () => {
  const memberOf = (stack: TestStack, names: string[]) =>
    names.forEach((name) => stack.emulator.emulator.setOrgMembership("octocat", name, "active"));
  const groupsOf = (answer: request.Response) => String(answer.headers["x-auth-request-groups"]).split(",");

  test("a rule whose facts do not all fit in one request's budget is 503 with Retry-After, not a 204 that leaves groups out", async () => {
    // Idle past the bound: /user and the list's fact come first, so 2 of 16 new memberships do not fit.
    const stack = await stackWith({ ALLOWED_ORGS: "github", ACCESS_MAX_STALE: "10m" });
    const { cookie } = await signedInBrowser(stack.app, "octocat");
    const sixteen = orgs("partial-", 16);
    memberOf(stack, sixteen);
    clock.advance(PROFILE_MAX_AGE_MS + 10 * 60_000 + 1_000);
    const first = await check(stack, cookie, orgRule(sixteen));
    expect([first.status, first.body.error, first.headers["retry-after"]]).toEqual([503, "access_unconfirmed", "1"]);
    const second = await check(stack, cookie, orgRule(sixteen)).expect(204);
    expect(groupsOf(second)).toEqual(expect.arrayContaining(sixteen));
  });

  test("a membership learned before an idle longer than the bound is not named again until GitHub confirms it", async () => {
    const stack = await stackWith({ ALLOWED_ORGS: "github", ACCESS_MAX_STALE: "10m" });
    const { cookie } = await signedInBrowser(stack.app, "octocat");
    const sixteen = orgs("stale-", 16);
    memberOf(stack, sixteen);
    expect(groupsOf(await check(stack, cookie, orgRule(sixteen)).expect(204))).toEqual(expect.arrayContaining(sixteen));
    stack.emulator.emulator.setOrgMembership("octocat", "stale-16", null);
    clock.advance(PROFILE_MAX_AGE_MS + 10 * 60_000 + 1_000);
    // However the budget falls, no 204 names the membership GitHub no longer confirms.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const answer = await check(stack, cookie, orgRule(sixteen));
      if (answer.status === 204) expect(groupsOf(answer)).not.toContain("stale-16");
      else expect([answer.status, answer.body.error]).toEqual([503, "access_unconfirmed"]);
      await stack.settled();
    }
    const settledAnswer = groupsOf(await check(stack, cookie, orgRule(sixteen)).expect(204));
    expect(settledAnswer).toEqual(expect.arrayContaining(sixteen.slice(0, 15)));
    expect(settledAnswer).not.toContain("stale-16");
  });
});
