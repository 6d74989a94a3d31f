// GET /auth/check and GET /api/me answered on node:http, in front of Express. A reverse proxy asks
// /auth/check before every request to every protected app (static files included), so what
// Express costs per request (building req and res, the router) would be added to every page those
// apps serve; measured, it was more than everything else a check does.
//
// Only the plain case is answered here: a GET for a host of ours, carrying a credential, whose
// session is read in its one store round trip and needs nothing more, no write (no expiry to slide,
// no cookie to sign again, SESSION_MAX_AGE not reached), no wait (nothing due for revalidation or,
// on /api/me, refresh) and no refusal. It is the same read and the same decision as the routes
// make (session-reader.ts, allowed-session.ts), and the same headers, log line and metrics.
// Every other request goes on to Express untouched, before anything is written; when a session
// was read, that read is handed over, so Express makes no second round trip. Express then answers
// whatever is not plain: 401, 403, 400, 421, 503, the sliding expiry, revalidation, HEAD, CORS
// preflights and conditional requests.
import { validateHeaderValue, type IncomingMessage, type ServerResponse } from "node:http";
import type { AdmitOptions } from "../auth/access-gate.js";
import type { AllowedSessions } from "./allowed-session.js";
import type { HostResolver, ProxyTrust } from "./request-host.js";
import { REQUEST_ID_HEADER, requestId, type RequestLogging } from "./request-logging.js";
import { ROUTES } from "./route-table.js";
import type { CheckAnswers } from "./routes/auth-check.js";
import type { SessionReader, SignedInSession } from "./session-reader.js";

export interface ReadPathsFirstDependencies {
  hosts: HostResolver;
  /** Express's compiled TRUST_PROXY, so the host is read as the Express path reads it (request-host.ts). */
  trust: ProxyTrust;
  sessions: SessionReader;
  allowed: AllowedSessions;
  check: CheckAnswers;
  logging: RequestLogging;
  /** The data answer's security headers and Cache-Control (security-headers.ts). */
  dataHeaders: [string, string][];
  /** Express's compiled ETag generator, for the same ETag res.json gives. */
  etag: (body: Buffer) => string;
  /** Told of each request for one of these paths that is passed on (gls_read_paths_passed_on_total). */
  passedOn: (path: string) => void;
}

/** Answers the request, or calls `passOn` (Express) having written nothing. */
export type FirstAnswer = (request: IncomingMessage, response: ServerResponse, passOn: () => void) => void;

type ReadPath = typeof ROUTES.authCheck.path | typeof ROUTES.currentUser.path;

export function readPathsFirst(deps: ReadPathsFirstDependencies): FirstAnswer {
  const fixedHeaders = deps.dataHeaders.flat();
  const answers: Record<ReadPath, (session: SignedInSession, options: AdmitOptions | undefined) => Answer> = {
    [ROUTES.authCheck.path]: (session, options) => ({ status: 204, headers: deps.check.identityHeaders(session.record, options?.routeRules ?? null).flat(), body: null }),
    [ROUTES.currentUser.path]: (session) => {
      const body = Buffer.from(JSON.stringify(session.record.user));
      const headers = ["Content-Type", "application/json; charset=utf-8", "Content-Length", String(body.length), "ETag", deps.etag(body)];
      return { status: 200, headers, body };
    },
  };

  return (request, response, passOn) => {
    const startedAt = performance.now();
    const path = readPathOf(request.url);
    if (path === null) return passOn();
    const host = isPlain(request, path) ? deps.hosts.read(request, deps.trust).host : null;
    const options = host ? admitOptions(deps.check, path, request.url!) : null;
    if (!host || !options) {
      deps.passedOn(path);
      return passOn();
    }

    const reading = deps.sessions.lookUp(request, host);
    const handOver = () => {
      deps.sessions.handOver(request, reading);
      deps.logging.startedEarlier(request, startedAt);
      deps.passedOn(path);
      passOn();
    };
    reading.then((named) => {
      const session = named && deps.allowed.allowedAtOnce(named, options.admit);
      if (!session) return handOver();
      const answer = answers[path](session, options.admit);
      const id = requestId(request.headers["x-request-id"]);
      const { status } = answer;
      // A value node:http will not send (a control character in a stored profile) goes to the
      // pipeline, whose error handler answers it. Checked first: writeHead would already have
      // marked a 204 as bodiless when it threw, and the error answer has a body.
      if (!sendable(answer.headers)) return handOver();
      response.writeHead(status, [REQUEST_ID_HEADER, id, ...fixedHeaders, ...answer.headers]);
      response.once("close", () => {
        const answered = { method: "GET", routePattern: path, status, durationMs: performance.now() - startedAt, finished: response.writableFinished };
        deps.logging.record(id, answered, session.record.user.id);
      });
      response.end(answer.body ?? undefined);
    }, handOver);
  };
}

/** Whether node:http accepts every value of this flat header list. */
function sendable(headers: string[]): boolean {
  try {
    for (let index = 0; index < headers.length; index += 2) validateHeaderValue(headers[index]!, headers[index + 1]!);
    return true;
  } catch {
    return false;
  }
}

interface Answer {
  status: number;
  /** Name, value, name, value… (node:http's flat list). */
  headers: string[];
  body: Buffer | null;
}

/** Which read path this request URL is for, written exactly so (Express would also match other spellings, which it answers). */
function readPathOf(url: string | undefined): ReadPath | null {
  if (url === undefined) return null;
  const queryStart = url.indexOf("?");
  const path = queryStart === -1 ? url : url.slice(0, queryStart);
  return path === ROUTES.authCheck.path || path === ROUTES.currentUser.path ? path : null;
}

/**
 * Whether this request could be the plain case: a GET carrying a credential. /api/me also must not
 * be a cross-origin call (CORS, cors.ts) nor a conditional request (Express answers 304).
 */
function isPlain({ method, headers }: IncomingMessage, path: ReadPath): boolean {
  if (method !== "GET" || (headers.cookie === undefined && headers.authorization === undefined)) return false;
  return path === ROUTES.authCheck.path || (headers.origin === undefined && headers["if-none-match"] === undefined && headers["if-modified-since"] === undefined);
}

/** /api/me's answer is the profile: a due revalidation or refresh is waited for (by the pipeline). */
const FOR_CURRENT_USER = { admit: { waitForGitHub: true } } as const;

/** What the route asks of the access gate; null when its rule is malformed (Express answers the 400). */
function admitOptions(check: CheckAnswers, path: ReadPath, url: string): { admit: AdmitOptions | undefined } | null {
  if (path === ROUTES.currentUser.path) return FOR_CURRENT_USER;
  try {
    const routeRules = check.routeRulesOf(url);
    return { admit: routeRules ? { routeRules } : undefined };
  } catch {
    return null;
  }
}
