// One JSON log line per request: request id, method, route, status, duration and the GitHub user id
// when signed in. Only these chosen fields are logged, never the request object itself, so no URL
// query (the sign-in callback's `code` and `state`), header, cookie or token can reach the log. The
// request id is the caller's X-Request-Id when it is a plain short token (so a proxy's id ties its
// log to ours), otherwise a fresh UUID; either way it is echoed back. Whatever else wants to know
// about each answered request (the metrics) hears it from the same one listener. A path is the
// client's to choose (up to Node's 16 KB of headers): where one is logged (an unmatched route, an
// error's "where"), it is logged without its query and cut at MAX_LOGGED_PATH, marked as cut.
// The front door (front-door.ts) begins it for every request, before anything else runs.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { routePattern, withoutQuery } from "./route-label.js";

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

/** Where an answer keeps who is signed in, for its line: a property of its own (a WeakMap's upkeep was measured on every request). */
const SIGNED_IN_USER = Symbol("signedInUser");
type Noted = ServerResponse & { [SIGNED_IN_USER]?: number };

/** Tells the request's log line who is signed in (set wherever a session is read or created). */
export function noteSignedInUser(response: ServerResponse, userId: number): void {
  (response as Noted)[SIGNED_IN_USER] = userId;
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

/**
 * Starts a request's accounting: its id, returned (whoever answers echoes it in X-Request-Id), and
 * its one line, written when the answer closes. `route`: the route pattern when it is known already
 * (the read paths, answered without Express); otherwise the route Express matched, or the request's
 * path when none did.
 */
export type BeginRequest = (request: IncomingMessage, response: ServerResponse, route: string | null) => string;

export function requestLogging(logger: Logger, alsoTell: ((answered: AnsweredRequest) => void)[] = []): BeginRequest {
  // This line holds only the fields below (a sanitised id, a route pattern, numbers), none of which
  // a name-based redaction could match, so it skips the redaction pass: that pass cost more than
  // the rest of a cheap request's work (see docs/internals-performance.md).
  const requestLog = logger.child({}, { redact: [] });
  const write = (reqId: string, answered: AnsweredRequest, path: string, userId: number | undefined) => {
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
  return (request, response, route) => {
    const startedAt = performance.now();
    const id = requestId(request.headers["x-request-id"]);
    // As it arrived: a router Express mounts rewrites request.url while inside it.
    const url = request.url ?? "/";
    response.once("close", () => {
      const answered: AnsweredRequest = {
        method: request.method ?? "GET",
        routePattern: route ?? routePattern(request, url),
        status: response.statusCode,
        durationMs: performance.now() - startedAt,
        finished: response.writableFinished,
      };
      write(id, answered, withoutQuery(url), (response as Noted)[SIGNED_IN_USER]);
    });
    return id;
  };
}
