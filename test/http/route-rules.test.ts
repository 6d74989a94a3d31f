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

  test("a rule not understood is 400 invalid_rule for everyone, on both paths, never a pass", async () => {
    const sixteen = Array.from({ length: 16 }, (_, index) => `user-${index}`);
    for (const query of [
      "?team=acme/ops",
      "?org=acme",
      "?user=octocat",
      "?repo=acme/infra",
      "?TEAMS=acme/ops",
      "?teams[]=acme/ops",
      "?teams%5B%5D=acme/ops",
      "?a=1&b=2",
      "?teams=acme/ops&x=1",
      "?teams=acme/ops&teams=acme/dev",
      "?users=octocat&users=octocat",
      "?teams=",
      "?teams",
      "?teams=,,",
      "?teams=acme/ops,",
      "?teams=acme",
      "?repos=acme/infra:owner",
      "?orgs=a b",
      "?orgs=a%0D%0Ab",
      "?=octocat",
      `?users=${[...sixteen, "octocat"].join(",")}`,
      `?users=${sixteen.slice(1).join(",")}&users=octocat,hubot`,
      `?users=${sixteen.join(",")}&orgs=github`,
    ]) {
      // With a cookie and without: the rule is refused before any session is read.
      for (const cookie of [octocat, null]) {
        const call = request(stack.app).get(`/auth/check${query}`).set("Accept", "application/json");
        const answer = await (cookie ? call.set("Cookie", cookie) : call);
        expect([query, cookie !== null, answer.status, answer.body.error]).toEqual([query, cookie !== null, 400, "invalid_rule"]);
      }
    }
    // At most sixteen entries in all: sixteen is a rule (octocat is not among them).
    await check(stack, octocat, `?users=${sixteen.join(",")}`).expect(403);
    await check(stack, octocat, `?users=${[...sixteen.slice(1), "octocat"].join(",")}`).expect(204);
  });

  test("what a rule not understood says is logged without the rule's text", async () => {
    const answer = await check(stack, octocat, "?team=zz-rule-text-zz&teamsX=1&orgs=zz-more-text-zz")
      .set("Accept", "application/json")
      .expect(400);
    expect(answer.body.message).toContain('"team"');
    expect(answer.body.message).not.toContain("zz-");
    const entry = await check(stack, octocat, "?orgs=github,zz-rule%20text-zz").set("Accept", "application/json").expect(400);
    expect(entry.body.message).toContain("orgs: entry 2 is not an organisation name");
    const logged = stack.logs.filter((line) => line.includes("invalid_rule"));
    expect(logged.length).toBeGreaterThan(0);
    expect(stack.logs.filter((line) => line.includes("zz-rule"))).toEqual([]);
  });

  test("X-Auth-Request-Groups names every group of the rule the user is in, not only the first that let her in", async () => {
    stack.emulator.emulator.setTeamMembership("octocat", "acme/web", "active"); // and so of acme too
    const { cookie } = await signedInBrowser(stack.app, "octocat");
    expect((await check(stack, cookie, "?orgs=acme").expect(204)).headers["x-auth-request-groups"]).toBe("acme");
    stack.emulator.emulator.resetStats();
    // acme alone would let her in; the teams are asked too, for the groups.
    const both = await check(stack, cookie, "?teams=acme/web,acme/qa&orgs=acme").expect(204);
    expect(both.headers["x-auth-request-groups"]).toBe("acme,acme/web");
    expect(githubCalls(stack)).toBe(2);
    const again = await check(stack, cookie, "?teams=acme/web,acme/qa&orgs=acme").expect(204);
    expect(again.headers["x-auth-request-groups"]).toBe("acme,acme/web");
    expect(githubCalls(stack)).toBe(2);
  });
});

describe("a refusal says why, and offers a way on", () => {
  test("in the JSON (reason), on the page (with another GitHub account to sign in with) and in the log line", async () => {
    const stack = await stackWith({});
    stack.emulator.emulator.setRepoPermission("monalisa", "acme/infra", "write", { private: true });
    const { cookie } = await signedInBrowser(stack.app, "monalisa");
    const cases: [string, string][] = [
      ["?teams=acme/ops", "not an active member of acme/ops"],
      ["?repos=acme/infra:admin", "only write on acme/infra where admin is needed"],
      ["?repos=acme/secret", "no access to acme/secret"],
      ["?users=octocat&orgs=acme", "not among the users this location allows; not an active member of acme"],
    ];
    for (const [query, reason] of cases) {
      const refused = await check(stack, cookie, query).set("Accept", "application/json").expect(403);
      expect([query, refused.body.error, refused.body.reason]).toEqual([query, "not_allowed", reason]);
      expect(refused.body.message).toContain(reason);
      const page = await check(stack, cookie, query).expect(403);
      expect(page.text).toContain(reason);
      expect(page.text).toContain('href="/auth/github?prompt=select_account"');
      expect(stack.logs.some((line) => line.includes("request refused") && line.includes(`"message":"refused: ${reason}"`))).toBe(true);
    }
  });

  test("the server's lists: not on ALLOWED_USERS, nor a member of an allowed organisation", async () => {
    const stack = await stackWith({ ALLOWED_USERS: "hubot", ALLOWED_ORGS: "github" });
    const callback = (await signIn(request.agent(stack.app), { login: "monalisa" })).callback;
    expect(callback.status).toBe(403);
    expect(callback.text).toContain("not on ALLOWED_USERS; not an active member of github");
    expect(callback.text).toContain('href="/auth/github?prompt=select_account"');
  });

  test("SAML single sign-on: the page links to GitHub's SSO URL and to a new try once it is done", async () => {
    const stack = await stackWith({ ALLOWED_ORGS: "github" });
    stack.emulator.emulator.enforceSaml("github", true);
    const page = (await signIn(request.agent(stack.app), { login: "octocat" })).callback;
    expect(page.status).toBe(403);
    expect(page.text).toMatch(/href="[^"]*\/orgs\/github\/sso\?authorization_request=/);
    expect(page.text).toMatch(/<a class="button[^"]*" href="\/auth\/github">Try again<\/a>/);
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
    expect(refused.body).toEqual({
      error: "sso_required",
      message: expect.stringContaining("github"),
      ssoUrl: expect.stringContaining("/orgs/github/sso?"),
      reason: "SAML single sign-on not authorized for github",
    });
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
