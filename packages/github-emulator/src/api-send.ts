// One way to answer a REST call made with a user token: the scope, rate-limit and caching headers
// GitHub sends, and conditional requests. Route modules share it so every answer behaves alike.
import type { Request, Response } from "express";
import { apiCaller } from "./api-caller.js";
import { etagFor, ifNoneMatchHits } from "./api-response.js";
import type { RateLimiter } from "./rate-limit.js";

/**
 * Answers `status` with `body`. `headers` (e.g. Link, X-GitHub-SSO) are sent too and, on a 200, feed
 * the ETag with the body, so a 304 never hides a change in them. A matching If-None-Match gets 304
 * without a body and without using up the rate limit (the request carried an Authorization header).
 */
export function send(
  request: Request,
  response: Response,
  limiter: RateLimiter,
  acceptedScopes: string[],
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const caller = apiCaller(response);
  if (caller.isOAuthApp) {
    response.setHeader("X-OAuth-Scopes", caller.token.scopes.join(", "));
    response.setHeader("X-Accepted-OAuth-Scopes", acceptedScopes.join(", "));
  }
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  const text = JSON.stringify(body);
  if (status === 200) {
    const tagged = Object.entries(headers)
      .map(([name, value]) => `\0${name.toLowerCase()}:${value}`)
      .join("");
    const etag = etagFor(text + tagged, caller.token.token);
    response.setHeader("ETag", etag);
    response.setHeader("Cache-Control", "private, max-age=60");
    if (ifNoneMatchHits(request, etag)) {
      limiter.setHeaders(response, caller.user.id);
      response.status(304).end();
      return;
    }
  }
  limiter.consume(caller.user.id);
  limiter.setHeaders(response, caller.user.id);
  response.status(status).type("application/json; charset=utf-8").send(text);
}
