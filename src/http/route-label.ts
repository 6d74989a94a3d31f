// Which route answered a request, as a pattern ("/api/me", "/api/github/*") rather than the URL
// itself: logs and metrics group by it, and a pattern never carries the query string (where the
// sign-in callback's `code` and `state` are) or an unbounded set of values.
import type { Request } from "express";
import { mountPattern } from "./route-table.js";

/** The matched route pattern, a mounted prefix like "/api/github/*", or null when nothing matched. */
export function routePattern(request: Request): string | null {
  const route = (request as { route?: { path?: unknown } }).route;
  if (typeof route?.path === "string") return `${request.baseUrl ?? ""}${route.path}`;
  return mountPattern(pathOf(request));
}

/** The request's path as the client sent it, without the query string. */
export function pathOf(request: Request): string {
  const url = request.originalUrl ?? request.url ?? "/";
  const queryStart = url.indexOf("?");
  return queryStart === -1 ? url : url.slice(0, queryStart);
}
