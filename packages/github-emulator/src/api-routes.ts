// Everything under /api/v3 (GitHub Enterprise Server's REST layout, which octokit maps back to the
// web host by dropping "/api/v3").
import express, { type Router } from "express";
import { apiCommonHeaders, notFoundBody, requireUserAgent, sendApiError } from "./api-response.js";
import { appTokenRoutes } from "./app-token-routes.js";
import type { Directory } from "./directory.js";
import { listRoutes } from "./list-routes.js";
import { orgRoutes } from "./org-routes.js";
import { publicUserRoutes } from "./public-user-routes.js";
import type { RateLimiter } from "./rate-limit.js";
import { repoRoutes } from "./repo-routes.js";
import type { EmulatorState } from "./state.js";
import { userRoutes } from "./user-routes.js";

export function apiRoutes(store: EmulatorState, directory: Directory, limiter: RateLimiter): Router {
  const router = express.Router();
  router.use(apiCommonHeaders, requireUserAgent);
  router.use(appTokenRoutes(store));
  // The list and membership routes first: userRoutes authenticates everything under /user.
  router.use(listRoutes(store, directory, limiter));
  router.use(orgRoutes(store, directory, limiter));
  router.use(repoRoutes(store, directory, limiter));
  router.use(userRoutes(store, limiter));
  router.use(publicUserRoutes(store));
  router.use((_request, response) => sendApiError(response, 404, notFoundBody()));
  return router;
}
