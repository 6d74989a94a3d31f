// POST /login/oauth/access_token, both ways it is used: a sign-in's code (with the PKCE verifier)
// for a token set, and a refresh token for the next one. Expiry is counted from GitHub's `Date`
// header, or from our clock when GitHub sends none.
import type { GitHubContext } from "./github-call.js";
import { GitHubUnavailableError } from "./errors.js";
import { readTokenResponse, type TokenSet } from "./token-response.js";

export interface CodeExchangeParams {
  code: string;
  codeVerifier: string;
  redirectUri: string;
}

export function exchangeCode(context: GitHubContext, { code, codeVerifier, redirectUri }: CodeExchangeParams): Promise<TokenSet> {
  return tokenRequest(context, { code, redirect_uri: redirectUri, code_verifier: codeVerifier });
}

export function refreshToken(context: GitHubContext, refreshToken: string): Promise<TokenSet> {
  return tokenRequest(context, { grant_type: "refresh_token", refresh_token: refreshToken });
}

async function tokenRequest({ config, clock, call }: GitHubContext, parameters: Record<string, string>): Promise<TokenSet> {
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
