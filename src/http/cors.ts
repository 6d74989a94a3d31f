// CORS for /api/*: only the origins in CORS_ORIGINS may call with credentials (the session
// cookie); any other origin gets no CORS headers, so browsers keep its scripts from reading the
// answers. Run before everything else under /api (by Express, and by the read paths: read-paths.ts),
// so 401 and 403 answers carry the headers too and a single-page app on an allowed origin can react
// to them.
import cors from "cors";
import { RETURNED_RESPONSE_HEADERS } from "../github/proxy.js";
import type { Middleware } from "./security-headers.js";

export function apiCors(allowedOrigins: string[], proxyMethods: string[]): Middleware {
  const allowed = new Set(allowedOrigins);
  const corsAnswer: Middleware = cors({
    origin: (origin, decide) => decide(null, origin !== undefined && allowed.has(origin)),
    credentials: true,
    methods: [...new Set(["GET", "HEAD", ...proxyMethods])],
    allowedHeaders: ["Accept", "Content-Type", "If-None-Match", "If-Modified-Since", "X-GitHub-Api-Version", "X-Requested-With"],
    exposedHeaders: [...RETURNED_RESPONSE_HEADERS.filter((name) => name !== "content-type"), "retry-after"],
    maxAge: 600,
  });
  // Without an Origin there is nothing to allow (cors would pass it on untouched): most calls, from
  // programs and proxies, skip its per-request work.
  return (request, response, next) => (request.headers.origin === undefined ? next() : corsAnswer(request, response, next));
}
