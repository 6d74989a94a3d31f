// Which route answered a request, as a pattern ("/api/me", "/api/github/*") rather than the URL
// itself: logs and metrics group by it, and a pattern never carries the query string (where the
// sign-in callback's `code` and `state` are) or an unbounded set of values.
import type { IncomingMessage } from "node:http";
import parseurl from "parseurl";
import { mountPattern } from "./route-table.js";

/**
 * The request's path as Express reads it (parseurl: an absolute-form request line's path, no query
 * or fragment, no decoding); null when the request line cannot be read as an address at all
 * (`GET http://[::1/ HTTP/1.1`), which the front door refuses.
 */
export function requestPath(request: IncomingMessage): string | null {
  try {
    return parseurl(request)?.pathname ?? null;
  } catch {
    return null;
  }
}

/**
 * The route pattern Express matched (its documented req.route and req.baseUrl, on the request it
 * routed), a mounted prefix like "/api/github/*", or null when nothing matched. `url`: the request's
 * URL as it arrived.
 */
export function routePattern(request: IncomingMessage, url: string): string | null {
  const { route, baseUrl } = request as { route?: { path?: unknown }; baseUrl?: string };
  if (typeof route?.path === "string") return `${baseUrl ?? ""}${route.path}`;
  return mountPattern(withoutQuery(url));
}

/** A request URL without its query string. */
export function withoutQuery(url: string): string {
  const queryStart = url.indexOf("?");
  return queryStart === -1 ? url : url.slice(0, queryStart);
}
