// Repositories (the caller's permission booleans; 404, never 403, when hidden), the paginated lists
// /user/teams and /user/orgs, and SAML single sign-on on both kinds of endpoint [protocol §11].
import { ManualClock } from "./support/manual-clock.js";
import { createEmulator, type EmulatorOptions, type EmulatorUser, type RepoPermission } from "../src/index.js";
import { apiGet, testGitHubApp, testOAuthApp, tokensFor } from "./support/emulator-server.js";

const oauthApp = testOAuthApp("http://127.0.0.1:3000/cb");
const githubApp = testGitHubApp(["http://127.0.0.1:3000/cb"]);
const WEB_BASE = "http://localhost:3000/_emulator";
const API = `${WEB_BASE}/api/v3`;
const SSO_MESSAGE = "Resource protected by organization SAML enforcement. You must grant your OAuth token access to this organization.";

const person = (id: number, login: string, orgs: string[]): EmulatorUser => ({
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
});

const OPTIONS: EmulatorOptions = {
  clients: [oauthApp, githubApp],
  webBaseUrl: WEB_BASE,
  users: [person(1, "alice", ["acme", "sso-org"]), person(2, "bob", [])],
  orgs: [
    { login: "acme", id: 4242 },
    { login: "sso-org", id: 5151, samlEnforced: true },
  ],
  teams: [
    { org: "acme", slug: "ops", name: "Ops", members: [{ login: "alice", state: "active", role: "member" }] },
    { org: "sso-org", slug: "core", name: "Core", members: [{ login: "alice", state: "active", role: "member" }] },
  ],
  repos: [
    { owner: "acme", name: "secret", id: 900, private: true, permissions: { alice: "write" } },
    { owner: "acme", name: "open", id: 901, private: false, permissions: {} },
    { owner: "sso-org", name: "vault", private: true, permissions: { alice: "read", bob: "read" } },
  ],
};

let emulator: ReturnType<typeof createEmulator>;
beforeEach(() => {
  emulator = createEmulator({ ...OPTIONS, clock: new ManualClock(Date.UTC(2026, 0, 1)) });
});

const api = (path: string, token: string, headers: Record<string, string> = {}) => apiGet(emulator.app, path, token, headers);
const token = async (login: string, scope = "repo read:org", client = oauthApp) =>
  (await tokensFor(emulator.app, client, { login, scope })).access_token;

describe("GET /repos/:owner/:repo", () => {
  it("answers GitHub's repository shape with the caller's permissions", async () => {
    const answer = await api("/repos/ACME/Secret", await token("alice"));
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      id: 900,
      name: "secret",
      full_name: "acme/secret",
      private: true,
      visibility: "private",
      owner: { login: "acme", id: 4242, type: "Organization" },
      html_url: `${WEB_BASE}/acme/secret`,
      url: `${API}/repos/acme/secret`,
      permissions: { admin: false, maintain: false, push: true, triage: true, pull: true },
    });
    expect(answer.headers["x-accepted-oauth-scopes"]).toBe("repo");
    expect(answer.headers.etag).toMatch(/^"[0-9a-f]{64}"$/);
  });

  it.each<[RepoPermission, boolean[]]>([
    ["read", [false, false, false, false, true]],
    ["triage", [false, false, false, true, true]],
    ["write", [false, false, true, true, true]],
    ["maintain", [false, true, true, true, true]],
    ["admin", [true, true, true, true, true]],
  ])("%s gives admin, maintain, push, triage, pull = %j", async (permission, flags) => {
    emulator.setRepoPermission("alice", "acme/secret", permission);
    const { permissions } = (await api("/repos/acme/secret", await token("alice"))).body;
    expect([permissions.admin, permissions.maintain, permissions.push, permissions.triage, permissions.pull]).toEqual(flags);
  });

  it("a private repository is 404 (never 403) without a role, or with an OAuth token lacking `repo`", async () => {
    const hidden = await api("/repos/acme/secret", await token("bob"));
    expect(hidden.status).toBe(404);
    expect(hidden.body).toEqual({ message: "Not Found", documentation_url: "https://docs.github.com/rest" });
    expect((await api("/repos/acme/secret", await token("alice", "read:org public_repo"))).status).toBe(404);
    expect((await api("/repos/acme/nothing", await token("alice"))).status).toBe(404);
  });

  it("a public repository: anyone may pull, with any token", async () => {
    const answer = await api("/repos/acme/open", await token("bob", ""));
    expect(answer.status).toBe(200);
    expect(answer.body.permissions).toEqual({ admin: false, maintain: false, push: false, triage: false, pull: true });
  });

  it("a GitHub App user token sees no repository of an account the app is not installed on", async () => {
    const alice = await token("alice", "", githubApp);
    expect((await api("/repos/acme/secret", alice)).status).toBe(200); // no scopes for GitHub Apps
    emulator.setAppInstalled("acme", false);
    expect((await api("/repos/acme/secret", alice)).status).toBe(404);
    expect((await api("/repos/acme/open", alice)).status).toBe(404);
  });

  it("setRepoPermission creates repositories and changes the ETag; null takes access away", async () => {
    const bob = await token("bob");
    emulator.setRepoPermission("bob", "bob/tools", "admin", { private: true });
    const owned = await api("/repos/bob/tools", bob);
    expect(owned.body).toMatchObject({ full_name: "bob/tools", private: true, owner: { login: "bob", id: 2, type: "User" } });
    expect((await api("/repos/bob/tools", bob, { "If-None-Match": owned.headers.etag ?? "" })).status).toBe(304);
    emulator.setRepoPermission("bob", "bob/tools", "triage");
    const lowered = await api("/repos/bob/tools", bob, { "If-None-Match": owned.headers.etag ?? "" });
    expect(lowered.status).toBe(200);
    expect(lowered.body.permissions.admin).toBe(false);
    emulator.setRepoPermission("bob", "bob/tools", null);
    expect((await api("/repos/bob/tools", bob)).status).toBe(404);
  });
});

describe("pagination of GET /user/teams", () => {
  beforeEach(() => {
    for (let n = 1; n <= 75; n += 1) emulator.setTeamMembership("bob", `many/team-${String(n).padStart(2, "0")}`, "active");
  });
  const slugs = (body: { slug: string }[]) => body.map((team) => team.slug);

  it("30 a page by default, with a Link header on the request's own URL", async () => {
    const bob = await token("bob");
    const first = await api("/user/teams", bob);
    expect(slugs(first.body)).toHaveLength(30);
    expect(first.body[0]).toMatchObject({ slug: "team-01", name: "team-01", organization: expect.objectContaining({ login: "many" }) });
    expect(first.headers.link).toBe(`<${API}/user/teams?page=2>; rel="next", <${API}/user/teams?page=3>; rel="last"`);
    const middle = await api("/user/teams?page=2", bob);
    expect(slugs(middle.body)[0]).toBe("team-31");
    expect(middle.headers.link).toBe(
      `<${API}/user/teams?page=1>; rel="prev", <${API}/user/teams?page=3>; rel="next", <${API}/user/teams?page=3>; rel="last", <${API}/user/teams?page=1>; rel="first"`,
    );
    const last = await api("/user/teams?page=3", bob);
    expect(slugs(last.body)).toHaveLength(15);
    expect(last.headers.link).toBe(`<${API}/user/teams?page=2>; rel="prev", <${API}/user/teams?page=1>; rel="first"`);
  });

  it("per_page up to 100, keeping the other query parameters", async () => {
    const bob = await token("bob");
    const page = await api("/user/teams?per_page=50", bob);
    expect(slugs(page.body)).toHaveLength(50);
    expect(page.headers.link).toBe(
      `<${API}/user/teams?per_page=50&page=2>; rel="next", <${API}/user/teams?per_page=50&page=2>; rel="last"`,
    );
    const all = await api("/user/teams?per_page=500", bob);
    expect(slugs(all.body)).toHaveLength(75);
    expect(all.headers.link).toBeUndefined();
  });

  it("only active memberships count; OAuth tokens need read:org, repo or user", async () => {
    emulator.setTeamMembership("bob", "many/team-01", "pending");
    const bob = await token("bob", "user");
    expect(slugs((await api("/user/teams?per_page=100", bob)).body)).not.toContain("team-01");
    expect((await api("/user/teams", await token("bob", "read:user"))).status).toBe(404);
  });
});

describe("GET /user/orgs", () => {
  it("active organisations only, paginated, with ids", async () => {
    for (let n = 1; n <= 3; n += 1) emulator.setOrgMembership("bob", `org-${n}`, "active");
    emulator.setOrgMembership("bob", "invited", "pending");
    const page = await api("/user/orgs?per_page=2", await token("bob"));
    expect(page.body).toEqual([
      expect.objectContaining({ login: "org-1", id: expect.any(Number) }),
      expect.objectContaining({ login: "org-2" }),
    ]);
    expect(page.headers.link).toContain('?per_page=2&page=2>; rel="next"');
  });

  it("a membership change changes the ETag", async () => {
    const bob = await token("bob");
    const before = await api("/user/orgs", bob);
    expect((await api("/user/orgs", bob, { "If-None-Match": before.headers.etag ?? "" })).status).toBe(304);
    emulator.setOrgMembership("bob", "acme", "active");
    const after = await api("/user/orgs", bob, { "If-None-Match": before.headers.etag ?? "" });
    expect(after.status).toBe(200);
    expect(after.body.map((org: { login: string }) => org.login)).toEqual(["acme"]);
  });
});

describe("SAML single sign-on", () => {
  const ssoUrl = new RegExp(
    `^required; url=${WEB_BASE.replace(/[.:/]/g, "\\$&")}/orgs/sso-org/sso\\?authorization_request=[A-Za-z0-9]{20,}$`,
  );

  it("403 with X-GitHub-SSO on the organisation's own endpoints until the user authorizes the token", async () => {
    const alice = await token("alice");
    for (const path of ["/user/memberships/orgs/sso-org", "/orgs/sso-org/teams/core/memberships/alice", "/repos/sso-org/vault"]) {
      const refused = await api(path, alice);
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual({
        message: SSO_MESSAGE,
        documentation_url: "https://docs.github.com/articles/authenticating-to-a-github-organization-with-saml-single-sign-on/",
      });
      expect(refused.headers["x-github-sso"]).toMatch(ssoUrl);
    }
    const first = (await api("/user/memberships/orgs/sso-org", alice)).headers["x-github-sso"];
    expect((await api("/user/memberships/orgs/sso-org", alice)).headers["x-github-sso"]).not.toBe(first); // an opaque, fresh request
    emulator.authorizeSso("alice", "sso-org"); // no new sign-in: the same token now works
    expect((await api("/user/memberships/orgs/sso-org", alice)).status).toBe(200);
    expect((await api("/orgs/sso-org/teams/core/memberships/alice", alice)).status).toBe(200);
    expect((await api("/repos/sso-org/vault", alice)).status).toBe(200);
    expect((await api("/repos/sso-org/vault", await token("alice"))).status).toBe(200); // and later tokens too
  });

  it("lists leave the organisation out and name it in partial-results", async () => {
    const alice = await token("alice");
    const teams = await api("/user/teams", alice);
    expect(teams.status).toBe(200);
    expect(teams.body.map((team: { slug: string }) => team.slug)).toEqual(["ops"]);
    expect(teams.headers["x-github-sso"]).toBe("partial-results; organizations=5151");
    const orgs = await api("/user/orgs", alice);
    expect(orgs.body.map((org: { login: string }) => org.login)).toEqual(["acme"]);
    expect(orgs.headers["x-github-sso"]).toBe("partial-results; organizations=5151");
    emulator.enforceSaml("acme", true);
    expect((await api("/user/orgs", alice)).headers["x-github-sso"]).toBe("partial-results; organizations=4242,5151");
    emulator.authorizeSso("alice", "sso-org");
    emulator.enforceSaml("acme", false);
    const whole = await api("/user/orgs", alice, { "If-None-Match": orgs.headers.etag ?? "" });
    expect(whole.status).toBe(200);
    expect(whole.body.map((org: { login: string }) => org.login)).toEqual(["acme", "sso-org"]);
    expect(whole.headers["x-github-sso"]).toBeUndefined();
  });

  it("non-members get the normal answers: 404 for membership, their own access to repositories", async () => {
    const bob = await token("bob");
    expect((await api("/user/memberships/orgs/sso-org", bob)).status).toBe(404);
    expect((await api("/orgs/sso-org/teams/core/memberships/alice", bob)).status).toBe(404);
    const vault = await api("/repos/sso-org/vault", bob); // an outside collaborator
    expect(vault.status).toBe(200);
    expect(vault.headers["x-github-sso"]).toBeUndefined();
  });
});
