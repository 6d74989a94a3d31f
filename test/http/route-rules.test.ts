// Per-route rules on /auth/check (SPEC §7): `?users=&orgs=&teams=&repos=` narrows the decision for
// one proxied location, on top of the server-wide lists; the first check of a rule may ask GitHub
// once, later ones answer from the session; X-Auth-Request-Groups names the organisations and
// teams the user belongs to; SAML single sign-on and a GitHub App that cannot see an organisation
// are told as such, not as a bare "not allowed".
import request from "supertest";
import { ManualClock } from "../../src/clock.js";
import { signedInBrowser, signIn } from "../support/sign-in.js";
import { startTestStack, type TestStack } from "../support/stack.js";

const clock = new ManualClock(Date.now());
const pastTheWindow = () => clock.advance(5 * 60_000 + 1_000);
const stacks: TestStack[] = [];
async function stackWith(env: Record<string, string>): Promise<TestStack> {
  const stack = await startTestStack({ clock, env });
  stacks.push(stack);
  return stack;
}
afterEach(() => Promise.all(stacks.map((stack) => stack.settled())));
afterAll(() => Promise.all(stacks.map((stack) => stack.close())));

const check = (stack: TestStack, cookie: string, query: string) => request(stack.app).get(`/auth/check${query}`).set("Cookie", cookie);
const githubCalls = (stack: TestStack) => stack.emulator.emulator.stats.apiRequests.length;

describe("without server-wide lists", () => {
  let stack: TestStack;
  let octocat: string;
  let monalisa: string;
  beforeAll(async () => {
    stack = await stackWith({});
    stack.emulator.emulator.setTeamMembership("octocat", "acme/ops", "active");
    octocat = (await signedInBrowser(stack.app, "octocat")).cookie;
    monalisa = (await signedInBrowser(stack.app, "monalisa")).cookie;
  });

  test("a team rule: its members pass with the groups header, others get 403 (JSON not_allowed), signed out 401", async () => {
    const passed = await check(stack, octocat, "?teams=acme/ops").expect(204);
    expect(passed.headers["x-auth-request-groups"]).toBe("acme/ops");
    const refused = await check(stack, monalisa, "?teams=acme/ops").set("Accept", "application/json").expect(403);
    expect(refused.body.error).toBe("not_allowed");
    await request(stack.app).get("/auth/check?teams=acme/ops").expect(401);
    await check(stack, monalisa, "").expect(204); // the plain check is not narrowed
  });

  test("the first check of a rule asks GitHub once; later ones, here or on another instance, answer from the session", async () => {
    const { cookie } = await signedInBrowser(stack.app, "octocat");
    stack.emulator.emulator.resetStats();
    await check(stack, cookie, "?orgs=github").expect(204);
    expect(githubCalls(stack)).toBe(1);
    const other = await stack.anotherInstance();
    for (let round = 0; round < 5; round += 1) {
      await check(stack, cookie, "?orgs=github").expect(204);
      await request(other).get("/auth/check?orgs=github").set("Cookie", cookie).expect(204);
    }
    expect(githubCalls(stack)).toBe(1);
  });

  test("the rule's facts are revalidated with the rest: removed from the team, refused there within the window", async () => {
    const { cookie } = await signedInBrowser(stack.app, "octocat");
    await check(stack, cookie, "?teams=acme/ops").expect(204);
    stack.emulator.emulator.setTeamMembership("octocat", "acme/ops", null);
    pastTheWindow();
    await check(stack, cookie, "?teams=acme/ops").expect(204); // from the last decision, while the revalidation runs
    await stack.settled();
    await check(stack, cookie, "?teams=acme/ops").expect(403);
    await check(stack, cookie, "").expect(204); // refused by one location's rule, still signed in
    stack.emulator.emulator.setTeamMembership("octocat", "acme/ops", "active");
  });

  test("users and repos rules", async () => {
    stack.emulator.emulator.setRepoPermission("monalisa", "acme/infra", "write", { private: true });
    await check(stack, monalisa, "?users=octocat").expect(403);
    await check(stack, octocat, "?users=OctoCat,hubot").expect(204);
    await check(stack, monalisa, "?repos=acme/infra:write").expect(204);
    await check(stack, monalisa, "?repos=acme/infra:admin").expect(403);
    await check(stack, octocat, "?repos=acme/infra").expect(403);
  });

  test("a malformed rule is a 400 that says what is wrong, never a pass", async () => {
    for (const query of ["?teams=acme", "?repos=acme/infra:owner", "?orgs=a b", "?teams=acme/ops&teams=acme/dev", `?orgs=${Array.from({ length: 51 }, (_, i) => `o${i}`).join(",")}`]) {
      const answer = await check(stack, octocat, query).set("Accept", "application/json");
      expect([query, answer.status, answer.body.error]).toEqual([query, 400, "bad_request"]);
    }
  });
});

describe("with server-wide lists", () => {
  test("the route narrows, never widens: refused by the server's lists stays refused whatever the rule", async () => {
    const stack = await stackWith({ ALLOWED_ORGS: "github" });
    stack.emulator.emulator.setTeamMembership("octocat", "github/ops", "active");
    const { cookie } = await signedInBrowser(stack.app, "octocat");
    const passed = await check(stack, cookie, "?teams=github/ops").expect(204);
    expect(passed.headers["x-auth-request-groups"]).toBe("github,github/ops");
    await check(stack, cookie, "?teams=github/admins").expect(403);
    expect((await signIn(request.agent(stack.app), { login: "monalisa" })).callback.status).toBe(403);
  });
});

describe("SAML single sign-on", () => {
  test("an organisation enforcing SAML: sign-in gets a 403 page linking to GitHub's SSO URL; allowed once authorized", async () => {
    const stack = await stackWith({ ALLOWED_ORGS: "github" });
    stack.emulator.emulator.enforceSaml("github", true);
    const page = (await signIn(request.agent(stack.app), { login: "octocat" })).callback;
    expect(page.status).toBe(403);
    expect(page.text).toContain("requires SAML single sign-on");
    const link = /href="([^"]*\/orgs\/github\/sso\?authorization_request=[^"]+)"/.exec(page.text)?.[1];
    expect(link?.startsWith(stack.config.github.baseUrl)).toBe(true);
    stack.emulator.emulator.authorizeSso("octocat", "github");
    expect((await signIn(request.agent(stack.app), { login: "octocat" })).callback.status).toBe(303);
  });

  test("API callers get 403 {error: sso_required, ssoUrl}; a lapsed authorization keeps the session, refused until renewed", async () => {
    const stack = await stackWith({ ALLOWED_ORGS: "github" });
    const { cookie } = await signedInBrowser(stack.app, "octocat");
    stack.emulator.emulator.enforceSaml("github", true);
    pastTheWindow();
    await check(stack, cookie, "").expect(204);
    await stack.settled();
    const refused = await check(stack, cookie, "").set("Accept", "application/json").expect(403);
    expect(refused.body).toEqual({ error: "sso_required", message: expect.stringContaining("github"), ssoUrl: expect.stringContaining("/orgs/github/sso?") });
    stack.emulator.emulator.authorizeSso("octocat", "github");
    pastTheWindow();
    await check(stack, cookie, "").expect(403); // the last decision, while the revalidation runs
    await stack.settled();
    await check(stack, cookie, "").expect(204);
  });

  test("an SSO URL that is not on GitHub's host is never offered as a link", async () => {
    const stack = await stackWith({ ALLOWED_ORGS: "github" });
    stack.emulator.emulator.injectFault({
      pathPrefix: "/api/v3/user/memberships/orgs/github",
      status: 403,
      headers: { "x-github-sso": "required; url=https://evil.example/orgs/github/sso?authorization_request=x" },
      body: { message: "Resource protected by organization SAML enforcement." },
    });
    const agent = request.agent(stack.app);
    const page = (await signIn(agent, { login: "octocat" })).callback;
    expect(page.status).toBe(403);
    expect(page.text).toContain("requires SAML single sign-on");
    expect(page.text).not.toContain("evil.example");
  });
});

test("a GitHub App not installed on the organisation: the refusal says so, and the log tells the operator", async () => {
  const stack = await stackWith({ ALLOWED_TEAMS: "acme/ops" });
  stack.emulator.emulator.setTeamMembership("octocat", "acme/ops", "active");
  stack.emulator.emulator.setAppInstalled("acme", false);
  const page = (await signIn(request.agent(stack.app), { login: "octocat" })).callback;
  expect(page.status).toBe(403);
  expect(page.text).toContain("not installed");
  expect(stack.logs.some((line) => line.includes("not_allowed") && line.includes("acme"))).toBe(true);
});

test("the demo memberships show a rule at work: octo-org/ops lets monalisa in and keeps octocat (invited) out", async () => {
  const stack = await stackWith({});
  const monalisa = await check(stack, (await signedInBrowser(stack.app, "monalisa")).cookie, "?teams=octo-org/ops").expect(204);
  expect(monalisa.headers["x-auth-request-groups"]).toBe("octo-org/ops");
  await check(stack, (await signedInBrowser(stack.app, "octocat")).cookie, "?teams=octo-org/ops").expect(403);
  await check(stack, (await signedInBrowser(stack.app, "octocat")).cookie, "?repos=octo-org/handbook:write").expect(204);
  await check(stack, (await signedInBrowser(stack.app, "monalisa")).cookie, "?repos=octo-org/handbook:write").expect(403);
});
