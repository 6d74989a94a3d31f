// CORS for /api/*: only the origins in CORS_ORIGINS may call with credentials (the session
// cookie); any other origin gets no CORS headers, so browsers keep its scripts from reading the
// answers. Mounted before everything else under /api, so 401 and 403 answers carry the headers too
// and a single-page app on an allowed origin can react to them.
import cors from "cors";
import type { RequestHandler } from "express";
import { RETURNED_RESPONSE_HEADERS } from "../github/proxy.js";

export function apiCors(allowedOrigins: string[], proxyMethods: string[]): RequestHandler {
  const allowed = new Set(allowedOrigins);
  return cors({
    origin: (origin, decide) => decide(null, origin !== undefined && allowed.has(origin)),
    credentials: true,
    methods: [...new Set(["GET", "HEAD", ...proxyMethods])],
    allowedHeaders: ["Accept", "Content-Type", "If-None-Match", "If-Modified-Since", "X-GitHub-Api-Version", "X-Requested-With"],
    exposedHeaders: [...RETURNED_RESPONSE_HEADERS.filter((name) => name !== "content-type"), "retry-after"],
    maxAge: 600,
  });
}
