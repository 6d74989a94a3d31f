import request from "supertest";
import { ManualClock } from "./support/manual-clock.js";
import { createEmulator, redactedSecret } from "../src/index.js";
import { testGitHubApp, testOAuthApp, tokensFor } from "./support/emulator-server.js";

const oauthApp = testOAuthApp("http://127.0.0.1:3000/cb");
const githubApp = testGitHubApp(["http://127.0.0.1:3000/cb"]);
const WEB_BASE = "http://localhost:3000/_emulator";

let clock: ManualClock;
let emulator: ReturnType<typeof createEmulator>;
beforeEach(() => {
  clock = new ManualClock(Date.UTC(2026, 0, 1, 12, 0, 0));
  emulator = createEmulator({ clients: [oauthApp, githubApp], clock, webBaseUrl: WEB_BASE });
});

function api(path: string, token?: string, headers: Record<string, string> = {}) {
  const call = request(emulator.app).get(`/api/v3${path}`).set("User-Agent", "rest-api-test");
  if (token) call.set("Authorization", `token ${token}`);
  for (const [name, value] of Object.entries(headers)) call.set(name, value);
  return call;
}

describe("GET /user", () => {
  it("answers GitHub's user shape, with URLs on the web base", async () => {
    const { access_token } = await tokensFor(emulator.app, oauthApp, { scope: "read:user" });
    const answer = await api("/user", access_token);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      login: "octocat",
      id: 583231,
      node_id: "MDQ6VXNlcjU4MzIzMQ==",
      avatar_url: `${WEB_BASE}/avatars/u/583231`,
      html_url: `${WEB_BASE}/octocat`,
      url: `${WEB_BASE}/api/v3/users/octocat`,
      type: "User",
      site_admin: false,
      name: "The Octocat",
      company: "@github",
      blog: "",
      location: "San Francisco",
      email: "octocat@github.com",
      hireable: null,
      bio: null,
      twitter_username: null,
      public_repos: 0,
      followers: 0,
      created_at: "2011-01-25T18:44:36Z",
      updated_at: expect.any(String),
    });
    expect(answer.body).not.toHaveProperty("plan"); // private data needs the `user` scope
  });

  it("accepts `Bearer` as well as `token`, and shows private data with the user scope", async () => {
    const { access_token } = await tokensFor(emulator.app, oauthApp, { scope: "user" });
    const answer = await request(emulator.app).get("/api/v3/user").set("User-Agent", "t").set("Authorization", `Bearer ${access_token}`);
    expect(answer.status).toBe(200);
    expect(answer.body.plan).toEqual(expect.objectContaining({ name: "free" }));
  });

  it("sends GitHub's headers: request id, rate limit, scopes, Vary, Cache-Control, Date", async () => {
    const { access_token } = await tokensFor(emulator.app, oauthApp, { scope: "user:email read:org" });
    const answer = await api("/user", access_token);
    expect(answer.headers["x-github-request-id"]).toMatch(/^[0-9A-F]+(:[0-9A-F]+){4}$/);
    expect(answer.headers["x-ratelimit-limit"]).toBe("5000");
    expect(answer.headers["x-ratelimit-remaining"]).toBe("4999");
    expect(answer.headers["x-ratelimit-used"]).toBe("1");
    expect(answer.headers["x-ratelimit-reset"]).toBe(String((clock.now() + 3_600_000) / 1000));
    expect(answer.headers["x-ratelimit-resource"]).toBe("core");
    expect(answer.headers["x-oauth-scopes"]).toBe("user:email, read:org");
    expect(answer.headers["x-accepted-oauth-scopes"]).toBe("user");
    expect(answer.headers.vary).toBe("Accept, Authorization, Cookie");
    expect(answer.headers["cache-control"]).toBe("private, max-age=60");
    expect(answer.headers.date).toBe("Thu, 01 Jan 2026 12:00:00 GMT");
  });

  it("GitHub App user tokens carry no X-OAuth-Scopes", async () => {
    const { access_token } = await tokensFor(emulator.app, githubApp);
    const answer = await api("/user", access_token);
    expect(answer.status).toBe(200);
    expect(answer.headers["x-oauth-scopes"]).toBeUndefined();
  });

  it("ETag differs per token; If-None-Match gives 304 without a body and without using rate limit", async () => {
    const first = (await tokensFor(emulator.app, oauthApp)).access_token;
    const second = (await tokensFor(emulator.app, oauthApp)).access_token;
    const answer = await api("/user", first);
    const etag = answer.headers.etag ?? "";
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    expect((await api("/user", second)).headers.etag).not.toBe(etag);

    const notModified = await api("/user", first, { "If-None-Match": etag });
    expect(notModified.status).toBe(304);
    expect(notModified.text).toBeFalsy();
    expect(notModified.headers.etag).toBe(etag);
    expect(notModified.headers["x-ratelimit-remaining"]).toBe("4998"); // two 200s so far, the 304 is free
    expect((await api("/user", first, { "If-None-Match": 'W/"other", ' + etag })).status).toBe(304);
    expect((await api("/user", first, { "If-None-Match": '"other"' })).status).toBe(200);
    expect((await api("/user", second, { "If-None-Match": etag })).status).toBe(200); // another token's ETag
    expect((await api("/user", first)).headers["x-ratelimit-remaining"]).toBe("4995");
  });

  it("401 Bad credentials for unknown tokens; 401 Requires authentication without any", async () => {
    const unknown = await api("/user", "gho_unknownunknownunknownunknown000000");
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual({ message: "Bad credentials", documentation_url: "https://docs.github.com/rest", status: "401" });
    expect(unknown.headers["x-github-request-id"]).toBeDefined();
    const anonymous = await api("/user");
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.message).toBe("Requires authentication");
  });

  it("403 without a User-Agent, even with a good token", async () => {
    const { access_token } = await tokensFor(emulator.app, oauthApp);
    const answer = await request(emulator.app).get("/api/v3/user").set("Authorization", `token ${access_token}`).unset("User-Agent");
    expect(answer.status).toBe(403);
    expect(answer.body.message).toMatch(
      /^Request forbidden by administrative rules\. Please make sure your request has a User-Agent header/,
    );
  });

  it("rate limit exhausted: 403 with x-ratelimit-remaining 0; the budget is per user", async () => {
    const octocat = (await tokensFor(emulator.app, oauthApp)).access_token;
    const mona = (await tokensFor(emulator.app, oauthApp, { login: "monalisa" })).access_token;
    emulator.setRateLimitRemaining("octocat", 1);
    expect((await api("/user", octocat)).status).toBe(200);
    const limited = await api("/user", octocat);
    expect(limited.status).toBe(403);
    expect(limited.headers["x-ratelimit-remaining"]).toBe("0");
    expect(limited.body.message).toBe("API rate limit exceeded for user ID 583231.");
    expect((await api("/user", mona)).status).toBe(200);
    clock.advance(3_600_000); // a new hourly window
    expect((await api("/user", octocat)).status).toBe(200);
  });

  it("honours rateLimitPerHour", async () => {
    emulator = createEmulator({ clients: [oauthApp], clock, rateLimitPerHour: 2 });
    const token = (await tokensFor(emulator.app, oauthApp)).access_token;
    expect((await api("/user", token)).headers["x-ratelimit-remaining"]).toBe("1");
    expect((await api("/user", token)).headers["x-ratelimit-remaining"]).toBe("0");
    expect((await api("/user", token)).status).toBe(403);
  });
});

describe("GET /user/emails", () => {
  it("404 for an OAuth token without user or user:email (not 403)", async () => {
    const { access_token } = await tokensFor(emulator.app, oauthApp, { scope: "read:user" });
    const answer = await api("/user/emails", access_token);
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({ message: "Not Found", documentation_url: "https://docs.github.com/rest" });
  });

  it.each(["user:email", "user"])("lists the emails with the %s scope", async (scope) => {
    const { access_token } = await tokensFor(emulator.app, oauthApp, { scope, login: "monalisa" });
    const answer = await api("/user/emails", access_token);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual([
      { email: "mona@example.com", primary: true, verified: true, visibility: "private" },
      { email: "1000001+monalisa@users.noreply.github.com", primary: false, verified: true, visibility: null },
    ]);
    // monalisa keeps her email private: GET /user shows null
    expect((await api("/user", access_token)).body.email).toBeNull();
  });

  it("GitHub App user tokens may read emails", async () => {
    const { access_token } = await tokensFor(emulator.app, githubApp);
    expect((await api("/user/emails", access_token)).body[0].email).toBe("octocat@github.com");
  });
});

describe("organisations", () => {
  it("membership: 200 active member with read:org (or a covering scope), 404 otherwise", async () => {
    const withScope = (await tokensFor(emulator.app, oauthApp, { scope: "read:org" })).access_token;
    const member = await api("/user/memberships/orgs/github", withScope);
    expect(member.status).toBe(200);
    expect(member.body).toMatchObject({ state: "active", role: "member", organization: { login: "github" } });
    expect((await api("/user/memberships/orgs/GitHub", withScope)).status).toBe(200); // logins are case-insensitive
    expect((await api("/user/memberships/orgs/octo-org", withScope)).body.state).toBe("pending"); // invited, not joined (demo data)
    expect((await api("/user/memberships/orgs/no-such-org", withScope)).status).toBe(404);

    const admin = (await tokensFor(emulator.app, oauthApp, { scope: "admin:org" })).access_token;
    expect((await api("/user/memberships/orgs/github", admin)).status).toBe(200);
    const noScope = (await tokensFor(emulator.app, oauthApp, { scope: "read:user" })).access_token;
    const hidden = await api("/user/memberships/orgs/github", noScope);
    expect(hidden.status).toBe(404);
    expect(hidden.body.message).toBe("Not Found");
  });

  it("GitHub App tokens see memberships without scopes", async () => {
    const { access_token } = await tokensFor(emulator.app, githubApp, { login: "monalisa" });
    expect((await api("/user/memberships/orgs/octo-org", access_token)).status).toBe(200);
  });

  it("GET /user/orgs lists the user's organisations", async () => {
    const { access_token } = await tokensFor(emulator.app, oauthApp, { scope: "read:org" });
    const answer = await api("/user/orgs", access_token);
    expect(answer.body).toEqual([expect.objectContaining({ login: "github", id: expect.any(Number) })]);
    const mona = (await tokensFor(emulator.app, githubApp, { login: "monalisa" })).access_token;
    expect((await api("/user/orgs", mona)).body.map((org: { login: string }) => org.login)).toEqual(["octo-org"]);
  });
});

describe("other API behaviour", () => {
  it("unknown API paths get 404 Not Found JSON", async () => {
    const answer = await api("/nope");
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({ message: "Not Found", documentation_url: "https://docs.github.com/rest" });
  });

  it("records every API request in stats.apiRequests", async () => {
    const { access_token } = await tokensFor(emulator.app, oauthApp);
    await api("/user", access_token, { "If-None-Match": '"x"' });
    await api("/nope?x=1");
    expect(emulator.stats.apiRequests).toEqual([
      { method: "GET", path: "/api/v3/user", ifNoneMatch: '"x"', authorization: `token ${redactedSecret(access_token)}`, status: 200 },
      { method: "GET", path: "/api/v3/nope", ifNoneMatch: null, authorization: null, status: 404 },
    ]);
    emulator.resetStats();
    expect(emulator.stats.apiRequests).toEqual([]);
    expect(emulator.stats.codeExchanges).toBe(0);
  });

  it("serves generated SVG avatars", async () => {
    const answer = await request(emulator.app).get("/avatars/u/583231");
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toMatch(/^image\/svg\+xml/);
    expect(answer.body.toString()).toContain(">OC</text>");
    expect((await request(emulator.app).get("/avatars/u/42")).status).toBe(404);
  });

  it("derives the web base from the request when none is configured", async () => {
    emulator = createEmulator({ clients: [oauthApp], clock });
    const { access_token } = await tokensFor(emulator.app, oauthApp);
    const answer = await api("/user", access_token).set("Host", "emulator.test:8080");
    expect(answer.body.avatar_url).toBe("http://emulator.test:8080/avatars/u/583231");
  });
});
