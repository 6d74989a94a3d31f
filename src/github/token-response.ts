// Reads an answer of POST /login/oauth/access_token. GitHub reports OAuth errors with HTTP 200, may
// send numbers as strings, and separates granted scopes with commas, so nothing here trusts the
// status code or the field types.
import { GitHubOAuthError, GitHubUnavailableError } from "./errors.js";

export interface TokenSet {
  accessToken: string;
  scopes: string[];
  /** Epoch milliseconds; null for tokens that do not expire. */
  accessTokenExpiresAt: number | null;
  refreshToken: string | null;
  refreshTokenExpiresAt: number | null;
}

const TOKEN_PATTERN = /^[A-Za-z0-9_.-]{1,255}$/;

/**
 * @param body the parsed JSON body
 * @param issuedAt GitHub's `Date` header in epoch ms (expiry is counted from GitHub's clock)
 */
export function readTokenResponse(body: unknown, issuedAt: number): TokenSet {
  if (typeof body !== "object" || body === null) throw new GitHubUnavailableError("token endpoint answered without a JSON object");
  const fields = body as Record<string, unknown>;
  if (typeof fields.error === "string") {
    throw new GitHubOAuthError(fields.error, typeof fields.error_description === "string" ? fields.error_description : "");
  }
  const accessToken = fields.access_token;
  if (typeof accessToken !== "string" || !TOKEN_PATTERN.test(accessToken)) {
    throw new GitHubUnavailableError("token endpoint answered without an access_token");
  }
  const refreshToken = typeof fields.refresh_token === "string" && TOKEN_PATTERN.test(fields.refresh_token) ? fields.refresh_token : null;
  return {
    accessToken,
    scopes: typeof fields.scope === "string" ? fields.scope.split(/[\s,]+/).filter(Boolean) : [],
    accessTokenExpiresAt: expiresAt(issuedAt, fields.expires_in),
    refreshToken,
    refreshTokenExpiresAt: refreshToken ? expiresAt(issuedAt, fields.refresh_token_expires_in) : null,
  };
}

function expiresAt(issuedAt: number, seconds: unknown): number | null {
  const value = typeof seconds === "string" ? Number(seconds) : seconds;
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? issuedAt + value * 1000 : null;
}
