// Access that stays true (SPEC §7): a user taken off ALLOWED_USERS, removed from an allowed
// organisation or whose authorization was revoked loses access on every route — the login at once,
// memberships and the authorization within PROFILE_MAX_AGE plus one request — without the request
// that notices waiting for GitHub, with one revalidation per session however many instances ask,
// and with the last decision kept while GitHub is unreachable.
import request from "supertest";
import { ManualClock } from "../../src/clock.js";
import { eventually } from "../support/eventually.js";
import { signedInBrowser } from "../support/sign-in.js";
import { startTestStack, TEST_CLIENT_ID, type TestStack } from "../support/stack.js";

const PROFILE_MAX_AGE_MS = 5 * 60_000;
const clock = new ManualClock(Date.now());
const pastTheWindow = () => clock.advance(PROFILE_MAX_AGE_MS + 1_000);

/** Every route that acts for the signed-in user, with its answer while access stands. */
const ROUTES: Array<[string, number]> = [
  ["/auth/check", 204],
  ["/", 200],
  ["/api/session", 200],
  ["/api/github/user", 200],
];

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack({ clock, env: { ALLOWED_ORGS: "github", ALLOWED_USERS: "monalisa" } });
});
afterAll(() => stack.close());
afterEach(async () => {
  await stack.settled();
  stack.emulator.emulator.clearFaults();
  stack.emulator.emulator.resetStats();
});

/** Signs a browser in, then forgets the calls the sign-in made, so the test counts only its own. */
async function signedIn(on: TestStack, login: string): Promise<string> {
  const { cookie } = await signedInBrowser(on.app, login);
  on.emulator.emulator.resetStats();
  return cookie;
}

const get = (path: string, cookie: string) => request(stack.app).get(path).set("Cookie", cookie);
const membershipChecks = () =>
  stack.emulator.emulator.stats.apiRequests.filter((call) => call.path.startsWith("/api/v3/user/memberships/orgs/"));
/** octocat leaves the organisation: GitHub answers 404 to the membership check from now on. */
const leaveTheOrganisation = () =>
  stack.emulator.emulator.injectFault({
    pathPrefix: "/api/v3/user/memberships/orgs/github",
    status: 404,
    body: { message: "Not Found" },
    times: 1_000,
  });

describe.each(ROUTES)("%s", (path, allowedStatus) => {
  test("removed from the allowed organisation: noticed by this route, refused from the next request", async () => {
    const cookie = await signedIn(stack, "octocat");
    leaveTheOrganisation();
    expect((await get(path, cookie)).status).toBe(allowedStatus); // fresh: no call to GitHub yet
    expect(membershipChecks()).toHaveLength(0);
    pastTheWindow();
    expect((await get(path, cookie)).status).toBe(allowedStatus); // answered from the last decision...
    await stack.settled(); // ...while the revalidation it started runs
    expect(membershipChecks()).toHaveLength(1);
    await get("/auth/check", cookie).expect(401);
    await get("/api/me", cookie).expect(401);
  });

  test("authorization revoked at GitHub: noticed by this route, signed out from the next request", async () => {
    const cookie = await signedIn(stack, "octocat");
    stack.emulator.emulator.revokeAuthorization("octocat", TEST_CLIENT_ID);
    expect((await get(path, cookie)).status).toBe(path === "/api/github/user" ? 401 : allowedStatus);
    pastTheWindow();
    await get(path, cookie);
    await stack.settled();
    await get("/auth/check", cookie).expect(401);
  });
});

test("taken off ALLOWED_USERS (configuration changed, server restarted): refused on every route at once", async () => {
  const restarted = async () => (await stack.restartedWith({ ALLOWED_USERS: "hubot", ALLOWED_ORGS: "" })).app;
  for (const [path] of [...ROUTES, ["/api/me"]]) {
    const cookie = await signedIn(stack, "monalisa");
    const answer = await request(await restarted())
      .get(path!)
      .set("Cookie", cookie)
      .set("Accept", "application/json");
    expect([path, answer.status, answer.body.error]).toEqual([path, 403, "not_allowed"]);
    expect(stack.emulator.emulator.stats.apiRequests).toHaveLength(0); // decided without GitHub
  }
  // Sign-out still works for a refused user.
  const cookie = await signedIn(stack, "monalisa");
  const app = await restarted();
  await request(app).post("/auth/logout").set("Cookie", cookie).set("Origin", stack.config.publicUrl).expect(303);
  await request(app).get("/auth/check").set("Cookie", cookie).expect(401);
});

test("/api/me waits for a due revalidation: the removal is its own answer", async () => {
  const cookie = await signedIn(stack, "octocat");
  leaveTheOrganisation();
  pastTheWindow();
  const refused = await get("/api/me", cookie);
  expect([refused.status, refused.body.error]).toEqual([403, "not_allowed"]);
  await get("/auth/check", cookie).expect(401);
});

test("the request that notices never waits for GitHub, even when GitHub hangs", async () => {
  // GitHub holds the revalidation's first call far beyond this test's timeout: a check that
  // waited for it could not answer in time.
  const patient = await startTestStack({ clock, env: { ALLOWED_ORGS: "github", GITHUB_TIMEOUT: "60s" } });
  try {
    const cookie = await signedIn(patient, "octocat");
    patient.emulator.emulator.injectFault({ pathPrefix: "/api/v3/user", delayMs: 120_000 });
    pastTheWindow();
    await request(patient.app).get("/auth/check").set("Cookie", cookie).expect(204);
    await eventually(
      "the revalidation's call to GitHub's /user",
      () => patient.emulator.emulator.stats.apiRequests.some((call) => call.path === "/api/v3/user"),
      {
        intervalMs: 5,
      },
    );
    // While GitHub still holds it, other checks are answered too, and start nothing more.
    await request(patient.app).get("/auth/check").set("Cookie", cookie).expect(204);
    expect(patient.emulator.emulator.stats.apiRequests.filter((call) => call.path === "/api/v3/user")).toHaveLength(1);
  } finally {
    await patient.close();
  }
});

test("GitHub unreachable: the last decision stands, and GitHub is not asked again at every request", async () => {
  const cookie = await signedIn(stack, "octocat");
  stack.emulator.emulator.injectFault({ pathPrefix: "/api/v3/user", destroySocket: true, times: 1_000 });
  pastTheWindow();
  for (let round = 0; round < 5; round += 1) {
    await get("/auth/check", cookie).expect(204);
    await get("/api/me", cookie).expect(200); // the cached profile
    await stack.settled();
  }
  expect(stack.emulator.emulator.stats.apiRequests.filter((call) => call.path === "/api/v3/user")).toHaveLength(1);
});

test("two instances: one revalidation per session per window, not one per instance or request", async () => {
  const other = await stack.anotherInstance();
  const cookie = await signedIn(stack, "octocat");
  pastTheWindow();
  const answers = await Promise.all(
    [stack.app, other, stack.app, other, stack.app, other].map((app) => request(app).get("/auth/check").set("Cookie", cookie)),
  );
  expect(answers.map((answer) => answer.status)).toEqual([204, 204, 204, 204, 204, 204]);
  await stack.settled();
  expect(stack.emulator.emulator.stats.apiRequests.filter((call) => call.path === "/api/v3/user")).toHaveLength(1);
  expect(membershipChecks()).toHaveLength(1);
  // The window starts again: more checks cost nothing.
  await Promise.all([stack.app, other].map((app) => request(app).get("/auth/check").set("Cookie", cookie).expect(204)));
  await stack.settled();
  expect(membershipChecks()).toHaveLength(1);
});

describe("an organisation the session was never checked against (the configuration changed)", () => {
  test("a member: GitHub is asked once, then never again within the window", async () => {
    const cookie = await signedIn(stack, "monalisa"); // allowed by login; octo-org was not on the lists then
    expect(membershipChecks()).toHaveLength(0);
    const { app: restarted } = await stack.restartedWith({ ALLOWED_USERS: "", ALLOWED_ORGS: "octo-org" });
    await request(restarted).get("/auth/check").set("Cookie", cookie).expect(204);
    expect(membershipChecks()).toHaveLength(1);
    await request(restarted).get("/auth/check").set("Cookie", cookie).expect(204);
    await stack.settled();
    expect(membershipChecks()).toHaveLength(1);
  });

  test("not a member: refused, and the session ends", async () => {
    const cookie = await signedIn(stack, "monalisa");
    const { app: restarted } = await stack.restartedWith({ ALLOWED_USERS: "", ALLOWED_ORGS: "github" });
    // GitHub said at sign-in that monalisa is not in github (asked for X-Auth-Request-Groups): refused at once…
    await request(restarted).get("/auth/check").set("Cookie", cookie).expect(403);
    await stack.settled(); // …and the revalidation that refusal started, which GitHub confirms, ends the session
    await request(restarted).get("/auth/check").set("Cookie", cookie).expect(401);
  });
});
