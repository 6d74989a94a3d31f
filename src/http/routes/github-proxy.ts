// GET|HEAD /api/github/* (and other methods listed in GITHUB_PROXY_METHODS, which must then also be
// same-origin): acts as the signed-in user against GitHub's REST API, refreshing the token as
// needed, and streams GitHub's status, body and rate-limit headers back. GitHub's Content-Type is
// kept, so every answer here, this server's refusals included, carries the data headers: what
// GitHub (or whoever wrote a file GitHub serves raw) sends can never act as a page of this origin.
import { Readable } from "node:stream";
import express, { Router, type Request, type Response as ExpressResponse } from "express";
import type { TokenRefresher } from "../../auth/token-refresh.js";
import type { Config } from "../../config/config.js";
import { AppError, badRequest, unauthenticated } from "../../errors.js";
import { forwardToGitHub, RETURNED_RESPONSE_HEADERS, safeApiPath } from "../../github/proxy.js";
import type { HostResolver } from "../request-host.js";
import { requireSameOrigin } from "../same-origin.js";
import { dataHeaders } from "../security-headers.js";
import type { AllowedSessions } from "../allowed-session.js";

const SAFE_METHODS = new Set(["GET", "HEAD"]);
const MAX_FORWARDED_BODY = "1mb";

/** `githubFetch`: how calls reach GitHub (metered in the app: see metrics/github-fetch.ts). */
export function githubProxyRoutes(
  config: Config,
  sessions: AllowedSessions,
  refresher: TokenRefresher,
  hosts: HostResolver,
  githubFetch: typeof fetch = globalThis.fetch,
): Router {
  const router = Router();
  const allowed = config.github.proxyMethods;
  const sameOrigin = requireSameOrigin(hosts, config.corsOrigins);

  router.use("/api/github", dataHeaders(config));
  router.use("/api/github", (request, response, next) => {
    if (!allowed.includes(request.method)) {
      response.setHeader("Allow", allowed.join(", "));
      return next(new AppError("method_not_allowed", `Only ${allowed.join(", ")} are forwarded to GitHub.`));
    }
    if (SAFE_METHODS.has(request.method)) return next();
    // A body is buffered (bounded) so the request can be replayed once after a token refresh.
    sameOrigin(request, response, (error?: unknown) =>
      error ? next(error) : express.raw({ type: () => true, limit: MAX_FORWARDED_BODY })(request, response, next),
    );
  });

  router.use("/api/github", async (request, response) => {
    const session = await sessions.allowed(request, response);
    if (!session) throw unauthenticated();
    const { sessionId, record } = session;
    const [rawPath = "/", query] = splitUrl(request.url);
    const apiPath = safeApiPath(rawPath);
    if (apiPath === null) throw badRequest("This path cannot be forwarded to GitHub.");
    const { result: upstream } = await refresher.withUserToken(sessionId, record, (accessToken) =>
      forwardToGitHub(
        config.github,
        {
          method: request.method,
          apiPath,
          search: query ? `?${query}` : "",
          headers: request.headers,
          body: Buffer.isBuffer(request.body) ? request.body : undefined,
        },
        accessToken,
        githubFetch,
      ),
    );
    await stream(upstream, request, response);
  });

  return router;
}

function splitUrl(url: string): [string | undefined, string | undefined] {
  const index = url.indexOf("?");
  return index === -1 ? [url, undefined] : [url.slice(0, index), url.slice(index + 1)];
}

async function stream(upstream: globalThis.Response, request: Request, response: ExpressResponse): Promise<void> {
  response.status(upstream.status);
  for (const name of RETURNED_RESPONSE_HEADERS) {
    const value = upstream.headers.get(name);
    if (value !== null) response.setHeader(name, value);
  }
  if (!upstream.body || request.method === "HEAD") {
    await upstream.body?.cancel();
    response.end();
    return;
  }
  await new Promise<void>((resolve) => {
    const body = Readable.fromWeb(upstream.body as import("node:stream/web").ReadableStream);
    body.on("error", () => response.destroy());
    response.on("close", () => {
      body.destroy();
      resolve();
    });
    body.pipe(response);
  });
}
