// How the REST API answers: the headers every answer carries, GitHub's error bodies, and
// conditional requests (a strong ETag per body *and* token; a 304 does not use up rate limit).
import { createHash, randomBytes } from "node:crypto";
import type { Request, RequestHandler, Response } from "express";

export const REST_DOCS = "https://docs.github.com/rest";
const RATE_LIMIT_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api";

/** X-GitHub-Request-Id looks like "2BD2:354ED0:460A51E:4C0847F:6A9538EC" (colon-separated hex). */
function requestId(): string {
  return [2, 3, 4, 4, 4].map((bytes) => randomBytes(bytes).toString("hex").toUpperCase()).join(":");
}

export const apiCommonHeaders: RequestHandler = (_request, response, next) => {
  response.setHeader("X-GitHub-Request-Id", requestId());
  response.setHeader("X-GitHub-Media-Type", "github.v3; format=json");
  response.setHeader("Vary", "Accept, Authorization, Cookie");
  next();
};

/** GitHub rejects API requests without a User-Agent [docs: troubleshooting-the-rest-api]. */
export const requireUserAgent: RequestHandler = (request, response, next) => {
  if (request.get("user-agent")) return next();
  sendApiError(response, 403, {
    message:
      "Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). Check https://developer.github.com for other possible causes.",
  });
};

export function sendApiError(response: Response, status: number, body: Record<string, string>): void {
  response.status(status).type("application/json; charset=utf-8").send(JSON.stringify(body));
}

export const notFoundBody = (): Record<string, string> => ({ message: "Not Found", documentation_url: REST_DOCS });

export const badCredentialsBody = (): Record<string, string> => ({
  message: "Bad credentials",
  documentation_url: REST_DOCS,
  status: "401",
});

export const rateLimitedBody = (userId: number): Record<string, string> => ({
  message: `API rate limit exceeded for user ID ${userId}.`,
  documentation_url: RATE_LIMIT_DOCS,
  status: "403",
});

/** Strong ETag over the body and the token, so two tokens never share one (observed on GitHub). */
export function etagFor(body: string, token: string): string {
  return `"${createHash("sha256").update(body).update("\0").update(token).digest("hex")}"`;
}

/** If-None-Match may list several tags, weak ones, or "*"; If-None-Match compares weakly (RFC 9110). */
export function ifNoneMatchHits(request: Request, etag: string): boolean {
  const header = request.get("if-none-match");
  if (!header) return false;
  return header.split(",").some((tag) => {
    const trimmed = tag.trim();
    return trimmed === "*" || trimmed.replace(/^W\//, "") === etag;
  });
}
