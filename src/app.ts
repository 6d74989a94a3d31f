// createApp(services): the order a request passes through the server, and nothing else. What the
// routes are is the route table (http/route-table.ts); what they use is built by buildServices
// (services.ts). No I/O happens here. In front of all of it, the two read paths asked on every
// request of every protected app are answered without Express when they can be (read-paths-first.ts).
import type { IncomingMessage, ServerResponse } from "node:http";
import express, { type Express } from "express";
import { apiCors } from "./http/cors.js";
import { deviceLimits } from "./http/device-limits.js";
import { countSignIns, noteErrorsForMetrics } from "./http/error-outcomes.js";
import { createErrorHandler, notFoundHandler } from "./http/error-handler.js";
import { countHttpRequests } from "./http/http-metrics.js";
import { hostGate } from "./http/host-gate.js";
import { refuseOtherMethods } from "./http/method-not-allowed.js";
import { rateLimitByIp } from "./http/rate-limit.js";
import { readPathsFirst, type FirstAnswer } from "./http/read-paths-first.js";
import type { ProxyTrust } from "./http/request-host.js";
import { createPageRenderer } from "./http/render.js";
import { requestLogging } from "./http/request-logging.js";
import { allowedMethodsByPath, MOUNTS, registerRoutes, ROUTES, type RouteHandlers } from "./http/route-table.js";
import { currentUser, sessionDetails } from "./http/routes/api.js";
import { deviceRoutes } from "./http/routes/device.js";
import { authCheck, checkAnswers, type CheckAnswers } from "./http/routes/auth-check.js";
import { signInRoutes } from "./http/routes/auth.js";
import { handoffRoutes } from "./http/routes/handoff.js";
import { githubProxyRoutes } from "./http/routes/github-proxy.js";
import { health, readiness } from "./http/routes/health.js";
import { home, signedOutPage } from "./http/routes/home.js";
import { refusedPage } from "./http/routes/refused.js";
import { metricsEndpoint } from "./http/routes/metrics.js";
import { sessionRoutes } from "./http/routes/sessions.js";
import { webhook } from "./http/routes/webhooks.js";
import { noStore, securityHeaders } from "./http/security-headers.js";
import { createSessionMiddleware } from "./http/express-session-adapter.js";
import { storeOutagesAs503 } from "./http/store-outage.js";
import { assetsDirectory } from "./paths.js";
import type { Services } from "./services.js";
import { keepsSessionsInMemory } from "./config/demo-mode.js";

export interface AppOptions {
  /** Demo mode only: the built-in GitHub emulator, served at MOUNTS.emulator. */
  emulatorApp?: Express;
}

export function createApp(services: Services, options: AppOptions = {}): Express {
  const { config, logger, metrics, storage } = services;
  const headers = securityHeaders(config);
  const pages = createPageRenderer({ demoMode: config.demoMode, sessionsInMemory: keepsSessionsInMemory(config.redis), beforeSend: headers.upgradeForPage });
  const check = checkAnswers(config, logger);
  const handlers = routeHandlers(services, pages, check);
  const logging = requestLogging(logger, [countHttpRequests(metrics)]);
  const { authRateLimit } = config;
  const rateLimit = authRateLimit ? rateLimitByIp(storage.rateLimiter("auth", authRateLimit.points, authRateLimit.durationMs)) : null;

  const app = express();
  app.disable("x-powered-by");
  app.set("trust proxy", config.trustProxy);
  app.use(logging.middleware);
  app.use(hostGate(services.hosts, headers.forPages));
  app.use("/api", apiCors(config.corsOrigins, config.github.proxyMethods));
  // The read paths programs and reverse proxies call on every request come first, with the data
  // answer's headers: no router to enter, no other route to walk past (measured: ~7 % less CPU per
  // /auth/check than behind mounted routers).
  registerRoutes(app, "data", handlers, { before: [headers.forData, noStore], rateLimit });
  app.use(headers.forPages);
  app.use(MOUNTS.assets, express.static(assetsDirectory, { index: false, maxAge: "1h", fallthrough: true }));
  app.use(noStore);
  if (options.emulatorApp) app.use(MOUNTS.emulator, headers.forEmulatorPages, options.emulatorApp);
  // Counted from before the rate limit, so a refused callback counts as too_many_requests.
  app.get([ROUTES.signInCallback.path, ROUTES.handoffRedeem.path], countSignIns(metrics, services.audit, services.hosts));
  registerRoutes(app, "page", handlers, { rateLimit });
  app.use(githubProxyRoutes(config, services.allowed, services.refresher, services.hosts, services.githubFetch));
  refuseOtherMethods(app, Object.fromEntries(allowedMethodsByPath()));

  app.use(notFoundHandler);
  app.use(storeOutagesAs503);
  app.use(noteErrorsForMetrics(metrics));
  app.use(createErrorHandler(logger, pages));

  const first = readPathsFirst({
    hosts: services.hosts,
    trust: app.get("trust proxy fn") as ProxyTrust,
    sessions: services.sessions,
    allowed: services.allowed,
    check,
    logging,
    dataHeaders: headers.dataHeaderList,
    etag: app.get("etag fn") as (body: Buffer) => string,
    passedOn: (route) => metrics.readPathsPassedOn.inc({ route }),
  });
  return answeringFirst(app, first);
}

/**
 * Puts `first` in front of everything Express does for this app (app.handle is what the app, as a
 * node:http listener, calls for each request), so it also runs under supertest and app.listen.
 */
function answeringFirst(app: Express, first: FirstAnswer): Express {
  const routed = app as Express & { handle(request: IncomingMessage, response: ServerResponse, next?: unknown): void };
  const handle = routed.handle.bind(app);
  routed.handle = (request, response, next) => first(request, response, () => handle(request, response, next));
  return app;
}

function routeHandlers(services: Services, pages: ReturnType<typeof createPageRenderer>, check: CheckAnswers): RouteHandlers {
  const { config, allowed, storage } = services;
  const signIn = signInRoutes({ ...services, sessionMiddleware: createSessionMiddleware(config, storage.sessionStore, services.logger) });
  return {
    authCheck: authCheck(allowed, config, check),
    currentUser: currentUser(allowed),
    sessionDetails: sessionDetails(allowed),
    health,
    readiness: readiness(storage.checkReady),
    metrics: metricsEndpoint(services.metrics.registry, config.metricsToken),
    webhook: webhook(config, services.revocationCheck),
    home: home(allowed, pages),
    refusedPage: refusedPage(allowed, config),
    signedOutPage: signedOutPage(allowed, pages),
    ...signIn,
    ...handoffRoutes(services),
    ...deviceRoutes(config, services.deviceSignIn, deviceLimits(storage.rateLimiter)),
    ...sessionRoutes({ config, allowed, sessions: services.sessions, list: services.sessionList, pages, hosts: services.hosts }),
  };
}
