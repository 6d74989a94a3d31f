// The sign-in flow end to end, for both kinds of GitHub client: the real app on real Redis against
// the emulator over HTTP.
import { createHash } from "node:crypto";
import request from "supertest";
import { parseEntry } from "../../src/store/session-entries.js";
import { redisEntries, startTestStack, TEST_CLIENT_ID, TEST_PUBLIC_URL, type TestStack } from "../support/stack.js";
import { SESSION_COOKIE, sessionCookieOf, sessionIdOf, setCookie } from "../support/cookies.js";
import { approvedSignIn, signIn, startSignIn, finishSignIn } from "../support/sign-in.js";

describe.each([
  ["github-app", true],
  ["oauth-app", false],
] as const)("sign-in with a %s", (clientType, expiring) => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ clientType, env: { GITHUB_CLIENT_TYPE: "auto" } });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.emulator.emulator.resetStats());

  test("GET /auth/github redirects to GitHub's authorize page with state and PKCE", async () => {
    const agent = request.agent(stack.app);
    const { start, authorizeUrl } = await startSignIn(agent);
    expect(`${authorizeUrl.origin}${authorizeUrl.pathname}`).toBe(`${stack.emulator.url}/login/oauth/authorize`);
    const query = authorizeUrl.searchParams;
    expect(query.get("client_id")).toBe(TEST_CLIENT_ID);
    expect(query.get("redirect_uri")).toBe(`${TEST_PUBLIC_URL}/auth/github/callback`);
    // The attempt, sealed: opaque, and no longer than a URL comfortably carries.
    expect(query.get("state")).toMatch(/^v1\.[A-Za-z0-9_-]{8}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(query.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(query.get("code_challenge_method")).toBe("S256");
    // auto mode sends scopes (GitHub Apps ignore them).
    expect(query.get("scope")).toBe("read:user user:email");
    expect(start.headers["cache-control"]).toBe("no-store");
    const bindingCookie = (start.headers["set-cookie"] as unknown as string[]).find((c) => c.startsWith("gls-signin="));
    expect(bindingCookie).toMatch(/^gls-signin=[A-Za-z0-9_-]{43}; Max-Age=2592000; Path=\/; Expires=[^;]+; HttpOnly; SameSite=Lax$/);
    expect(bindingCookie).not.toContain(query.get("state")!);
  });

  test("a full sign-in ends on returnTo with a session, and the API serves the profile", async () => {
    const agent = request.agent(stack.app);
    const walk = await signIn(agent, { returnTo: "/welcome?tab=1" });
    expect(walk.callback.status).toBe(303);
    expect(walk.callback.headers.location).toBe("/welcome?tab=1");
    expect(setCookie(walk.callback, SESSION_COOKIE)).toBeDefined();

    const me = await agent.get("/api/me").expect(200);
    expect(me.body).toEqual({
      id: 583231,
      login: "octocat",
      name: "The Octocat",
      email: "octocat@github.com",
      avatarUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/avatars\/u\/583231/),
      htmlUrl: expect.stringMatching(/\/octocat$/),
      company: "@github",
      location: "San Francisco",
      bio: null,
      createdAt: "2011-01-25T18:44:36Z",
    });

    const session = await agent.get("/api/session").expect(200);
    expect(session.body.user).toEqual({ id: 583231, login: "octocat" });
    expect(Date.parse(session.body.createdAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(Date.parse(session.body.expiresAt)).toBeGreaterThan(Date.now() + 23 * 3600_000);
    expect(session.body.github.clientType).toBe(clientType);
    if (expiring) {
      expect(session.body.github.scopes).toEqual([]);
      expect(Date.parse(session.body.github.accessTokenExpiresAt)).toBeGreaterThan(Date.now() + 7 * 3600_000);
      expect(Date.parse(session.body.github.refreshTokenExpiresAt)).toBeGreaterThan(Date.now() + 100 * 86_400_000);
    } else {
      expect(session.body.github.scopes).toEqual(["read:user", "user:email"]);
      expect(session.body.github.accessTokenExpiresAt).toBeNull();
      expect(session.body.github.refreshTokenExpiresAt).toBeNull();
    }
  });

  test("a user whose email is private gets the verified primary email from /user/emails", async () => {
    const agent = request.agent(stack.app);
    await signIn(agent, { login: "monalisa" });
    const me = await agent.get("/api/me").expect(200);
    expect(me.body).toMatchObject({ login: "monalisa", email: "mona@example.com", company: null, bio: "Enigmatic smile, private email." });
  });

  test("PKCE: the verifier sent at exchange matches the challenge sent at authorize", async () => {
    const agent = request.agent(stack.app);
    const walk = await signIn(agent);
    expect(walk.callback.status).toBe(303);
    const exchanges = stack.emulator.emulator.stats.tokenRequests;
    expect(exchanges).toHaveLength(1);
    const { code_verifier: verifier, redirect_uri: redirectUri } = exchanges[0]!.params;
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(createHash("sha256").update(verifier!).digest("base64url")).toBe(walk.authorizeUrl.searchParams.get("code_challenge"));
    expect(redirectUri).toBe(`${TEST_PUBLIC_URL}/auth/github/callback`);
    expect(exchanges[0]!.outcome).toBe("ok");
  });

  test("the session id is new at sign-in and the old one stops working", async () => {
    const agent = request.agent(stack.app);
    const first = setCookie((await signIn(agent)).callback, SESSION_COOKIE)!;
    // Signed in, the browser reaches GitHub again only by asking for another account.
    const anotherAccount = await agent.get("/auth/github?prompt=select_account").expect(302);
    const second = setCookie((await finishSignIn(agent, new URL(anotherAccount.headers.location!), "monalisa")).callback, SESSION_COOKIE)!;
    const firstValue = first.split(";")[0]!;
    const secondValue = second.split(";")[0]!;
    expect(secondValue).not.toBe(firstValue);
    await request(stack.app).get("/api/me").set("Cookie", firstValue).expect(401);
    const me = await request(stack.app).get("/api/me").set("Cookie", secondValue).expect(200);
    expect(me.body.login).toBe("monalisa");
    // The earlier session left its user's index too: sign-out everywhere and the webhook see only live sessions.
    const octocat = sessionCookieOf((await signIn(request.agent(stack.app))).callback);
    const octocatId = (await request(stack.app).get("/api/me").set("Cookie", octocat)).body.id;
    const indexed = await stack.redis.zrange(`${stack.keyPrefix}user:${octocatId}:sessions`, "0", "-1");
    expect(indexed).toContain(sessionIdOf(octocat));
    expect(indexed).not.toContain(sessionIdOf(firstValue));
  });

  test("no access or refresh token appears in any response, Redis value or log line", async () => {
    const agent = request.agent(stack.app);
    const walk = await signIn(agent);
    const responses = [walk.start, walk.callback, await agent.get("/api/me"), await agent.get("/api/session"), await agent.get("/")];
    const tokens = [...stack.emulator.emulator.issuedAccessTokens(), ...stack.emulator.emulator.issuedRefreshTokens()];
    expect(tokens.length).toBeGreaterThanOrEqual(expiring ? 2 : 1);
    const entries = await redisEntries(stack);
    const sessionValues = [...entries].filter(([key]) => key.includes("sess:"));
    expect(sessionValues.length).toBeGreaterThan(0);
    const everything = [
      ...responses.map((response) => JSON.stringify(response.headers) + response.text),
      ...entries.values(),
      ...stack.logs,
    ].join("\n");
    for (const token of tokens) expect(everything).not.toContain(token);
    // A clean sign-in logs no error (e.g. no refused overwrite of the session entry).
    expect(stack.logs.filter((line) => JSON.parse(line).level >= 50)).toEqual([]);
    // The token is there, sealed: the session holds an AES-GCM envelope.
    expect(sessionValues.map(([, value]) => parseEntry(value)?.data.auth?.github.sealedTokens).join()).toMatch(/^v1\./);
  });
});

describe("sign-in outcomes other than success", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    stack.emulator.emulator.resetStats();
    stack.emulator.emulator.clearFaults();
  });

  test("cancel on GitHub's consent page → 401 sign-in cancelled page", async () => {
    const agent = request.agent(stack.app);
    const { authorizeUrl } = await startSignIn(agent);
    const { callback } = await finishSignIn(agent, authorizeUrl, "octocat", "cancel");
    expect(callback.status).toBe(401);
    expect(callback.type).toBe("text/html");
    expect(callback.text).toContain("Sign-in cancelled");
    expect(callback.text).toContain('href="/auth/github"');
    expect(stack.emulator.emulator.stats.tokenRequests).toHaveLength(0);
  });

  test("GitHub refuses the code → 400 page", async () => {
    const agent = request.agent(stack.app);
    const { callbackUrl } = await approvedSignIn(agent);
    callbackUrl.searchParams.set("code", "0123456789abcdef0123");
    const callback = await agent.get(`${callbackUrl.pathname}${callbackUrl.search}`);
    expect(callback.status).toBe(400);
    expect(callback.text).toContain("GitHub did not accept the sign-in");
    expect(stack.emulator.emulator.stats.tokenRequests[0]!.outcome).toBe("bad_verification_code");
    await agent.get("/api/me").expect(401);
  });

  test("GitHub answering 5xx → 502 page, for JSON callers a JSON error", async () => {
    const agent = request.agent(stack.app);
    const { callbackPath } = await approvedSignIn(agent);
    stack.emulator.emulator.injectFault({ pathPrefix: "/login/oauth/access_token", status: 503, body: "unavailable" });
    const callback = await agent.get(callbackPath).set("Accept", "application/json");
    expect(callback.status).toBe(502);
    expect(callback.body).toEqual({ error: "github_unavailable", message: expect.any(String) });
    expect(setCookie(callback, SESSION_COOKIE)).toBeUndefined();
    await agent.get("/api/me").expect(401);
  });

  test("GitHub unreachable (connection dropped) → 502 page", async () => {
    const agent = request.agent(stack.app);
    const { callbackPath } = await approvedSignIn(agent);
    stack.emulator.emulator.injectFault({ pathPrefix: "/api/v3/user", destroySocket: true });
    const callback = await agent.get(callbackPath);
    expect(callback.status).toBe(502);
    expect(callback.text).toContain("GitHub is unavailable");
    await agent.get("/api/me").expect(401);
  });

  test("GitHub refusing the token it just issued → 502, not a crash", async () => {
    const agent = request.agent(stack.app);
    const { callbackPath } = await approvedSignIn(agent);
    stack.emulator.emulator.injectFault({
      pathPrefix: "/api/v3/user",
      status: 401,
      body: { message: "Bad credentials", documentation_url: "https://docs.github.com/rest", status: "401" },
    });
    const callback = await agent.get(callbackPath);
    expect(callback.status).toBe(502);
    await agent.get("/api/me").expect(401);
  });

  test("GitHub's rate limit during sign-in → 429 page saying so", async () => {
    const agent = request.agent(stack.app);
    const { callbackPath } = await approvedSignIn(agent);
    stack.emulator.emulator.injectFault({
      pathPrefix: "/api/v3/user",
      status: 403,
      headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 120) },
      body: { message: "API rate limit exceeded for user ID 583231." },
    });
    const callback = await agent.get(callbackPath);
    expect(callback.status).toBe(429);
    expect(callback.text).toContain("rate limit");
    expect(Number(callback.headers["retry-after"])).toBeGreaterThan(60);
    expect(setCookie(callback, SESSION_COOKIE)).toBeUndefined();
    await agent.get("/api/me").expect(401);
  });

  test("a user without a verified primary email is refused by GitHub → 400 page", async () => {
    const agent = request.agent(stack.app);
    const { authorizeUrl } = await startSignIn(agent);
    const { callback } = await finishSignIn(agent, authorizeUrl, "hubot");
    expect(callback.status).toBe(400);
    expect(callback.text).toContain("verified primary email");
  });
});

describe("allow-lists", () => {
  test("ALLOWED_USERS: others get the 403 page, no session, and their new token is revoked", async () => {
    const stack = await startTestStack({ env: { ALLOWED_USERS: "monalisa" } });
    try {
      const refused = request.agent(stack.app);
      const { callback } = await signIn(refused, { login: "octocat" });
      expect(callback.status).toBe(403);
      expect(callback.text).toContain("@octocat is not allowed");
      expect(setCookie(callback, SESSION_COOKIE)).toBeUndefined();
      await refused.get("/api/me").expect(401);
      // The token GitHub issued for the refused sign-in was revoked, not left live at GitHub.
      const token = stack.emulator.emulator.issuedAccessTokens().at(-1)!;
      const check = await fetch(`${stack.emulator.url}/api/v3/user`, {
        headers: { authorization: `token ${token}`, "user-agent": "test" },
      });
      expect(check.status).toBe(401);
      const allowed = request.agent(stack.app);
      expect((await signIn(allowed, { login: "monalisa" })).callback.status).toBe(303);
    } finally {
      await stack.close();
    }
  });

  test("ALLOWED_ORGS: members get in, others get 403", async () => {
    const stack = await startTestStack({ clientType: "oauth-app", env: { ALLOWED_ORGS: "github" } });
    try {
      expect((await signIn(request.agent(stack.app), { login: "octocat" })).callback.status).toBe(303);
      expect((await signIn(request.agent(stack.app), { login: "monalisa" })).callback.status).toBe(403);
    } finally {
      await stack.close();
    }
  });
});
