// stats.tokenRequests and stats.apiRequests: recorded on arrival (so the order is arrival order,
// even for concurrent requests) and completed when the answer is known.
import type { RequestHandler, Response } from "express";
import { mergedParams, paramsAsText, stringParam } from "./params.js";
import type { EmulatorStats, TokenRequestRecord } from "./types.js";

const TOKEN_RECORD = "emulatorTokenRecord";
const PENDING = "pending";
const API_PREFIX = "/api/v3";

/** For POST /login/oauth/access_token; runs after the body parsers and before injected faults. */
export function recordTokenRequests(stats: EmulatorStats): RequestHandler {
  return (request, response, next) => {
    const params = mergedParams(request.query, request.body);
    const record: TokenRequestRecord = {
      grantType: stringParam(params, "grant_type") ?? "",
      params: paramsAsText(params),
      contentType: request.get("content-type") ?? "",
      accept: request.get("accept") ?? "",
      outcome: PENDING,
    };
    stats.tokenRequests.push(record);
    response.locals[TOKEN_RECORD] = record;
    // Still pending when the connection closes: an injected fault answered instead of the route.
    response.on("close", () => {
      if (record.outcome === PENDING) record.outcome = "fault";
    });
    next();
  };
}

export function setTokenOutcome(response: Response, outcome: string): void {
  const record = response.locals[TOKEN_RECORD] as TokenRequestRecord | undefined;
  if (record) record.outcome = outcome;
}

/** Mounted at /api/v3. `path` is the path inside the emulator, without the query. */
export function recordApiRequests(stats: EmulatorStats): RequestHandler {
  return (request, response, next) => {
    const record = {
      method: request.method,
      path: `${API_PREFIX}${request.path}`,
      ifNoneMatch: request.get("if-none-match") ?? null,
      authorization: request.get("authorization") ?? null,
      status: 0,
    };
    stats.apiRequests.push(record);
    response.on("close", () => {
      record.status = response.headersSent ? response.statusCode : 0;
    });
    next();
  };
}
