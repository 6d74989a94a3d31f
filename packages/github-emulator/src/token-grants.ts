// The two grants of POST /login/oauth/access_token: code exchange and refresh. Each returns the
// fields of the answer or an OAuth error code; token-route.ts turns either into a response.
import { createHash } from "node:crypto";
import type { TokenErrorCode } from "./oauth-errors.js";
import type { OAuthFields } from "./oauth-response.js";
import { isMalformedParam, stringParam, type ParamSource } from "./params.js";
import type { AccessTokenRecord, AuthorizationCode } from "./records.js";
import type { EmulatorState } from "./state.js";
import type { EmulatorClient, EmulatorStats } from "./types.js";

/** `extra`: more fields of an error answer (slow_down's new `interval`). */
export type GrantResult = { ok: true; fields: OAuthFields } | { ok: false; error: TokenErrorCode; extra?: OAuthFields };

export function exchangeCode(store: EmulatorState, stats: EmulatorStats, client: EmulatorClient, params: ParamSource): GrantResult {
  // Codes are single use: once an authenticated client presented it, right or wrong, it is spent.
  const code = store.takeCode(stringParam(params, "code"));
  if (!code) return { ok: false, error: "bad_verification_code" };
  const problem = codeProblem(store, client, code, params);
  if (problem) return { ok: false, error: problem };
  const token = store.issueTokens({
    clientId: client.clientId,
    userId: code.userId,
    scopes: code.scopes,
    expiring: client.expiringTokens || code.offlineAccess,
  });
  stats.codeExchanges += 1;
  return { ok: true, fields: tokenFields(store, client, token) };
}

function codeProblem(store: EmulatorState, client: EmulatorClient, code: AuthorizationCode, params: ParamSource): TokenErrorCode | null {
  // Expired (10 minutes by default) and other clients' codes read "incorrect or expired", as used ones do.
  if (store.clock.now() >= code.expiresAt || code.clientId !== client.clientId) return "bad_verification_code";
  const redirectUri = stringParam(params, "redirect_uri");
  if (isMalformedParam(params, "redirect_uri") || (redirectUri !== undefined && redirectUri !== code.redirectUri)) {
    return "redirect_uri_mismatch";
  }
  if (code.codeChallenge !== null) {
    // GitHub documents no separate PKCE error code; bad_verification_code is the likely answer.
    const verifier = stringParam(params, "code_verifier");
    if (verifier === undefined || createHash("sha256").update(verifier).digest("base64url") !== code.codeChallenge) {
      return "bad_verification_code";
    }
  }
  const user = store.userById(code.userId);
  if (!user?.emails.some((email) => email.primary && email.verified)) return "unverified_user_email";
  return null;
}

export function refresh(store: EmulatorState, stats: EmulatorStats, client: EmulatorClient, params: ParamSource): GrantResult {
  const presented = store.refreshTokenRecord(stringParam(params, "refresh_token"));
  if (!presented || presented.clientId !== client.clientId) return { ok: false, error: "bad_refresh_token" };
  if (presented.status === "used") {
    // Strict single use: GitHub documents no grace window, so a second use is refused.
    stats.refreshTokenReuses += 1;
    return { ok: false, error: "bad_refresh_token" };
  }
  if (!store.isRefreshTokenUsable(presented)) return { ok: false, error: "bad_refresh_token" };
  const token = store.rotate(presented);
  stats.refreshes += 1;
  return { ok: true, fields: tokenFields(store, client, token) };
}

/** Field order as in GitHub's documented examples; `scope` is always present ("" for GitHub Apps). */
export function tokenFields(store: EmulatorState, client: EmulatorClient, token: AccessTokenRecord): OAuthFields {
  const fields: OAuthFields = { access_token: token.token };
  const refreshToken = store.refreshTokenRecord(token.refreshToken ?? undefined);
  if (token.expiresAt !== null && refreshToken) {
    fields.expires_in = Math.round((token.expiresAt - token.createdAt) / 1000);
    fields.refresh_token = refreshToken.token;
    fields.refresh_token_expires_in = Math.round((refreshToken.expiresAt - token.createdAt) / 1000);
  }
  fields.scope = client.type === "github-app" ? "" : token.scopes.join(",");
  fields.token_type = "bearer";
  return fields;
}
