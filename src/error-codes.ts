// Every error code the server answers with, and its HTTP status: `{"error": "<code>"}` is what API
// callers branch on (SPEC §3), so each code is named once, here. AppError takes its status from
// this catalogue, and the metrics key their outcomes by `ErrorCode`, so renaming or removing a code
// is a compile error wherever it is used instead of a silent "error".
interface ErrorEntry {
  status: number;
  keepsRequestStatus?: boolean;
}

export const ERROR_CATALOGUE = {
  /** Also any other 4xx that Express or body-parser gave a malformed request (415, 416, …), kept as given. */
  bad_request: { status: 400, keepsRequestStatus: true },
  invalid_state: { status: 400 },
  invalid_handoff: { status: 400 },
  code_refused: { status: 400 },
  github_error: { status: 400 },
  /** A request carrying both a session cookie and a bearer token: which one it means is not guessed. */
  mixed_credentials: { status: 400 },
  /** A per-route rule of /auth/check that is not understood: refused for everyone, never a pass (SPEC §7). */
  invalid_rule: { status: 400 },
  // The device flow's answers to a program's poll (RFC 8628 §3.5, RFC 6749 §5.2), all 400.
  authorization_pending: { status: 400 },
  slow_down: { status: 400 },
  expired_token: { status: 400 },
  access_denied: { status: 400 },
  invalid_grant: { status: 400 },
  invalid_request: { status: 400 },
  unsupported_grant_type: { status: 400 },
  unauthenticated: { status: 401 },
  reauthentication_required: { status: 401 },
  sign_in_cancelled: { status: 401 },
  bad_signature: { status: 401 },
  not_allowed: { status: 403 },
  sso_required: { status: 403 },
  cross_origin_request: { status: 403 },
  not_found: { status: 404 },
  method_not_allowed: { status: 405 },
  /** A request for a host this server does not serve (http/host-gate.ts). */
  unknown_host: { status: 421 },
  /** `Host` and a trusted X-Forwarded-Host name two different hosts of this server (http/host-reading.ts). */
  conflicting_host: { status: 421 },
  payload_too_large: { status: 413 },
  too_many_requests: { status: 429 },
  github_rate_limited: { status: 429 },
  github_secondary_rate_limited: { status: 429 },
  internal_error: { status: 500 },
  github_unavailable: { status: 502 },
  github_misconfigured: { status: 502 },
  session_store_unavailable: { status: 503 },
  /** GitHub refuses the device flow: the app's "Enable Device Flow" box is unticked (an operator's fix). */
  device_flow_disabled: { status: 503 },
  refresh_in_progress: { status: 503 },
  /** GitHub has not confirmed the access decision for longer than ACCESS_MAX_STALE allows (SPEC §7); the session is kept. */
  access_unconfirmed: { status: 503 },
  /** The OpenID Connect provider's OAuth answer while Redis or GitHub cannot be asked (RFC 6749 §4.1.2.1); what it ends: nothing. */
  temporarily_unavailable: { status: 503 },
  /** /readyz's answer while Redis does not: not a failed request, so not an AppError. */
  not_ready: { status: 503 },
} as const satisfies Record<string, ErrorEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export const ERROR_CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];

/** The status an error of this code answers with; a request's own 4xx where the code keeps it. */
export function statusOf(code: ErrorCode, requestStatus?: number): number {
  const entry: ErrorEntry = ERROR_CATALOGUE[code];
  return entry.keepsRequestStatus && requestStatus !== undefined ? requestStatus : entry.status;
}
