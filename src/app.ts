// createApp(services): the order a request passes through the server, and nothing else. It returns
// the front door (http/front-door.ts), the node:http listener the server listens with: what runs in
// front of every route (request id, log line, metrics, the host and its refusals), then the read
// paths (/auth/check, /api/me, /api/session) on node:http (http/read-paths.ts), and everything else
// in Express. What the routes are is the route table (http/route-table.ts); what they use is built
// by buildServices (services.ts). No I/O happens here.
import express, { type Express } from "express";
import { apiCors } from "./http/cors.js";
import { deviceLimits } from "./http/device-limits.js";
import { errorWriter, type WriteError } from "./http/error-answer.js";
import { countSignIns } from "./http/error-outcomes.js";
import { createErrorHandler, notFoundHandler } from "./http/error-handler.js";
import { frontDoor, type RequestListener } from "./http/front-door.js";
import { countHttpRequests } from "./http/http-metrics.js";
import { hostGate } from "./http/host-gate.js";
import { refuseOtherMethods } from "./http/method-not-allowed.js";
import { rateLimitByIp } from "./http/rate-limit.js";
import { readPaths } from "./http/read-paths.js";
import { createPageRenderer, type PageRenderer } from "./http/render.js";
import { requestLogging } from "./http/request-logging.js";
import { allowedMethodsByPath, MOUNTS, registerRoutes, ROUTES, type RouteHandlers } from "./http/route-table.js";
import { currentUser, sessionDetails } from "./http/routes/api.js";
import { deviceRoutes } from "./http/routes/device.js";
import { authCheck, checkAnswers } from "./http/routes/auth-check.js";
import { signInRoutes } from "./http/routes/auth.js";
import { handoffRoutes } from "./http/routes/handoff.js";
import { githubProxyRoutes } from "./http/routes/github-proxy.js";
import { health, readiness } from "./http/routes/health.js";
import { home, signedOutPage } from "./http/routes/home.js";
import { refusedPage } from "./http/routes/refused.js";
import { metricsEndpoint } from "./http/routes/metrics.js";
import { sessionRoutes } from "./http/routes/sessions.js";
import { webhook } from "./http/routes/webhooks.js";
import { noStore, securityHeaders, type Middleware, type SecurityHeaders } from "./http/security-headers.js";
import { createSessionMiddleware } from "./http/express-session-adapter.js";
import { mountOidcProvider } from "./oidc/mount.js";
import { assetsDirectory } from "./paths.js";
import type { Services } from "./services.js";
import { keepsSessionsInMemory } from "./config/demo-mode.js";

export type { RequestListener } from "./http/front-door.js";

export interface AppOptions {
  /** Demo mode only: the built-in GitHub emulator, served at MOUNTS.emulator. */
  emulatorApp?: Express;
}

export function createApp(services: Services, options: AppOptions = {}): RequestListener {
  const { config, logger, metrics } = services;
  const headers = securityHeaders(config);
  const pages = createPageRenderer({
    demoMode: config.demoMode,
    sessionsInMemory: keepsSessionsInMemory(config.redis),
    beforeSend: headers.upgradeForPage,
  });
  const writeError = errorWriter(logger, pages, metrics);
  const cors = apiCors(config.corsOrigins, config.github.proxyMethods);
  const check = checkAnswers(config, logger);
  const { allowed } = services;
  return frontDoor({
    begin: requestLogging(logger, [countHttpRequests(metrics)]),
    refusal: hostGate(services.hosts),
    pageHeaders: headers.forPages,
    writeError,
    readPaths: readPaths({
      handlers: {
        authCheck: authCheck(allowed, config, check),
        currentUser: currentUser(allowed),
        sessionDetails: sessionDetails(allowed),
      },
      dataHeaders: headers.dataHeaderList,
      apiCors: cors,
      writeError,
    }),
    rest: expressApp(services, { headers, pages, cors, writeError, emulatorApp: options.emulatorApp }),
  });
}

interface ExpressParts {
  headers: SecurityHeaders;
  pages: PageRenderer;
  cors: Middleware;
  writeError: WriteError;
  emulatorApp: Express | undefined;
}

/** Every route but the read paths; the front door has already logged the request and read its host. */
function expressApp(services: Services, { headers, pages, cors, writeError, emulatorApp }: ExpressParts): Express {
  const { config, metrics, storage } = services;
  const handlers = routeHandlers(services, pages);
  const { authRateLimit } = config;
  const rateLimit = authRateLimit ? rateLimitByIp(storage.rateLimiter("auth", authRateLimit.points, authRateLimit.durationMs)) : null;

  const app = express();
  app.disable("x-powered-by");
  // TRUST_PROXY as compiled once (http/host-reading.ts): req.ip (the rate limits' client address)
  // trusts the same senders the host is read from.
  app.set("trust proxy", services.hosts.trust);
  app.use("/api", cors);
  registerRoutes(app, "data", handlers, { before: [headers.forData], rateLimit });
  app.use(headers.forPages);
  app.use(MOUNTS.assets, express.static(assetsDirectory, { index: false, maxAge: "1h", fallthrough: true }));
  app.use(noStore);
  if (emulatorApp) app.use(MOUNTS.emulator, headers.forEmulatorPages, emulatorApp);
  // Counted from before the rate limit, so a refused callback counts as too_many_requests.
  app.get([ROUTES.signInCallback.path, ROUTES.handoffRedeem.path], countSignIns(metrics, services.audit, services.hosts));
  registerRoutes(app, "page", handlers, { rateLimit });
  app.use(githubProxyRoutes(config, services.allowed, services.refresher, services.hosts, services.githubFetch));
  // Whatever else mounts itself on the app (OpenID Connect: /oidc/*, /.well-known/openid-configuration) goes here.
  mountOidcProvider(app, services);
  refuseOtherMethods(app, Object.fromEntries(allowedMethodsByPath()));

  app.use(notFoundHandler);
  app.use(createErrorHandler(writeError));
  return app;
}

function routeHandlers(services: Services, pages: PageRenderer): RouteHandlers {
  const { config, allowed, storage } = services;
  const signIn = signInRoutes({ ...services, sessionMiddleware: createSessionMiddleware(config, storage.sessionStore, services.logger) });
  return {
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
