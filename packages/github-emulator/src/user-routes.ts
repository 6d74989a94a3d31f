// REST endpoints about the user themself, read with a user token: /user and /user/emails.
// OAuth tokens without the needed scope get 404, not 403 (GitHub hides what the token may not see).
import express, { type Response, type Router } from "express";
import { apiCaller, authenticateUser } from "./api-caller.js";
import { notFoundBody } from "./api-response.js";
import { send } from "./api-send.js";
import type { RateLimiter } from "./rate-limit.js";
import { apiBase, webBase } from "./request-context.js";
import { hasScope } from "./scopes.js";
import type { EmulatorState } from "./state.js";
import { userJson, type Bases } from "./user-json.js";

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
    send(
      request,
      response,
      limiter,
      ["user", "user:email"],
      200,
      user.emails.map((email) => ({ ...email })),
    );
  });

  return router;
}

function bases(response: Response): Bases {
  return { web: webBase(response), api: apiBase(response) };
}
