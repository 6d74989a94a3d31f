// Outcomes that only show at the end of a request: how a sign-in callback ended, and requests
// refused because the session store did not answer. Errors are seen on their way to the error
// handler (which stays the one place that turns them into answers) and remembered by code.
import type { ErrorRequestHandler, RequestHandler, Response } from "express";
import type { Audit, AuditedUser } from "../auth/audit.js";
import type { ErrorCode } from "../error-codes.js";
import { AppError } from "../errors.js";
import type { Metrics, SignInOutcome } from "../metrics.js";
import type { HostResolver } from "./request-host.js";

const ERROR_CODE = Symbol("errorCode");

/**
 * Error codes of a failed callback, as sign-in outcomes; any other code counts as "error". Keyed by
 * the catalogue's ErrorCode, so a renamed or removed code is a compile error here, not a silent "error".
 */
export const OUTCOME_BY_ERROR_CODE: Readonly<Partial<Record<ErrorCode, SignInOutcome>>> = {
  sign_in_cancelled: "cancelled",
  invalid_state: "invalid_state",
  invalid_handoff: "invalid_handoff",
  code_refused: "code_refused",
  not_allowed: "not_allowed",
  github_unavailable: "github_unavailable",
  github_rate_limited: "github_rate_limited",
  github_secondary_rate_limited: "github_rate_limited",
  github_misconfigured: "github_misconfigured",
  github_error: "github_error",
  session_store_unavailable: "session_store_unavailable",
  too_many_requests: "too_many_requests",
};

/** Mount before the error handler: notes each error's code and counts session store outages. */
export function noteErrorsForMetrics(metrics: Metrics): ErrorRequestHandler {
  return (error, _request, response, next) => {
    const code: ErrorCode = error instanceof AppError ? error.code : "internal_error";
    (response as Response & { [ERROR_CODE]?: ErrorCode })[ERROR_CODE] = code;
    if (code === "session_store_unavailable") metrics.sessionStoreErrors.inc();
    next(error);
  };
}

/**
 * Mount on the sign-in callback and the handoff (a sign-in on a protected host): counts its outcome
 * and writes its audit line, with the host signed in on, once the answer is sent.
 */
export function countSignIns(metrics: Metrics, audit: Audit, hosts: HostResolver): RequestHandler {
  return (request, response, next) => {
    response.once("finish", () => {
      const outcome = signInOutcome(response);
      metrics.signIns.inc({ outcome });
      audit.signIn(outcome, (response.locals[SIGNED_IN_AS] as AuditedUser | undefined) ?? null, hosts.of(request)?.host);
    });
    next();
  };
}

/** The callback tells who signed in, for the audit line written as it finishes. */
export function noteSignIn(response: Response, user: AuditedUser): void {
  response.locals[SIGNED_IN_AS] = user;
}

const SIGNED_IN_AS = "signedInAs";

function signInOutcome(response: Response & { [ERROR_CODE]?: ErrorCode }): SignInOutcome {
  const code = response[ERROR_CODE];
  if (code === undefined) return response.statusCode < 400 ? "success" : "error";
  return OUTCOME_BY_ERROR_CODE[code] ?? "error";
}
