// Outcomes that only show at the end of a request: how a sign-in callback ended. The error writer
// (error-answer.ts), the one place that turns errors into answers, remembers each answer's code.
import type { ServerResponse } from "node:http";
import type { RequestHandler, Response } from "express";
import type { Audit, AuditedUser } from "../auth/audit.js";
import type { ErrorCode } from "../error-codes.js";
import type { Metrics, SignInOutcome } from "../metrics.js";
import type { HostResolver } from "./request-host.js";

/** Where an answer keeps the error code it was written for. */
const ERROR_CODE = Symbol("errorCode");
type Noted = ServerResponse & { [ERROR_CODE]?: ErrorCode };

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

/** Remembers the error code an answer is written for (error-answer.ts), for the outcome counted when it finishes. */
export function noteErrorCode(response: ServerResponse, code: ErrorCode): void {
  (response as Noted)[ERROR_CODE] = code;
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

function signInOutcome(response: Response): SignInOutcome {
  const code = (response as Noted)[ERROR_CODE];
  if (code === undefined) return response.statusCode < 400 ? "success" : "error";
  return OUTCOME_BY_ERROR_CODE[code] ?? "error";
}
