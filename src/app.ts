// createApp(deps): middleware order, routes and the error handler. No I/O happens here; the
// composition root (server.ts) or a test hands in the storage, the GitHub client and the clock.
import express, { type Express } from "express";
import type { Logger } from "pino";
import { createAccessGate } from "./auth/access-gate.js";
import { createRevalidation } from "./auth/revalidation.js";
import { createRevocationCheck } from "./auth/revocation-check.js";
import { createSessionEndings } from "./auth/session-endings.js";
import { SignInAttempts } from "./auth/sign-in-attempt.js";
import { createSignInFlow } from "./auth/sign-in-flow.js";
import { createTokenRefresher, type RefreshOutcome } from "./auth/token-refresh.js";
import { BackgroundTasks } from "./background-tasks.js";
import type { Clock } from "./clock.js";
import type { Config } from "./config/config.js";
import { EMULATOR_MOUNT_PATH } from "./config/load-config.js";
import type { GitHubClient } from "./github/client.js";
import { allowedSessions } from "./http/allowed-session.js";
import { apiCors } from "./http/cors.js";
import { createErrorHandler, notFoundHandler } from "./http/error-handler.js";
import { refuseOtherMethods } from "./http/method-not-allowed.js";
import { rateLimitByIp } from "./http/rate-limit.js";
import { createPageRenderer } from "./http/render.js";
import { requestLogging } from "./http/request-logging.js";
import { currentUser, sessionDetails } from "./http/routes/api.js";
import { authCheck } from "./http/routes/auth-check.js";
import { authRoutes } from "./http/routes/auth.js";
import { githubProxyRoutes } from "./http/routes/github-proxy.js";
import { healthRoutes } from "./http/routes/health.js";
import { homeRoutes } from "./http/routes/home.js";
import { webhookRoutes } from "./http/routes/webhooks.js";
import { noStore, securityHeaders } from "./http/security-headers.js";
import { createSessionMiddleware } from "./http/session-middleware.js";
import { createSessionReader } from "./http/signed-in-session.js";
import { storeOutagesAs503 } from "./http/store-outage.js";
import { meteredGitHubFetch } from "./github/metered-fetch.js";
import { countHttpRequests } from "./http/http-metrics.js";
import { createMetrics, type Metrics } from "./metrics.js";
import { metricsRoutes } from "./http/routes/metrics.js";
import { countSignIns, noteErrorsForMetrics } from "./http/error-outcomes.js";
import { assetsDirectory } from "./paths.js";
import { Sealer } from "./sealer.js";
import type { StorageBackend } from "./store/backend.js";

export interface AppDependencies {
  config: Config;
  clock: Clock;
  logger: Logger;
  storage: StorageBackend;
  github: GitHubClient;
  /** Demo mode only: the built-in GitHub emulator, served at /_emulator. */
  emulatorApp?: Express;
  /**
   * What /metrics serves; a fresh set when omitted. Calls the GitHub client makes are counted only
   * when its fetch reports to these same metrics (server.ts: meteredGitHubFetch).
   */
  metrics?: Metrics;
  /** Where revalidations started by requests run; server.ts lets them finish at shutdown. */
  background?: BackgroundTasks;
}

export function createApp(deps: AppDependencies): Express {
  const { config, clock, logger, storage, github } = deps;
  const metrics = deps.metrics ?? createMetrics();
  const entries = storage.sessionStore;
  const sealer = new Sealer(config.tokenEncryptionKeys);
  const attempts = new SignInAttempts(sealer, config.session.secureCookies);
  const signInFlow = createSignInFlow({ config, clock, github, attempts, oneTimeMarker: storage.oneTimeMarker });
  const endings = createSessionEndings({ entries, userSessions: storage.userSessions, github, sealer, logger });
  const onRefresh = (outcome: RefreshOutcome) => metrics.tokenRefreshes.inc({ outcome });
  const refresher = createTokenRefresher({ config, clock, github, sealer, entries, locks: storage.locks, logger, endSession: endings.endSession, onRefresh });
  const background = deps.background ?? new BackgroundTasks(logger);
  const revalidation = createRevalidation({ config, clock, github, entries, refresher, locks: storage.locks, logger, background, endSession: endings.endSession });
  const revocationCheck = createRevocationCheck({ entries, userSessions: storage.userSessions, github, refresher, endings, logger });
  const headers = securityHeaders(config);
  const pages = createPageRenderer({ demoMode: config.demoMode, beforeSend: headers.upgradeForPage });
  const sessions = createSessionReader(config, clock, entries);
  const allowed = allowedSessions(sessions, createAccessGate({ config, revalidation, refresher, logger }));

  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", config.trustProxy);
  app.use(requestLogging(logger, [countHttpRequests(metrics)]));
  app.use("/api", apiCors(config.corsOrigins, config.github.proxyMethods));
  // The read paths that programs and reverse proxies call on every request are plain routes at
  // the top of the app, with the headers for data answers: no router to enter and no other route
  // to walk past (measured: ~7 % less CPU per /auth/check than behind mounted routers).
  const forData = [headers.forData, noStore];
  app.get("/auth/check", ...forData, authCheck(allowed));
  app.get("/api/me", ...forData, currentUser(allowed));
  app.get("/api/session", ...forData, sessionDetails(allowed));
  app.use(headers.forPages);
  app.use("/assets", express.static(assetsDirectory, { index: false, maxAge: "1h", fallthrough: true }));
  app.use(noStore);
  app.use(healthRoutes(storage.checkReady));
  app.use(metricsRoutes(metrics.registry, config.metricsToken));
  app.get("/auth/github/callback", countSignIns(metrics));
  if (deps.emulatorApp) app.use(EMULATOR_MOUNT_PATH, deps.emulatorApp);
  app.use(webhookRoutes(config, revocationCheck));

  if (config.authRateLimit) {
    const { points, durationMs } = config.authRateLimit;
    app.use(["/auth/github", "/auth/logout"], rateLimitByIp(storage.rateLimiter("auth", points, durationMs)));
  }
  const sessionMiddleware = createSessionMiddleware(config, storage.sessionStore);
  app.use(homeRoutes(allowed, pages));
  app.use(authRoutes({ config, clock, sealer, attempts, signInFlow, userSessions: storage.userSessions, endings, sessions, sessionMiddleware }));
  app.use(githubProxyRoutes(config, allowed, refresher, meteredGitHubFetch(metrics, config.github)));

  refuseOtherMethods(app, {
    "/": ["GET", "HEAD"],
    "/auth/github": ["GET", "HEAD"],
    "/auth/github/callback": ["GET", "HEAD"],
    "/auth/logout": ["POST"],
    "/auth/check": ["GET", "HEAD"],
    "/api/me": ["GET", "HEAD"],
    "/api/session": ["GET", "HEAD"],
    "/healthz": ["GET", "HEAD"],
    "/readyz": ["GET", "HEAD"],
    "/metrics": ["GET", "HEAD"],
    "/webhooks/github": ["POST"],
  });
  app.use(notFoundHandler);
  app.use(storeOutagesAs503);
  app.use(noteErrorsForMetrics(metrics));
  app.use(createErrorHandler(logger, pages));
  return app;
}
