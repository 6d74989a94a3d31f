// stats.authorizeRequests, stats.tokenRequests and stats.apiRequests: recorded on arrival (so the order is arrival order,
// even for concurrent requests) and completed when the answer is known. Each list is a ring of the
// most recent limits.records entries, and no entry holds a secret (see redaction.ts).
import type { RequestHandler, Response } from "express";
import { pushBounded } from "./bounded.js";
import { asObject, mergedParams, paramsAsText, stringParam } from "./params.js";
import { recordedParams, redactedAuthorization, shortened } from "./redaction.js";
import type { ApiRequestRecord, EmulatorStats, TokenRequestRecord } from "./types.js";

const TOKEN_RECORD = "emulatorTokenRecord";
const PENDING = "pending";
const API_PREFIX = "/api/v3";

const headerText = (value: string | undefined): string => shortened(value ?? "");

/** For GET /login/oauth/authorize: what the page was asked for (prompt=select_account, login, scope, …). */
export function recordAuthorizeRequests(stats: EmulatorStats, cap: number): RequestHandler {
  return (request, _response, next) => {
    pushBounded(stats.authorizeRequests, { params: recordedParams(paramsAsText(asObject(request.query))) }, cap);
    next();
  };
}

/** For POST /login/oauth/access_token; runs after the body parsers and before injected faults. */
export function recordTokenRequests(stats: EmulatorStats, cap: number): RequestHandler {
  return (request, response, next) => {
    const params = mergedParams(request.query, request.body);
    const record: TokenRequestRecord = {
      grantType: shortened(stringParam(params, "grant_type") ?? ""),
      params: recordedParams(paramsAsText(params)),
      contentType: headerText(request.get("content-type")),
      accept: headerText(request.get("accept")),
      outcome: PENDING,
    };
    pushBounded(stats.tokenRequests, record, cap);
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
export function recordApiRequests(stats: EmulatorStats, cap: number): RequestHandler {
  return (request, response, next) => {
    const ifNoneMatch = request.get("if-none-match");
    const authorization = request.get("authorization");
    const record: ApiRequestRecord = {
      method: request.method,
      path: shortened(`${API_PREFIX}${request.path}`),
      ifNoneMatch: ifNoneMatch === undefined ? null : shortened(ifNoneMatch),
      authorization: authorization === undefined ? null : redactedAuthorization(authorization),
      status: 0,
    };
    pushBounded(stats.apiRequests, record, cap);
    response.on("close", () => {
      record.status = response.headersSent ? response.statusCode : 0;
    });
    next();
  };
}
