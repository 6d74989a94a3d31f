// The GitHub client at its one seam, the injected fetch: what each method sends (PKCE verifier,
// redirect URI, which credentials on which endpoint) and how each kind of answer is classified.
import { ManualClock } from "../../src/clock.js";
import type { GitHubConfig } from "../../src/config/config.js";
import { createGitHubClient } from "../../src/github/client.js";
import { GitHubBadCredentialsError, GitHubOAuthError, GitHubRateLimitedError, GitHubUnavailableError } from "../../src/github/errors.js";

const CONFIG: GitHubConfig = {
  clientId: "Iv23liabc",
  clientSecret: "app-secret",
  clientType: "auto",
  scopes: ["read:user", "user:email"],
  baseUrl: "https://github.example",
  apiUrl: "https://api.github.example",
  serverBaseUrl: "http://127.0.0.1:9/github",
  serverApiUrl: "http://127.0.0.1:9/api",
  timeoutMs: 1_000,
  proxyMethods: ["GET", "HEAD"],
};
const GITHUB_DATE = "Wed, 01 Jan 2025 00:00:00 GMT";

interface SentRequest {
  method: string;
  url: string;
  headers: Headers;
  body: string;
}

type Answer = { status: number; body?: unknown; headers?: Record<string, string> } | Error;

function clientAnswering(...answers: Answer[]) {
  const sent: SentRequest[] = [];
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const fakeFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    sent.push({ method: init?.method ?? "GET", url: String(input), headers: new Headers(init?.headers), body: String(init?.body ?? "") });
    const answer = answers.shift() ?? { status: 500 };
    if (answer instanceof Error) throw answer;
    const body = answer.status === 204 || answer.status === 304 ? null : JSON.stringify(answer.body ?? {});
    return new Response(body, { status: answer.status, headers: { "content-type": "application/json", ...answer.headers } });
  };
  return { github: createGitHubClient(CONFIG, clock, fakeFetch as typeof fetch), sent, clock };
}

const TOKENS = {
  access_token: "ghu_access",
  token_type: "bearer",
  scope: "",
  expires_in: 28800,
  refresh_token: "ghr_refresh",
  refresh_token_expires_in: 15897600,
};

describe("authorize URL", () => {
  test("carries the client, the callback, the state, the S256 challenge and the scopes", () => {
    const { github } = clientAnswering();
    const url = new URL(
      github.authorizeUrl({ state: "the-state", codeChallenge: "the-challenge", redirectUri: "https://login.example/cb" }),
    );
    expect(`${url.origin}${url.pathname}`).toBe("https://github.example/login/oauth/authorize");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: "Iv23liabc",
      redirect_uri: "https://login.example/cb",
      scope: "read:user user:email",
      state: "the-state",
      code_challenge: "the-challenge",
      code_challenge_method: "S256",
    });
  });
});

describe("token endpoint", () => {
  test("a code is exchanged with the PKCE verifier and the app's credentials; expiry counts from GitHub's Date", async () => {
    const { github, sent } = clientAnswering({ status: 200, body: TOKENS, headers: { date: GITHUB_DATE } });
    const tokens = await github.exchangeCode({ code: "the-code", codeVerifier: "the-verifier", redirectUri: "https://login.example/cb" });
    expect(sent[0]).toMatchObject({ method: "POST", url: "http://127.0.0.1:9/github/login/oauth/access_token" });
    expect(sent[0]!.headers.get("accept")).toBe("application/json");
    expect(JSON.parse(sent[0]!.body)).toEqual({
      client_id: "Iv23liabc",
      client_secret: "app-secret",
      code: "the-code",
      redirect_uri: "https://login.example/cb",
      code_verifier: "the-verifier",
    });
    expect(tokens).toEqual({
      accessToken: "ghu_access",
      scopes: [],
      accessTokenExpiresAt: Date.parse(GITHUB_DATE) + 28800_000,
      refreshToken: "ghr_refresh",
      refreshTokenExpiresAt: Date.parse(GITHUB_DATE) + 15897600_000,
    });
  });

  test("a refresh sends the refresh token; without a Date header expiry counts from our clock", async () => {
    const { github, sent, clock } = clientAnswering({ status: 200, body: TOKENS });
    const tokens = await github.refresh("ghr_old");
    expect(JSON.parse(sent[0]!.body)).toEqual({
      client_id: "Iv23liabc",
      client_secret: "app-secret",
      grant_type: "refresh_token",
      refresh_token: "ghr_old",
    });
    expect(tokens.accessTokenExpiresAt).toBe(clock.now() + 28800_000);
  });

  test("an OAuth error (sent with HTTP 200) is GitHub refusing; another status or a network failure is GitHub unavailable", async () => {
    await expect(clientAnswering({ status: 200, body: { error: "bad_refresh_token" } }).github.refresh("ghr_old")).rejects.toBeInstanceOf(
      GitHubOAuthError,
    );
    await expect(clientAnswering({ status: 404 }).github.refresh("ghr_old")).rejects.toBeInstanceOf(GitHubUnavailableError);
    await expect(clientAnswering({ status: 503 }).github.refresh("ghr_old")).rejects.toBeInstanceOf(GitHubUnavailableError);
    await expect(clientAnswering(new TypeError("fetch failed")).github.refresh("ghr_old")).rejects.toBeInstanceOf(GitHubUnavailableError);
  });
});

describe("calls as the user", () => {
  const USER = {
    id: 1,
    login: "octocat",
    name: null,
    email: null,
    avatar_url: "https://a",
    html_url: "https://h",
    company: null,
    location: null,
    bio: null,
    created_at: null,
  };

  test("GET /user sends the token and the ETag to revalidate; 304 is not modified", async () => {
    const { github, sent } = clientAnswering({ status: 200, body: USER, headers: { etag: '"v1"' } }, { status: 304 });
    expect(await github.fetchUser("ghu_access")).toMatchObject({ notModified: false, etag: '"v1"', profile: { login: "octocat" } });
    expect(await github.fetchUser("ghu_access", '"v1"')).toEqual({ notModified: true });
    expect(sent.map((request) => request.url)).toEqual(["http://127.0.0.1:9/api/user", "http://127.0.0.1:9/api/user"]);
    expect(sent[0]!.headers.get("authorization")).toBe("token ghu_access");
    expect(sent[1]!.headers.get("if-none-match")).toBe('"v1"');
  });

  test("401 is a token GitHub no longer honours; rate limits are told apart, with how long to wait", async () => {
    await expect(clientAnswering({ status: 401 }).github.fetchUser("ghu_access")).rejects.toBeInstanceOf(GitHubBadCredentialsError);
    const { github: limited, clock } = clientAnswering({
      status: 403,
      body: { message: "API rate limit exceeded" },
      headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(Date.UTC(2026, 0, 1) / 1000 + 90) },
    });
    const primary = await limited.fetchUser("ghu_access").catch((error: unknown) => error);
    expect(primary).toBeInstanceOf(GitHubRateLimitedError);
    expect(primary).toMatchObject({ kind: "primary", code: "github_rate_limited", retryAfterSeconds: 90 });
    expect(clock.now()).toBe(Date.UTC(2026, 0, 1));
    const secondary = await clientAnswering({ status: 403, body: { message: "You have exceeded a secondary rate limit" } })
      .github.fetchUser("ghu_access")
      .catch((error: unknown) => error);
    expect(secondary).toMatchObject({ kind: "secondary", code: "github_secondary_rate_limited", retryAfterSeconds: 60 });
  });

  test("the primary email is the verified primary one; a 404 (no permission) is no email, not an error", async () => {
    const emails = [
      { email: "old@example.com", primary: false, verified: true },
      { email: "mona@example.com", primary: true, verified: true },
    ];
    expect(await clientAnswering({ status: 200, body: emails }).github.fetchPrimaryEmail("ghu_access")).toBe("mona@example.com");
    expect(await clientAnswering({ status: 404 }).github.fetchPrimaryEmail("ghu_access")).toBeNull();
  });

  test("organisation membership counts only when active", async () => {
    const { github, sent } = clientAnswering(
      { status: 200, body: { state: "active" } },
      { status: 200, body: { state: "pending" } },
      { status: 404 },
    );
    expect(await github.isOrgMember("ghu_access", "octo-org")).toBe(true);
    expect(await github.isOrgMember("ghu_access", "octo-org")).toBe(false);
    expect(await github.isOrgMember("ghu_access", "octo-org")).toBe(false);
    expect(sent[0]!.url).toBe("http://127.0.0.1:9/api/user/memberships/orgs/octo-org");
  });
});

describe("application endpoints", () => {
  test("authenticate the app with Basic credentials and name the token in the body", async () => {
    const { github, sent } = clientAnswering({ status: 200 }, { status: 204 }, { status: 204 });
    expect(await github.checkToken("ghu_access")).toBe(true);
    expect(await github.revokeToken("ghu_access")).toBe(true);
    expect(await github.deleteAuthorization("ghu_access")).toBe(true);
    expect(sent.map((request) => `${request.method} ${request.url}`)).toEqual([
      "POST http://127.0.0.1:9/api/applications/Iv23liabc/token",
      "DELETE http://127.0.0.1:9/api/applications/Iv23liabc/token",
      "DELETE http://127.0.0.1:9/api/applications/Iv23liabc/grant",
    ]);
    for (const request of sent) {
      expect(request.headers.get("authorization")).toBe(`basic ${Buffer.from("Iv23liabc:app-secret").toString("base64")}`);
      expect(JSON.parse(request.body)).toEqual({ access_token: "ghu_access" });
    }
  });

  test("404 and 422 mean GitHub does not know the token; anything else is GitHub unavailable", async () => {
    expect(await clientAnswering({ status: 404 }).github.checkToken("ghu_access")).toBe(false);
    expect(await clientAnswering({ status: 422 }).github.revokeToken("ghu_access")).toBe(false);
    await expect(clientAnswering({ status: 403 }).github.deleteAuthorization("ghu_access")).rejects.toBeInstanceOf(GitHubUnavailableError);
  });
});
