// Everything under /api/v3 (GitHub Enterprise Server's REST layout, which octokit maps back to the
// web host by dropping "/api/v3").
import express, { type Router } from "express";
import { apiCommonHeaders, notFoundBody, requireUserAgent, sendApiError } from "./api-response.js";
import { appTokenRoutes } from "./app-token-routes.js";
import type { RateLimiter } from "./rate-limit.js";
import type { EmulatorState } from "./state.js";
import { userRoutes } from "./user-routes.js";

export function apiRoutes(store: EmulatorState, limiter: RateLimiter): Router {
  const router = express.Router();
  router.use(apiCommonHeaders, requireUserAgent);
  router.use(appTokenRoutes(store));
  router.use(userRoutes(store, limiter));
  router.use((_request, response) => sendApiError(response, 404, notFoundBody()));
  return router;
}
