// One JSON log line per request (pino-http): request id, method, route, status, duration and the
// GitHub user id when signed in. Only these chosen fields are logged, never the request object
// itself, so no URL query (the sign-in callback's `code` and `state`), header, cookie or token can
// reach the log. The request id is the caller's X-Request-Id when it is a plain short token (so a
// proxy's id ties its log to ours), otherwise a fresh UUID; either way it is echoed back.
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Request, RequestHandler } from "express";
import type { Logger } from "pino";
import { pinoHttp } from "pino-http";
import { pathOf, routePattern } from "./route-label.js";

export const REQUEST_ID_HEADER = "X-Request-Id";
const SANE_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;
const MAX_LOGGED_PATH = 200;

export function requestId(received: string | string[] | undefined): string {
  return typeof received === "string" && SANE_REQUEST_ID.test(received) ? received : randomUUID();
}

export function requestLogging(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId: (request: IncomingMessage, response: ServerResponse) => {
      const id = requestId(request.headers["x-request-id"]);
      response.setHeader(REQUEST_ID_HEADER, id);
      return id;
    },
    // req.log carries just the request id; the completion line carries only the fields below.
    quietReqLogger: true,
    quietResLogger: true,
    customLogLevel: (_request, response, error) => (error || response.statusCode >= 500 ? "error" : "info"),
    customSuccessObject: (request, response, logged: { responseTime: number }) => requestSummary(request as Request, response, logged.responseTime),
    customErrorObject: (request, response, _error, logged: { responseTime: number }) =>
      requestSummary(request as Request, response, logged.responseTime),
    customSuccessMessage: (_request, response) => (response.writableFinished ? "request completed" : "request aborted"),
    customErrorMessage: (_request, response) => (response.writableFinished ? "request completed" : "request aborted"),
  }) as unknown as RequestHandler;
}

function requestSummary(request: Request, response: ServerResponse, durationMs: number) {
  const userId = request.session?.auth?.user.id;
  return {
    method: request.method,
    route: routePattern(request) ?? pathOf(request).slice(0, MAX_LOGGED_PATH),
    status: response.statusCode,
    durationMs,
    ...(typeof userId === "number" ? { userId } : {}),
  };
}
