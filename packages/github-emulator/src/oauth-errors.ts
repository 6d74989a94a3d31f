// The OAuth errors GitHub reports, with its wording. Live answers carry absolute docs URLs in
// error_uri (the docs themselves show relative paths).

const TOKEN_ERRORS_DOC = "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/";
const AUTHORIZE_ERRORS_DOC = "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-authorization-request-errors/";
const DEVICE_FLOW_DOC =
  "https://docs.github.com/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps#error-codes-for-the-device-flow";
const USER_TOKEN_DOC =
  "https://docs.github.com/apps/creating-github-apps/authenticating-with-a-github-app/generating-a-user-access-token-for-a-github-app";

export type TokenErrorCode =
  | "incorrect_client_credentials"
  | "redirect_uri_mismatch"
  | "bad_verification_code"
  | "unverified_user_email"
  | "bad_refresh_token"
  | "unsupported_grant_type"
  | DeviceErrorCode;

/** The device flow's own answers while the person has not approved (all HTTP 200 like the rest). */
export type DeviceErrorCode =
  "authorization_pending" | "slow_down" | "expired_token" | "incorrect_device_code" | "access_denied" | "device_flow_disabled";

export type AuthorizeErrorCode = "access_denied" | "redirect_uri_mismatch";

export interface OAuthErrorFields {
  error: string;
  error_description: string;
  error_uri: string;
}

const TOKEN_ERRORS: Record<TokenErrorCode, [description: string, uri: string]> = {
  incorrect_client_credentials: [
    "The client_id and/or client_secret passed are incorrect.",
    `${TOKEN_ERRORS_DOC}#incorrect-client-credentials`,
  ],
  redirect_uri_mismatch: [
    "The redirect_uri MUST match the registered callback URL for this application.",
    `${TOKEN_ERRORS_DOC}#redirect-uri-mismatch2`,
  ],
  bad_verification_code: ["The code passed is incorrect or expired.", `${TOKEN_ERRORS_DOC}#bad-verification-code`],
  unverified_user_email: ["The user must have a verified primary email.", `${TOKEN_ERRORS_DOC}#unverified-user-email`],
  // Live answers point bad_refresh_token at the bad-verification-code anchor (observed in two fixtures).
  bad_refresh_token: ["The refresh token passed is incorrect or expired.", `${TOKEN_ERRORS_DOC}#bad-verification-code`],
  // GitHub documents no description for this one; the wording here is the emulator's own.
  unsupported_grant_type: [
    "The grant_type passed is not supported.",
    `${USER_TOKEN_DOC}#using-the-web-application-flow-to-generate-a-user-access-token`,
  ],
  authorization_pending: ["The authorization request is still pending.", DEVICE_FLOW_DOC],
  slow_down: ["Too many requests have been made in the same timeframe.", DEVICE_FLOW_DOC],
  expired_token: ["The device code has expired.", DEVICE_FLOW_DOC],
  incorrect_device_code: ["The device_code provided is not valid.", DEVICE_FLOW_DOC],
  access_denied: ["The authorization request was denied.", DEVICE_FLOW_DOC],
  // Wording as live answers carry it (simoneb/ghenv#10).
  device_flow_disabled: ["Device Flow must be explicitly enabled for this App", DEVICE_FLOW_DOC],
};

const AUTHORIZE_ERRORS: Record<AuthorizeErrorCode, [description: string, uri: string]> = {
  access_denied: ["The user has denied your application access.", `${AUTHORIZE_ERRORS_DOC}#access-denied`],
  redirect_uri_mismatch: [
    "The redirect_uri MUST match the registered callback URL for this application.",
    `${AUTHORIZE_ERRORS_DOC}#redirect-uri-mismatch`,
  ],
};

export function tokenError(code: TokenErrorCode): OAuthErrorFields {
  const [description, uri] = TOKEN_ERRORS[code];
  return { error: code, error_description: description, error_uri: uri };
}

export function authorizeError(code: AuthorizeErrorCode): OAuthErrorFields {
  const [description, uri] = AUTHORIZE_ERRORS[code];
  return { error: code, error_description: description, error_uri: uri };
}
