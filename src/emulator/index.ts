// The built-in GitHub emulator: a real Express app answering like GitHub's OAuth endpoints and the
// REST endpoints a login server uses, quirks included. Mounted
// at /_emulator in demo mode, and started on a free port by tests.
import express, { type ErrorRequestHandler } from "express";
import { apiRoutes } from "./api-routes.js";
import { authorizeRoutes } from "./authorize-routes.js";
import { avatarRoutes } from "./avatar.js";
import { FaultInjector } from "./faults.js";
import { resolveOptions } from "./options.js";
import { RateLimiter } from "./rate-limit.js";
import { requestContext } from "./request-context.js";
import { recordApiRequests, recordTokenRequests } from "./request-records.js";
import { EmulatorState } from "./state.js";
import { TOKEN_PATH, tokenRoute } from "./token-route.js";
import type { Emulator, EmulatorOptions, EmulatorStats } from "./types.js";
import { createViews, STYLESHEET_PATH } from "./views.js";

export type {
  ApiRequestRecord,
  Emulator,
  EmulatorCallbackUrl,
  EmulatorClient,
  EmulatorEmail,
  EmulatorOptions,
  EmulatorStats,
  EmulatorUser,
  FaultSpec,
  TokenRequestRecord,
} from "./types.js";
export { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_USERS, demoClient } from "./demo-data.js";

const BODY_LIMIT = "100kb";

export function createEmulator(options: EmulatorOptions): Emulator {
  const resolved = resolveOptions(options);
  const store = new EmulatorState(resolved.clients, resolved.users, resolved.clock, resolved.lifetimes);
  const limiter = new RateLimiter(resolved.clock, resolved.rateLimitPerHour);
  const faults = new FaultInjector();
  const stats: EmulatorStats = { codeExchanges: 0, refreshes: 0, refreshTokenReuses: 0, tokenRequests: [], apiRequests: [] };

  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false); // the API computes its own per-token ETags
  app.use(requestContext(resolved.clock, resolved.webBaseUrl));
  app.use("/api/v3", recordApiRequests(stats));
  app.use(express.urlencoded({ extended: false, limit: BODY_LIMIT }));
  app.use(express.json({ limit: BODY_LIMIT, type: ["application/json", "application/*+json"] }));
  app.post(TOKEN_PATH, recordTokenRequests(stats));
  app.use(faults.middleware());
  app.get("/assets/emulator.css", (_request, response) => response.sendFile(STYLESHEET_PATH));
  app.use(avatarRoutes(store));
  app.use(authorizeRoutes(store, createViews()));
  app.use(tokenRoute(store, stats));
  app.use("/api/v3", apiRoutes(store, limiter));
  app.use((_request, response) => {
    response.status(404).type("text/plain").send("Not Found");
  });
  app.use(answerErrors);

  const userNamed = (login: string) => {
    const user = store.userByLogin(login);
    if (!user) throw new Error(`emulator: no user with login ${login}`);
    return user;
  };

  return {
    app,
    stats,
    resetStats() {
      // In place, so references to `emulator.stats` taken earlier stay current.
      Object.assign(stats, { codeExchanges: 0, refreshes: 0, refreshTokenReuses: 0 });
      stats.tokenRequests.length = 0;
      stats.apiRequests.length = 0;
    },
    injectFault: (fault) => faults.add({ ...fault }),
    clearFaults: () => faults.clear(),
    revokeAuthorization: (login, clientId) => store.revokeAuthorization(userNamed(login).id, clientId),
    setRateLimitRemaining: (login, remaining) => limiter.setRemaining(userNamed(login).id, remaining),
    issuedAccessTokens: () => [...store.issuedAccessTokens],
    issuedRefreshTokens: () => [...store.issuedRefreshTokens],
  };
}

/** Bad input never crashes the emulator: body-parser errors keep their 4xx, anything else is a 500. */
const answerErrors: ErrorRequestHandler = (error: unknown, _request, response, next) => {
  if (response.headersSent) return next(error);
  const { status, type } = (error ?? {}) as { status?: unknown; type?: unknown };
  const clientError = typeof status === "number" && status >= 400 && status < 500;
  const message = type === "entity.parse.failed" ? "Problems parsing JSON" : clientError ? "Bad Request" : "Emulator error";
  response.status(clientError ? status : 500).json({ message });
};
