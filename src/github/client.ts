// The only module that talks to GitHub. Built on @octokit/request, with the parts octokit's OAuth
// helpers lack: PKCE, expiring OAuth App tokens, comma-separated scopes, a bound on every call, and
// failures mapped to what the caller can do (see errors.ts).
import { request as octokitRequest } from "@octokit/request";
import type { Clock } from "../clock.js";
import type { GitHubConfig } from "../config/config.js";
import { GitHubBadCredentialsError, GitHubRateLimitedError, GitHubUnavailableError } from "./errors.js";
import { readProfile, type GitHubProfile } from "./profile.js";
import { readTokenResponse, type TokenSet } from "./token-response.js";

export type UserFetchResult = { notModified: true } | { notModified: false; profile: GitHubProfile; etag: string | null };

export interface GitHubClient {
  authorizeUrl(params: { state: string; codeChallenge: string; redirectUri: string }): string;
  exchangeCode(params: { code: string; codeVerifier: string; redirectUri: string }): Promise<TokenSet>;
  refresh(refreshToken: string): Promise<TokenSet>;
  fetchUser(accessToken: string, etag?: string | null): Promise<UserFetchResult>;
  fetchPrimaryEmail(accessToken: string): Promise<string | null>;
  isOrgMember(accessToken: string, org: string): Promise<boolean>;
  /** Whether GitHub still honours a token (POST /applications/{client_id}/token): false when it is revoked or expired. */
  checkToken(accessToken: string): Promise<boolean>;
  /** Revokes one token (DELETE /applications/{client_id}/token). False when GitHub did not know it. */
  revokeToken(accessToken: string): Promise<boolean>;
  /** Revokes the user's whole authorization of this app: every token, and the grant (DELETE …/grant). */
  deleteAuthorization(accessToken: string): Promise<boolean>;
}

interface ApiAnswer {
  status: number;
  headers: Record<string, string | number | undefined>;
  data: unknown;
}

export function createGitHubClient(config: GitHubConfig, clock: Clock, fetchImpl: typeof fetch = globalThis.fetch): GitHubClient {
  const request = octokitRequest.defaults({
    headers: { "user-agent": "github-login-server", "x-github-api-version": "2022-11-28" },
    request: { fetch: fetchImpl },
  });

  /** Any call to GitHub: bounded by GITHUB_TIMEOUT; 304 and 4xx come back as answers, the rest throws. */
  async function call(route: string, options: Record<string, unknown>): Promise<ApiAnswer> {
    try {
      const response = await request(route, { ...options, request: { signal: AbortSignal.timeout(config.timeoutMs) } });
      return { status: response.status, headers: response.headers, data: response.data };
    } catch (error) {
      const response = (error as { response?: ApiAnswer }).response;
      if (!response) throw new GitHubUnavailableError(`${route}: ${(error as Error).message}`);
      if (response.status >= 500) throw new GitHubUnavailableError(`${route}: HTTP ${response.status}`);
      return response;
    }
  }

  async function callApi(
    route: string,
    accessToken: string,
    { headers = {}, parameters = {} }: { headers?: Record<string, string>; parameters?: Record<string, string> } = {},
  ): Promise<ApiAnswer> {
    const answer = await call(route, {
      ...parameters,
      baseUrl: config.serverApiUrl,
      headers: { ...headers, authorization: `token ${accessToken}` },
    });
    if (answer.status === 401) throw new GitHubBadCredentialsError();
    throwIfRateLimited(answer);
    return answer;
  }

  async function tokenRequest(parameters: Record<string, string>): Promise<TokenSet> {
    const answer = await call("POST /login/oauth/access_token", {
      baseUrl: config.serverBaseUrl,
      headers: { accept: "application/json" },
      client_id: config.clientId,
      client_secret: config.clientSecret,
      ...parameters,
    });
    if (answer.status !== 200) throw new GitHubUnavailableError(`token endpoint: HTTP ${answer.status}`);
    const githubTime = Date.parse(String(answer.headers.date ?? ""));
    return readTokenResponse(answer.data, Number.isFinite(githubTime) ? githubTime : clock.now());
  }

  /** The app endpoints authenticate the app (Basic client_id:client_secret), not the user. */
  async function appTokenCall(route: string, accessToken: string): Promise<boolean> {
    const basic = Buffer.from(`${config.clientId}:${config.clientSecret}`).toString("base64");
    const answer = await call(route, {
      baseUrl: config.serverApiUrl,
      client_id: config.clientId,
      access_token: accessToken,
      headers: { authorization: `basic ${basic}` },
    });
    if (answer.status === 204 || answer.status === 200) return true;
    if (answer.status === 404 || answer.status === 422) return false;
    throw new GitHubUnavailableError(`${route}: HTTP ${answer.status}`);
  }

  return {
    authorizeUrl({ state, codeChallenge, redirectUri }) {
      const url = new URL(`${config.baseUrl}/login/oauth/authorize`);
      url.searchParams.set("client_id", config.clientId);
      url.searchParams.set("redirect_uri", redirectUri);
      // GitHub Apps ignore scopes (they use permissions); in auto mode sending them is harmless.
      if (config.clientType !== "github-app" && config.scopes.length > 0) url.searchParams.set("scope", config.scopes.join(" "));
      url.searchParams.set("state", state);
      url.searchParams.set("code_challenge", codeChallenge);
      url.searchParams.set("code_challenge_method", "S256");
      return url.toString();
    },

    exchangeCode({ code, codeVerifier, redirectUri }) {
      return tokenRequest({ code, redirect_uri: redirectUri, code_verifier: codeVerifier });
    },

    refresh(refreshToken) {
      return tokenRequest({ grant_type: "refresh_token", refresh_token: refreshToken });
    },

    async fetchUser(accessToken, etag) {
      const answer = await callApi("GET /user", accessToken, { headers: etag ? { "if-none-match": etag } : {} });
      if (answer.status === 304) return { notModified: true };
      const profile = answer.status === 200 ? readProfile(answer.data) : null;
      if (!profile) throw new GitHubUnavailableError(`GET /user: unexpected HTTP ${answer.status}`);
      return { notModified: false, profile, etag: typeof answer.headers.etag === "string" ? answer.headers.etag : null };
    },

    async fetchPrimaryEmail(accessToken) {
      // 404 means the token may not read emails (no user:email scope / permission): not an error.
      const answer = await callApi("GET /user/emails", accessToken);
      if (answer.status !== 200 || !Array.isArray(answer.data)) return null;
      const primary = answer.data.find((entry) => entry?.primary === true && entry?.verified === true);
      return typeof primary?.email === "string" ? primary.email : null;
    },

    async isOrgMember(accessToken, org) {
      const answer = await callApi("GET /user/memberships/orgs/{org}", accessToken, { parameters: { org } });
      return answer.status === 200 && (answer.data as { state?: unknown } | null)?.state === "active";
    },

    checkToken: (accessToken) => appTokenCall("POST /applications/{client_id}/token", accessToken),
    revokeToken: (accessToken) => appTokenCall("DELETE /applications/{client_id}/token", accessToken),
    deleteAuthorization: (accessToken) => appTokenCall("DELETE /applications/{client_id}/grant", accessToken),
  };

  function throwIfRateLimited(answer: ApiAnswer): void {
    if (answer.status !== 403 && answer.status !== 429) return;
    const retryAfter = Number(answer.headers["retry-after"]);
    const message = String((answer.data as { message?: unknown } | null)?.message ?? "");
    if (/\bsecondary rate\b/i.test(message)) {
      throw new GitHubRateLimitedError("secondary", Number.isFinite(retryAfter) ? retryAfter : 60);
    }
    if (String(answer.headers["x-ratelimit-remaining"]) === "0") {
      const resetAt = Number(answer.headers["x-ratelimit-reset"]) * 1000;
      const wait = Number.isFinite(resetAt) ? Math.max(1, Math.ceil((resetAt - clock.now()) / 1000)) : null;
      throw new GitHubRateLimitedError("primary", wait);
    }
  }
}
