// GET /users/{username}: anyone's public profile, no token needed (GitHub answers it without
// authentication, within 60 requests an hour per address; that budget is not modelled here).
// Unknown logins get 404 like any missing resource.
import express, { type Router } from "express";
import { notFoundBody, sendApiError } from "./api-response.js";
import { apiBase, webBase } from "./request-context.js";
import type { EmulatorState } from "./state.js";
import { userJson } from "./user-json.js";

export function publicUserRoutes(store: EmulatorState): Router {
  const router = express.Router();
  router.get("/users/:username", (request, response) => {
    const user = store.userByLogin(String(request.params.username));
    if (!user) {
      sendApiError(response, 404, notFoundBody());
      return;
    }
    response.json(userJson(user, { web: webBase(response), api: apiBase(response) }, false));
  });
  return router;
}
