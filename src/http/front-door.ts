// The front door: the node:http listener the server listens with (createApp returns it). For every
// request, before any route and whoever answers it, it runs what runs in front of every route, by
// construction rather than by remembering to: the request id and the one log line with the HTTP
// metrics (request-logging.ts), then the host the request is for, refusing one that is not ours for
// certain (host-gate.ts), and a request line whose address cannot be read at all (400), which
// nothing after it could route. Then it hands the request to what answers it: the read paths (GET and
// HEAD of /auth/check, /api/me, /api/session) to read-paths.ts on node:http, everything else to
// Express (pages, sign-in, sessions, device, webhook, the GitHub proxy, OpenID Connect, 404, 405).
import type { IncomingMessage, ServerResponse } from "node:http";
import { badRequest } from "../errors.js";
import type { WriteError } from "./error-answer.js";
import type { hostGate } from "./host-gate.js";
import { readPathOf, type AnswerReadPath } from "./read-paths.js";
import { REQUEST_ID_HEADER, type BeginRequest } from "./request-logging.js";
import { requestPath } from "./route-label.js";
import type { Middleware } from "./security-headers.js";

export type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

export interface FrontDoorDependencies {
  begin: BeginRequest;
  refusal: ReturnType<typeof hostGate>;
  /** The page set of security headers: a host refusal is a page like any other (not to be framed…). */
  pageHeaders: Middleware;
  writeError: WriteError;
  readPaths: AnswerReadPath;
  /** Express, for everything that is not a read path. */
  rest: RequestListener;
}

export function frontDoor(deps: FrontDoorDependencies): RequestListener {
  const { begin, refusal, pageHeaders, writeError, readPaths, rest } = deps;
  return (request, response) => {
    const path = requestPath(request);
    const refused = path === null ? badRequest("The address in this request's request line cannot be read.") : refusal(request, path);
    const readPath = refused ? null : readPathOf(request);
    const id = begin(request, response, readPath?.path ?? null);
    // The read paths write the id with the rest of their headers, in one go (read-paths.ts).
    if (readPath) return readPaths(request, response, readPath, id);
    response.setHeader(REQUEST_ID_HEADER, id);
    if (refused) return pageHeaders(request, response, () => writeError(request, response, refused));
    rest(request, response);
  };
}
