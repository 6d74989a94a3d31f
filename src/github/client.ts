// The only module the rest of the server uses to talk to GitHub. Built on @octokit/request, with
// the parts octokit's OAuth helpers lack: PKCE, expiring OAuth App tokens, comma-separated scopes,
// a bound on every call, and failures mapped to what the caller can do (see errors.ts). Each
// endpoint lives in a file of its own, as in @octokit/oauth-methods; this one puts them together
// around one injected fetch.
import type { Clock } from "../clock.js";
import type { GitHubConfig } from "../config/config.js";
import { checkAccess, type AccessCheck, type AccessCheckAnswer } from "./access-checks.js";
import { checkToken, deleteAuthorization, revokeToken } from "./app-token.js";
import { authorizeUrl, type AuthorizeParams } from "./authorize-url.js";
import { pollDeviceToken, requestDeviceCode, type DeviceCodes, type DevicePoll } from "./device-flow.js";
import { createGitHubCall, type GitHubContext } from "./github-call.js";
import { isOrgMember } from "./org-membership.js";
import { exchangeCode, refreshToken, type CodeExchangeParams } from "./token-exchange.js";
import type { TokenSet } from "./token-response.js";
import { fetchPrimaryEmail, fetchUser, userIdOf, type UserFetchResult } from "./user.js";

export type { AccessCheck, AccessCheckAnswer } from "./access-checks.js";
export type { UserFetchResult } from "./user.js";
export type { DeviceCodes, DevicePoll } from "./device-flow.js";

export interface GitHubClient {
  authorizeUrl(params: AuthorizeParams): string;
  exchangeCode(params: CodeExchangeParams): Promise<TokenSet>;
  refresh(refreshToken: string): Promise<TokenSet>;
  /** A device code and user code for a program (GitHub's device flow). */
  requestDeviceCode(): Promise<DeviceCodes>;
  /** One poll of the device code: a token set, or GitHub's error (authorization_pending, slow_down, …). */
  pollDeviceToken(deviceCode: string): Promise<DevicePoll>;
  fetchUser(accessToken: string, etag?: string | null): Promise<UserFetchResult>;
  fetchPrimaryEmail(accessToken: string): Promise<string | null>;
  /** The GitHub id of a login, asked without a token (for operators); null for an unknown login. */
  userIdOf(login: string): Promise<number | null>;
  isOrgMember(accessToken: string, org: string): Promise<boolean>;
  /** Membership of an organisation or team, or permission on a repository, as the user's token sees it. */
  checkAccess(accessToken: string, check: AccessCheck, etag: string | null): Promise<AccessCheckAnswer>;
  /** Whether GitHub still honours a token (POST /applications/{client_id}/token): false when it is revoked or expired. */
  checkToken(accessToken: string): Promise<boolean>;
  /** Revokes one token (DELETE /applications/{client_id}/token). False when GitHub did not know it. */
  revokeToken(accessToken: string): Promise<boolean>;
  /** Revokes the user's whole authorization of this app: every token, and the grant (DELETE …/grant). */
  deleteAuthorization(accessToken: string): Promise<boolean>;
}

export function createGitHubClient(config: GitHubConfig, clock: Clock, fetchImpl: typeof fetch = globalThis.fetch): GitHubClient {
  const context: GitHubContext = { config, clock, call: createGitHubCall(config, fetchImpl) };
  return {
    authorizeUrl: (params) => authorizeUrl(config, params),
    exchangeCode: (params) => exchangeCode(context, params),
    refresh: (token) => refreshToken(context, token),
    requestDeviceCode: () => requestDeviceCode(context),
    pollDeviceToken: (deviceCode) => pollDeviceToken(context, deviceCode),
    fetchUser: (accessToken, etag) => fetchUser(context, accessToken, etag),
    fetchPrimaryEmail: (accessToken) => fetchPrimaryEmail(context, accessToken),
    userIdOf: (login) => userIdOf(context, login),
    isOrgMember: (accessToken, org) => isOrgMember(context, accessToken, org),
    checkAccess: (accessToken, check, etag) => checkAccess(context, accessToken, check, etag),
    checkToken: (accessToken) => checkToken(context, accessToken),
    revokeToken: (accessToken) => revokeToken(context, accessToken),
    deleteAuthorization: (accessToken) => deleteAuthorization(context, accessToken),
  };
}
