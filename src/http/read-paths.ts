// The read paths, GET and HEAD of /auth/check, /api/me and /api/session, answered wholly here on
// node:http, never by Express. A reverse proxy asks /auth/check before every request to every
// protected app (static files included), and programs ask /api/me as often, so what Express costs
// per request (building its req and res, the router) would be added to every page those apps
// serve; measured, it was more than everything else a check does (docs/internals-performance.md).
//
// Everything in front of every route has already run in the front door (front-door.ts: request id,
// log line, metrics, the host and its refusals). The routes' own work is the same functions every
// Express route uses (allowed-session.ts, session-reader.ts, the access gate); what is here is only
// how an answer is written: the data security headers, CORS under /api (the same middleware
// Express runs for the other /api routes), JSON with a weak ETag and 304 to a matching
// If-None-Match (as Express's res.json, with the packages Express uses), and every error through
// writeError, as Express's error handler writes it.
import { validateHeaderValue, type IncomingMessage, type ServerResponse } from "node:http";
import etag from "etag";
import fresh from "fresh";
import type { WriteError } from "./error-answer.js";
import { REQUEST_ID_HEADER } from "./request-logging.js";
import { requestPath } from "./route-label.js";
import { ROUTES, type ReadPathName, type RouteSpec } from "./route-table.js";
import type { Middleware } from "./security-headers.js";

/** What a read path answers: 204 with headers (who is signed in), or 200 with a JSON body. */
export type ReadAnswer = { status: 204; headers: [string, string][] } | { status: 200; json: unknown };

/** A read path's own work: the answer, or a throw (an AppError, a store outage…) that writeError answers. */
export type ReadPathHandler = (request: IncomingMessage, response: ServerResponse) => Promise<ReadAnswer>;

export interface ReadPath {
  name: ReadPathName;
  /** The route table's path, which also labels the request's log line and metrics. */
  path: string;
  /** Under /api: CORS applies (CORS_ORIGINS). */
  cors: boolean;
  /** The path as Express would match it: in any case, with or without one trailing slash. */
  pattern: RegExp;
}

const READ_PATHS: ReadPath[] = (Object.entries(ROUTES) as [ReadPathName, RouteSpec][])
  .filter(([, route]) => route.answer === "read")
  .map(([name, { path }]) => ({
    name,
    path,
    cors: path.startsWith("/api/"),
    pattern: new RegExp(`^${path.replaceAll("/", "\\/")}\\/?$`, "i"),
  }));
/** The spelling nearly every request uses, found without a pattern. */
const BY_PATH = new Map(READ_PATHS.map((readPath) => [readPath.path, readPath]));

/**
 * The read path a request is for, or null: GET or HEAD (Express answers HEAD from a GET route too),
 * its path read from the request line as Express reads it (parseurl: the absolute form's path, no
 * query or fragment, no decoding) and matched as Express matches a route. Any other spelling
 * (`//api/me`, `/api/m%65`) and every other method goes on to Express, which answers it as before:
 * 404, or 405 with Allow.
 */
export function readPathOf(request: IncomingMessage): ReadPath | null {
  if (request.method !== "GET" && request.method !== "HEAD") return null;
  const path = requestPath(request);
  if (!path) return null;
  const exact = BY_PATH.get(path);
  if (exact) return exact;
  for (const readPath of READ_PATHS) if (readPath.pattern.test(path)) return readPath;
  return null;
}

export interface ReadPathsDependencies {
  handlers: Record<ReadPathName, ReadPathHandler>;
  /** The data set of security headers and Cache-Control (security-headers.ts), in order. */
  dataHeaders: [string, string][];
  /** CORS for /api/* (cors.ts). */
  apiCors: Middleware;
  writeError: WriteError;
}

/** Answers a request readPathOf() named; `requestId` is the front door's, for X-Request-Id. */
export type AnswerReadPath = (request: IncomingMessage, response: ServerResponse, readPath: ReadPath, requestId: string) => void;

export function readPaths(deps: ReadPathsDependencies): AnswerReadPath {
  const { handlers, dataHeaders, apiCors, writeError } = deps;
  const fixedHeaders = dataHeaders.flat();
  const fail = (request: IncomingMessage, response: ServerResponse, requestId: string, error: unknown) => {
    // Set one by one on the error path: an error page upgrades them to the page set (render.ts).
    if (!response.headersSent) {
      response.setHeader(REQUEST_ID_HEADER, requestId);
      for (const [name, value] of dataHeaders) response.setHeader(name, value);
    }
    writeError(request, response, error);
  };
  const answer = async (request: IncomingMessage, response: ServerResponse, readPath: ReadPath, requestId: string) => {
    try {
      write(request, response, await handlers[readPath.name](request, response), [REQUEST_ID_HEADER, requestId, ...fixedHeaders]);
    } catch (error) {
      fail(request, response, requestId, error);
    }
  };
  return (request, response, readPath, requestId) => {
    if (!readPath.cors) return void answer(request, response, readPath, requestId);
    apiCors(request, response, (error) =>
      error ? fail(request, response, requestId, error) : void answer(request, response, readPath, requestId),
    );
  };
}

/**
 * The answer, its headers as one flat list to writeHead: with nothing set before (no cookie to
 * write, no CORS), node:http takes the list as it is, the cheapest way it writes headers. A value
 * node:http would refuse is refused before anything is written, so the error answer is whole.
 */
function write(request: IncomingMessage, response: ServerResponse, answered: ReadAnswer, headers: string[]): void {
  if (answered.status === 204) {
    for (const [name, value] of answered.headers) {
      validateHeaderValue(name, value);
      headers.push(name, value);
    }
    response.writeHead(204, headers);
    response.end();
    return;
  }
  const body = Buffer.from(JSON.stringify(answered.json));
  const tag = etag(body, { weak: true });
  headers.push("ETag", tag);
  if (fresh(request.headers, { etag: tag })) {
    response.writeHead(304, headers);
    response.end();
    return;
  }
  headers.push("Content-Type", "application/json; charset=utf-8", "Content-Length", String(body.length));
  response.writeHead(200, headers);
  // node:http leaves the body out of an answer to HEAD.
  response.end(body);
}
