// REST endpoints read with a user token: /user, /user/emails, /user/orgs, /user/memberships/orgs/:org.
// OAuth tokens without the needed scope get 404, not 403 (GitHub hides what the token may not see).
import express, { type Request, type Response, type Router } from "express";
import { apiCaller, authenticateUser, type ApiCaller } from "./api-caller.js";
import { etagFor, ifNoneMatchHits, notFoundBody } from "./api-response.js";
import type { RateLimiter } from "./rate-limit.js";
import { apiBase, webBase } from "./request-context.js";
import { hasScope } from "./scopes.js";
import type { EmulatorState } from "./state.js";
import { orgJson, userJson, type Bases } from "./user-json.js";

const ORG_SCOPES = ["read:org"]; // write:org and admin:org cover it

export function userRoutes(store: EmulatorState, limiter: RateLimiter): Router {
  const router = express.Router();
  router.use("/user", authenticateUser(store, limiter));

  router.get("/user", (request, response) => {
    const { user, token, isOAuthApp } = apiCaller(response);
    const privateView = !isOAuthApp || hasScope(token.scopes, "user");
    send(request, response, limiter, ["user"], 200, userJson(user, bases(response), privateView));
  });

  router.get("/user/emails", (request, response) => {
    const { user, token, isOAuthApp } = apiCaller(response);
    // GitHub App user tokens are assumed to hold the "Email addresses" permission.
    if (isOAuthApp && !hasScope(token.scopes, "user:email")) {
      send(request, response, limiter, ["user", "user:email"], 404, notFoundBody());
      return;
    }
    send(request, response, limiter, ["user", "user:email"], 200, user.emails.map((email) => ({ ...email })));
  });

  router.get("/user/orgs", (request, response) => {
    const { user } = apiCaller(response);
    send(request, response, limiter, ["admin:org", "read:org", "user", "write:org"], 200, user.orgs.map((org) => orgJson(org, bases(response))));
  });

  router.get("/user/memberships/orgs/:org", (request, response) => {
    const { user, token, isOAuthApp } = apiCaller(response);
    const wanted = String(request.params.org).toLowerCase();
    const org = user.orgs.find((name) => name.toLowerCase() === wanted);
    const accepted = ["admin:org", "read:org", "repo", "user", "write:org"];
    if (!org || (isOAuthApp && !ORG_SCOPES.some((scope) => hasScope(token.scopes, scope)))) {
      send(request, response, limiter, accepted, 404, notFoundBody());
      return;
    }
    const base = bases(response);
    send(request, response, limiter, accepted, 200, {
      url: `${base.api}/orgs/${org}/memberships/${user.login}`,
      state: "active",
      role: "member",
      organization_url: `${base.api}/orgs/${org}`,
      organization: orgJson(org, base),
      user: { login: user.login, id: user.id },
    });
  });

  return router;
}

function bases(response: Response): Bases {
  return { web: webBase(response), api: apiBase(response) };
}

/**
 * Answers with the scope, rate-limit and caching headers GitHub sends. A matching If-None-Match gets
 * 304 without a body and without using up the rate limit (the request carried an Authorization header).
 */
function send(request: Request, response: Response, limiter: RateLimiter, acceptedScopes: string[], status: number, body: unknown): void {
  const caller: ApiCaller = apiCaller(response);
  if (caller.isOAuthApp) {
    response.setHeader("X-OAuth-Scopes", caller.token.scopes.join(", "));
    response.setHeader("X-Accepted-OAuth-Scopes", acceptedScopes.join(", "));
  }
  const text = JSON.stringify(body);
  if (status === 200) {
    const etag = etagFor(text, caller.token.token);
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
