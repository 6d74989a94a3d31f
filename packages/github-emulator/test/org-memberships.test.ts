// Organisation and team membership as GitHub answers them [protocol §11]: active vs pending, scopes
// (404 without), teams visible to organisation members only, GitHub Apps not installed on the
// organisation (403), and the run-time controls, whose changes show in the next answer and its ETag.
import { ManualClock } from "./support/manual-clock.js";
import { createEmulator, type EmulatorOptions, type EmulatorUser } from "../src/index.js";
import { apiGet, testGitHubApp, testOAuthApp, tokensFor } from "./support/emulator-server.js";

const oauthApp = testOAuthApp("http://127.0.0.1:3000/cb");
const githubApp = testGitHubApp(["http://127.0.0.1:3000/cb"]);
const WEB_BASE = "http://localhost:3000/_emulator";
const API = `${WEB_BASE}/api/v3`;

const person = (id: number, login: string, orgs: string[], pendingOrgs: string[] = []): EmulatorUser => ({
  id,
  login,
  name: null,
  email: null,
  company: null,
  location: null,
  bio: null,
  createdAt: "2020-01-01T00:00:00Z",
  emails: [{ email: `${login}@example.com`, primary: true, verified: true, visibility: "private" }],
  orgs,
  pendingOrgs,
});

const OPTIONS: EmulatorOptions = {
  clients: [oauthApp, githubApp],
  webBaseUrl: WEB_BASE,
  users: [person(1, "alice", ["acme"]), person(2, "bob", [], ["acme"]), person(3, "carol", ["elsewhere"])],
  orgs: [{ login: "acme", id: 4242, admins: ["alice"] }],
  teams: [
    {
      org: "acme",
      slug: "ops",
      name: "Ops",
      id: 77,
      members: [
        { login: "alice", state: "active", role: "maintainer" },
        { login: "bob", state: "pending", role: "member" },
      ],
    },
  ],
};

let emulator: ReturnType<typeof createEmulator>;
beforeEach(() => {
  emulator = createEmulator({ ...OPTIONS, clock: new ManualClock(Date.UTC(2026, 0, 1)) });
});

const api = (path: string, token: string, headers: Record<string, string> = {}) => apiGet(emulator.app, path, token, headers);
const token = async (login: string, scope = "read:org", client = oauthApp) =>
  (await tokensFor(emulator.app, client, { login, scope })).access_token;

describe("GET /user/memberships/orgs/:org", () => {
  it("200 with GitHub's shape for an active member, with the role", async () => {
    const answer = await api("/user/memberships/orgs/ACME", await token("alice"));
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      url: `${API}/orgs/acme/memberships/alice`,
      state: "active",
      role: "admin",
      organization_url: `${API}/orgs/acme`,
      organization: expect.objectContaining({ login: "acme", id: 4242, url: `${API}/orgs/acme` }),
      user: expect.objectContaining({ login: "alice", id: 1, type: "User" }),
    });
    expect(answer.headers["x-accepted-oauth-scopes"]).toBe("admin:org, read:org, repo, user, write:org");
  });

  it("200 pending for an invitation not yet accepted; 404 for anyone else and unknown organisations", async () => {
    const bob = await api("/user/memberships/orgs/acme", await token("bob"));
    expect(bob.status).toBe(200);
    expect(bob.body).toMatchObject({ state: "pending", role: "member" });
    const carol = await api("/user/memberships/orgs/acme", await token("carol"));
    expect(carol.status).toBe(404);
    expect(carol.body).toEqual({ message: "Not Found", documentation_url: "https://docs.github.com/rest" });
    expect((await api("/user/memberships/orgs/nobody", await token("alice"))).status).toBe(404);
  });

  it.each(["read:org", "write:org", "admin:org", "user", "repo"])("an OAuth token with %s may read it", async (scope) => {
    expect((await api("/user/memberships/orgs/acme", await token("alice", scope))).status).toBe(200);
  });

  it.each(["", "read:user", "user:email", "public_repo"])("an OAuth token with only %p gets 404", async (scope) => {
    expect((await api("/user/memberships/orgs/acme", await token("alice", scope))).status).toBe(404);
  });

  it("GitHub App user tokens need no scope, but the app must be installed on the organisation", async () => {
    const alice = await token("alice", "", githubApp);
    expect((await api("/user/memberships/orgs/acme", alice)).status).toBe(200);
    emulator.setAppInstalled("acme", false);
    const refused = await api("/user/memberships/orgs/acme", alice);
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({
      message: "Resource not accessible by integration",
      documentation_url: "https://docs.github.com/rest/orgs/members#get-an-organization-membership-for-the-authenticated-user",
    });
    expect(refused.headers["x-accepted-github-permissions"]).toBe("members=read");
    expect(refused.headers.etag).toBeUndefined();
    // OAuth Apps are not installed anywhere: they are unaffected.
    expect((await api("/user/memberships/orgs/acme", await token("alice"))).status).toBe(200);
    emulator.setAppInstalled("acme", true);
    expect((await api("/user/memberships/orgs/acme", alice)).status).toBe(200);
  });

  it("installedOn limits a GitHub App to the accounts listed", async () => {
    emulator = createEmulator({ ...OPTIONS, clients: [oauthApp, { ...githubApp, installedOn: ["elsewhere"] }] });
    expect((await api("/user/memberships/orgs/acme", await token("alice", "", githubApp))).status).toBe(403);
    expect((await api("/user/memberships/orgs/elsewhere", await token("carol", "", githubApp))).status).toBe(200);
  });

  it("setOrgMembership invites, activates and removes; each change gives a new ETag", async () => {
    const carol = await token("carol");
    emulator.setOrgMembership("carol", "acme", "pending");
    const invited = await api("/user/memberships/orgs/acme", carol);
    expect(invited.body.state).toBe("pending");
    expect((await api("/user/memberships/orgs/acme", carol, { "If-None-Match": invited.headers.etag ?? "" })).status).toBe(304);
    emulator.setOrgMembership("carol", "acme", "active");
    const joined = await api("/user/memberships/orgs/acme", carol, { "If-None-Match": invited.headers.etag ?? "" });
    expect(joined.status).toBe(200);
    expect(joined.body.state).toBe("active");
    expect(joined.headers.etag).not.toBe(invited.headers.etag);
    emulator.setOrgMembership("carol", "acme", null);
    expect((await api("/user/memberships/orgs/acme", carol, { "If-None-Match": joined.headers.etag ?? "" })).status).toBe(404);
    expect(() => emulator.setOrgMembership("nobody", "acme", "active")).toThrow(/no user with login nobody/);
  });
});

describe("GET /orgs/:org/teams/:team_slug/memberships/:username", () => {
  it("200 {url, role, state} for active and pending members; 404 for non-members and unknown teams", async () => {
    const alice = await token("alice");
    const active = await api("/orgs/acme/teams/ops/memberships/alice", alice);
    expect(active.status).toBe(200);
    expect(active.body).toEqual({ url: `${API}/organizations/4242/team/77/memberships/alice`, role: "maintainer", state: "active" });
    expect((await api("/orgs/ACME/teams/OPS/memberships/Bob", alice)).body).toEqual({
      url: `${API}/organizations/4242/team/77/memberships/bob`,
      role: "member",
      state: "pending",
    });
    expect((await api("/orgs/acme/teams/ops/memberships/carol", alice)).status).toBe(404);
    expect((await api("/orgs/acme/teams/nope/memberships/alice", alice)).status).toBe(404);
    expect((await api("/orgs/nope/teams/ops/memberships/alice", alice)).status).toBe(404);
  });

  it("the team is visible only to active members of the organisation", async () => {
    expect((await api("/orgs/acme/teams/ops/memberships/alice", await token("carol"))).status).toBe(404);
    // bob's own (pending) membership is hidden from him too: he has not joined the organisation yet
    expect((await api("/orgs/acme/teams/ops/memberships/bob", await token("bob"))).status).toBe(404);
  });

  it("OAuth tokens need read:org (or what covers it); without, 404", async () => {
    expect((await api("/orgs/acme/teams/ops/memberships/alice", await token("alice", "admin:org"))).status).toBe(200);
    expect((await api("/orgs/acme/teams/ops/memberships/alice", await token("alice", "read:user"))).status).toBe(404);
  });

  it("403 for a GitHub App not installed on the organisation", async () => {
    const alice = await token("alice", "", githubApp);
    expect((await api("/orgs/acme/teams/ops/memberships/alice", alice)).status).toBe(200);
    emulator.setAppInstalled("acme", false, githubApp.clientId);
    const refused = await api("/orgs/acme/teams/ops/memberships/alice", alice);
    expect(refused.status).toBe(403);
    expect(refused.body.message).toBe("Resource not accessible by integration");
    expect(refused.headers["x-accepted-github-permissions"]).toBe("members=read");
  });

  it("setTeamMembership creates teams, changes states (new ETag) and removes", async () => {
    const alice = await token("alice");
    emulator.setTeamMembership("alice", "acme/new-team", "pending");
    const pending = await api("/orgs/acme/teams/new-team/memberships/alice", alice);
    expect(pending.body).toMatchObject({ state: "pending", role: "member" });
    emulator.setTeamMembership("alice", "acme/new-team", "active", { role: "maintainer" });
    const active = await api("/orgs/acme/teams/new-team/memberships/alice", alice, { "If-None-Match": pending.headers.etag ?? "" });
    expect(active.status).toBe(200);
    expect(active.body).toMatchObject({ state: "active", role: "maintainer" });
    emulator.setTeamMembership("alice", "acme/new-team", null);
    expect((await api("/orgs/acme/teams/new-team/memberships/alice", alice)).status).toBe(404);
    expect(() => emulator.setTeamMembership("alice", "no-slash", "active")).toThrow(/org\/slug/);
  });

  it("adding someone outside the organisation to a team invites them to it; leaving the organisation leaves its teams", async () => {
    const carol = await token("carol");
    emulator.setTeamMembership("carol", "acme/ops", "pending");
    expect((await api("/user/memberships/orgs/acme", carol)).body.state).toBe("pending");
    emulator.setTeamMembership("carol", "acme/ops", "active");
    expect((await api("/user/memberships/orgs/acme", carol)).body.state).toBe("active");
    expect((await api("/orgs/acme/teams/ops/memberships/carol", carol)).body.state).toBe("active");
    emulator.setOrgMembership("carol", "acme", null);
    expect((await api("/orgs/acme/teams/ops/memberships/carol", await token("alice"))).status).toBe(404);
  });
});

describe("checked options", () => {
  it("refuses teams and repositories naming unknown users, bad slugs and bad roles", () => {
    const team = { org: "acme", slug: "ops", name: "Ops", members: [{ login: "zed", state: "active" as const, role: "member" as const }] };
    expect(() => createEmulator({ ...OPTIONS, teams: [team] })).toThrow(/team acme\/ops names zed/);
    expect(() => createEmulator({ ...OPTIONS, teams: [{ ...team, slug: "Ops Team", members: [] }] })).toThrow(/slug/);
    const repo = { owner: "acme", name: "r", private: true, permissions: { alice: "owner" as never } };
    expect(() => createEmulator({ ...OPTIONS, repos: [repo] })).toThrow(/not a repository role/);
  });
});
