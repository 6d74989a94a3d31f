// One JSON log line per request: request id, method, route, status, duration and the GitHub user id
// when signed in. Only these chosen fields are logged, never the request object itself, so no URL
// query (the sign-in callback's `code` and `state`), header, cookie or token can reach the log. The
// request id is the caller's X-Request-Id when it is a plain short token (so a proxy's id ties its
// log to ours), otherwise a fresh UUID; either way it is echoed back.
import { randomUUID } from "node:crypto";
import type { Request, RequestHandler, Response } from "express";
import type { Logger } from "pino";
import { pathOf, routePattern } from "./route-label.js";

export const REQUEST_ID_HEADER = "X-Request-Id";
const SANE_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;
const MAX_LOGGED_PATH = 200;

export function requestId(received: string | string[] | undefined): string {
  return typeof received === "string" && SANE_REQUEST_ID.test(received) ? received : randomUUID();
}

/** Tells the request's log line who is signed in (set wherever a session is read or created). */
export function noteSignedInUser(response: Response, userId: number): void {
  response.locals.signedInUserId = userId;
}

export function requestLogging(logger: Logger): RequestHandler {
  // This line holds only the fields below (a sanitised id, a route pattern, numbers), none of which
  // a name-based redaction could match, so it skips the redaction pass: that pass cost more than
  // the rest of a cheap request's work (see the README's profile).
  const requestLog = logger.child({}, { redact: [] });
  return (request, response, next) => {
    const startedAt = performance.now();
    const id = requestId(request.headers["x-request-id"]);
    response.setHeader(REQUEST_ID_HEADER, id);
    response.once("close", () => {
      const summary = requestSummary(id, request, response, performance.now() - startedAt);
      const message = response.writableFinished ? "request completed" : "request aborted";
      if (response.statusCode >= 500) requestLog.error(summary, message);
      else requestLog.info(summary, message);
    });
    next();
  };
}

function requestSummary(reqId: string, request: Request, response: Response, durationMs: number) {
  const userId: unknown = response.locals.signedInUserId;
  return {
    reqId,
    method: request.method,
    route: routePattern(request) ?? pathOf(request).slice(0, MAX_LOGGED_PATH),
    status: response.statusCode,
    durationMs: Math.round(durationMs * 10) / 10,
    ...(typeof userId === "number" ? { userId } : {}),
  };
}
