// One JSON log line per request: request id, method, route, status, duration and the GitHub user id
// when signed in. Only these chosen fields are logged, never the request object itself, so no URL
// query (the sign-in callback's `code` and `state`), header, cookie or token can reach the log. The
// request id is the caller's X-Request-Id when it is a plain short token (so a proxy's id ties its
// log to ours), otherwise a fresh UUID; either way it is echoed back. Whatever else wants to know
// about each answered request (the metrics) hears it from the same one listener. A path is the
// client's to choose (up to Node's 16 KB of headers): where one is logged (an unmatched route, an
// error's "where"), it is logged without its query and cut at MAX_LOGGED_PATH, marked as cut.
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { RequestHandler, Response } from "express";
import type { Logger } from "pino";
import { pathOf, routePattern } from "./route-label.js";

export const REQUEST_ID_HEADER = "X-Request-Id";
const SANE_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;
/** The most of a request's path a log line carries. */
export const MAX_LOGGED_PATH = 512;

export function requestId(received: string | string[] | undefined): string {
  return typeof received === "string" && SANE_REQUEST_ID.test(received) ? received : randomUUID();
}

/** `path` (already without its query) as a log line may carry it: whole, or cut and saying by how much. */
export function loggedPath(path: string): string {
  return path.length <= MAX_LOGGED_PATH ? path : `${path.slice(0, MAX_LOGGED_PATH)}…[${path.length - MAX_LOGGED_PATH} more characters]`;
}

/** Tells the request's log line who is signed in (set wherever a session is read or created). */
export function noteSignedInUser(response: Response, userId: number): void {
  response.locals.signedInUserId = userId;
}

/** One request, as it ended. */
export interface AnsweredRequest {
  method: string;
  /** The route that answered ("/api/me", "/api/github/*"), or null when none matched. */
  routePattern: string | null;
  status: number;
  durationMs: number;
  /** False when the client went away before the answer was complete. */
  finished: boolean;
}

export interface RequestLogging {
  /** Express's part: the request id, and the line when the answer closes. */
  middleware: RequestHandler;
  /** A request answered before Express (read-paths-first.ts): the same listeners and the same line. */
  record(reqId: string, answered: AnsweredRequest, userId: number | undefined): void;
  /** A request passed on to Express after work done before it: its duration counts from `startedAt`. */
  startedEarlier(request: IncomingMessage, startedAt: number): void;
}

export function requestLogging(logger: Logger, alsoTell: ((answered: AnsweredRequest) => void)[] = []): RequestLogging {
  // This line holds only the fields below (a sanitised id, a route pattern, numbers), none of which
  // a name-based redaction could match, so it skips the redaction pass: that pass cost more than
  // the rest of a cheap request's work (see docs/internals-performance.md).
  const requestLog = logger.child({}, { redact: [] });
  const record = (reqId: string, answered: AnsweredRequest, userId: number | undefined, path = "") => {
    for (const listener of alsoTell) listener(answered);
    const line = {
      reqId,
      method: answered.method,
      route: answered.routePattern ?? loggedPath(path),
      status: answered.status,
      durationMs: Math.round(answered.durationMs * 10) / 10,
      ...(userId === undefined ? {} : { userId }),
    };
    const message = answered.finished ? "request completed" : "request aborted";
    if (answered.status >= 500) requestLog.error(line, message);
    else requestLog.info(line, message);
  };
  const startedBeforeExpress = new WeakMap<IncomingMessage, number>();
  const middleware: RequestHandler = (request, response, next) => {
    const startedAt = startedBeforeExpress.get(request) ?? performance.now();
    const id = requestId(request.headers["x-request-id"]);
    response.setHeader(REQUEST_ID_HEADER, id);
    response.once("close", () => {
      const answered: AnsweredRequest = {
        method: request.method,
        routePattern: routePattern(request),
        status: response.statusCode,
        durationMs: performance.now() - startedAt,
        finished: response.writableFinished,
      };
      const userId: unknown = response.locals.signedInUserId;
      record(id, answered, typeof userId === "number" ? userId : undefined, pathOf(request));
    });
    next();
  };
  return {
    middleware,
    record: (reqId, answered, userId) => record(reqId, answered, userId),
    startedEarlier: (request, startedAt) => void startedBeforeExpress.set(request, startedAt),
  };
}
