// ALLOWED_TEAMS and ALLOWED_REPOS (SPEC §7), alone and with the other lists: active team members
// only, repository permissions by level, re-checked at most PROFILE_MAX_AGE apart (removal and
// lowered permissions noticed within the window plus one request, GitHub outages keeping the last
// decision), conditional requests, and one revalidation per session however many instances ask.
// Memberships are changed at run time through the emulator's controls, as GitHub would change them.
import request from "supertest";
import { ManualClock } from "../../src/clock.js";
import { signedInBrowser, signIn } from "../support/sign-in.js";
import { startTestStack, type TestStack } from "../support/stack.js";

const PROFILE_MAX_AGE_MS = 5 * 60_000;
const clock = new ManualClock(Date.now());
const pastTheWindow = () => clock.advance(PROFILE_MAX_AGE_MS + 1_000);

const stacks: TestStack[] = [];
async function stackWith(env: Record<string, string>, clientType: "github-app" | "oauth-app" = "github-app"): Promise<TestStack> {
  const stack = await startTestStack({ clock, clientType, env });
  stacks.push(stack);
  return stack;
}
afterEach(() => Promise.all(stacks.map((stack) => stack.settled())));
afterAll(() => Promise.all(stacks.map((stack) => stack.close())));

const calls = (stack: TestStack, pathPart: string) =>
  stack.emulator.emulator.stats.apiRequests.filter((call) => call.path.includes(pathPart));
const signInStatus = async (stack: TestStack, login: string) => (await signIn(request.agent(stack.app), { login })).callback.status;

describe("ALLOWED_TEAMS", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await stackWith({ ALLOWED_TEAMS: "acme/ops" });
    stack.emulator.emulator.setTeamMembership("octocat", "acme/ops", "active");
    // An active member of the organisation, invited to the team and not yet accepted: GitHub answers 200 "pending".
    stack.emulator.emulator.setOrgMembership("monalisa", "acme", "active");
    stack.emulator.emulator.setTeamMembership("monalisa", "acme/ops", "pending");
  });

  test("an active member signs in; a pending one (invited, not accepted) and a stranger are refused", async () => {
    expect(await signInStatus(stack, "octocat")).toBe(303);
    expect(await signInStatus(stack, "monalisa")).toBe(403);
    stack.emulator.emulator.setTeamMembership("monalisa", "acme/ops", null);
    expect(await signInStatus(stack, "monalisa")).toBe(403);
  });

  test("removed from the team: still served from the last decision, refused once the revalidation has run", async () => {
    const { cookie } = await signedInBrowser(stack.app, "octocat");
    stack.emulator.emulator.setTeamMembership("octocat", "acme/ops", null);
    await request(stack.app).get("/auth/check").set("Cookie", cookie).expect(204); // within the window: no call to GitHub
    pastTheWindow();
    await request(stack.app).get("/auth/check").set("Cookie", cookie).expect(204); // answered at once; the revalidation runs behind it
    await stack.settled();
    await request(stack.app).get("/auth/check").set("Cookie", cookie).expect(401);
    stack.emulator.emulator.setTeamMembership("octocat", "acme/ops", "active");
  });

  test("GitHub unreachable at revalidation: the last decision stands", async () => {
    const { cookie } = await signedInBrowser(stack.app, "octocat");
    stack.emulator.emulator.injectFault({ pathPrefix: "/api/v3/orgs/acme/teams", status: 503, body: "unavailable", times: 100 });
    pastTheWindow();
    await request(stack.app).get("/auth/check").set("Cookie", cookie).expect(204);
    await stack.settled();
    await request(stack.app).get("/auth/check").set("Cookie", cookie).expect(204);
    stack.emulator.emulator.clearFaults();
  });

  test("revalidations are conditional: an unchanged membership is asked with If-None-Match and answered 304", async () => {
    const { cookie } = await signedInBrowser(stack.app, "octocat");
    stack.emulator.emulator.resetStats();
    pastTheWindow();
    await request(stack.app).get("/auth/check").set("Cookie", cookie).expect(204);
    await stack.settled();
    const [asked] = calls(stack, "/teams/ops/memberships/octocat");
    expect(asked?.ifNoneMatch).toMatch(/^(W\/)?"/);
    expect(asked?.status).toBe(304);
  });

  test("two instances: one revalidation per session per window, however many checks reach either", async () => {
    const { cookie } = await signedInBrowser(stack.app, "octocat");
    const other = await stack.anotherInstance();
    stack.emulator.emulator.resetStats();
    pastTheWindow();
    await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        request(index % 2 ? other : stack.app)
          .get("/auth/check")
          .set("Cookie", cookie)
          .expect(204),
      ),
    );
    await stack.settled();
    await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        request(index % 2 ? other : stack.app)
          .get("/auth/check")
          .set("Cookie", cookie)
          .expect(204),
      ),
    );
    await stack.settled();
    expect(calls(stack, "/teams/ops/memberships/octocat")).toHaveLength(1);
    expect(stack.emulator.emulator.stats.apiRequests.filter((call) => call.path === "/api/v3/user")).toHaveLength(1);
  });
});

describe("ALLOWED_REPOS", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await stackWith({ ALLOWED_REPOS: "acme/infra:write" });
    stack.emulator.emulator.setRepoPermission("octocat", "acme/infra", "admin", { private: true });
    stack.emulator.emulator.setRepoPermission("monalisa", "acme/infra", "triage");
  });

  test("at least the permission asked: admin and write in, triage and read out, no access out", async () => {
    expect(await signInStatus(stack, "octocat")).toBe(303); // admin ≥ write
    expect(await signInStatus(stack, "monalisa")).toBe(403); // triage < write
    stack.emulator.emulator.setRepoPermission("monalisa", "acme/infra", "write");
    expect(await signInStatus(stack, "monalisa")).toBe(303);
    stack.emulator.emulator.setRepoPermission("monalisa", "acme/infra", "read");
    expect(await signInStatus(stack, "monalisa")).toBe(403);
    stack.emulator.emulator.setRepoPermission("monalisa", "acme/infra", null);
    expect(await signInStatus(stack, "monalisa")).toBe(403); // a private repository monalisa cannot see: 404
  });

  test("permission lowered below the one asked: refused within the window plus one request", async () => {
    stack.emulator.emulator.setRepoPermission("monalisa", "acme/infra", "maintain");
    const { cookie } = await signedInBrowser(stack.app, "monalisa");
    stack.emulator.emulator.setRepoPermission("monalisa", "acme/infra", "read");
    pastTheWindow();
    await request(stack.app).get("/api/session").set("Cookie", cookie).expect(200);
    await stack.settled();
    await request(stack.app).get("/api/session").set("Cookie", cookie).expect(401);
  });

  test("an OAuth App without the repo scope cannot see a private repository: refused, and warned about at start", async () => {
    const oauth = await stackWith({ ALLOWED_REPOS: "acme/infra:read" }, "oauth-app");
    oauth.emulator.emulator.setRepoPermission("octocat", "acme/infra", "admin", { private: true });
    expect(await signInStatus(oauth, "octocat")).toBe(403);
    expect(oauth.config.warnings.some((warning) => warning.includes("ALLOWED_REPOS"))).toBe(true);
    oauth.emulator.emulator.setRepoPermission("octocat", "acme/infra", "admin", { private: false });
    expect(await signInStatus(oauth, "octocat")).toBe(303); // a public repository needs no scope
  });
});

describe("the lists together: any entry of any list", () => {
  test("a login, an organisation, a team or a repository each let a user in; matching none refuses", async () => {
    const stack = await stackWith({
      ALLOWED_USERS: "monalisa",
      ALLOWED_ORGS: "octo-org",
      ALLOWED_TEAMS: "acme/ops",
      ALLOWED_REPOS: "acme/infra",
    });
    const controls = stack.emulator.emulator;
    controls.setOrgMembership("monalisa", "octo-org", null);
    controls.setOrgMembership("octocat", "octo-org", null);
    expect(await signInStatus(stack, "monalisa")).toBe(303); // by login
    expect(await signInStatus(stack, "octocat")).toBe(403); // none yet
    controls.setOrgMembership("octocat", "octo-org", "active");
    expect(await signInStatus(stack, "octocat")).toBe(303); // by organisation
    controls.setOrgMembership("octocat", "octo-org", null);
    controls.setTeamMembership("octocat", "acme/ops", "active");
    expect(await signInStatus(stack, "octocat")).toBe(303); // by team
    controls.setTeamMembership("octocat", "acme/ops", null);
    controls.setRepoPermission("octocat", "acme/infra", "read", { private: true });
    expect(await signInStatus(stack, "octocat")).toBe(303); // by repository
  });
});
