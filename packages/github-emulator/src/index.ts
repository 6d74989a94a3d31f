// The built-in GitHub emulator: a real Express app answering like GitHub's OAuth endpoints and the
// REST endpoints a login server uses, quirks included, with a few pages for people (about, profiles).
// github-login-server mounts it at /_emulator in demo mode, tests start it on a free port (testing.ts),
// and standalone.ts runs it on its own (`npx github-emulator`). It imports nothing of the server it
// stands in for.
import express, { type ErrorRequestHandler } from "express";
import { aboutRoutes } from "./about-page.js";
import { apiRoutes } from "./api-routes.js";
import { AUTHORIZE_PATH, authorizeRoutes } from "./authorize-routes.js";
import { avatarRoutes } from "./avatar.js";
import { DeviceAuthorizations } from "./device-authorizations.js";
import { deviceControls } from "./device-controls.js";
import { deviceRoutes } from "./device-routes.js";
import { Directory } from "./directory.js";
import { FaultInjector } from "./faults.js";
import { resolveOptions } from "./options.js";
import { orgControls } from "./org-controls.js";
import { notFoundPage, profileRoutes } from "./profile-page.js";
import { RateLimiter } from "./rate-limit.js";
import { requestContext } from "./request-context.js";
import { recordApiRequests, recordAuthorizeRequests, recordTokenRequests } from "./request-records.js";
import { EmulatorState } from "./state.js";
import { TOKEN_PATH, tokenRoute } from "./token-route.js";
import type { Emulator, EmulatorOptions, EmulatorStats } from "./types.js";
import { createViews, STYLESHEET_PATH } from "./views.js";

export type {
  ApiRequestRecord,
  AuthorizeRequestRecord,
  Emulator,
  EmulatorCallbackUrl,
  EmulatorClient,
  EmulatorDeviceControls,
  EmulatorEmail,
  EmulatorLimits,
  EmulatorMemoryUse,
  EmulatorOptions,
  EmulatorStats,
  EmulatorUser,
  FaultSpec,
  TokenRequestRecord,
} from "./types.js";
export type {
  EmulatorOrg,
  EmulatorOrgControls,
  EmulatorRepo,
  EmulatorTeam,
  EmulatorTeamMember,
  MembershipState,
  RepoPermission,
} from "./org-types.js";
export type { Clock } from "./clock.js";
export { DEMO_ORGS, DEMO_REPOS, DEMO_TEAMS, DEMO_USERS, demoClient } from "./demo-data.js";
export { redactedSecret } from "./redaction.js";

const BODY_LIMIT = "100kb";

export function createEmulator(options: EmulatorOptions): Emulator {
  const resolved = resolveOptions(options);
  const store = new EmulatorState(resolved.clients, resolved.users, resolved.clock, resolved.lifetimes, resolved.limits);
  const directory = new Directory(resolved.users, resolved.clients, resolved.orgData);
  const limiter = new RateLimiter(resolved.clock, resolved.rateLimitPerHour);
  const faults = new FaultInjector();
  const devices = new DeviceAuthorizations(resolved.clock, resolved.limits.pendingCodes);
  const stats: EmulatorStats = { ...zeroCounters(), authorizeRequests: [], tokenRequests: [], apiRequests: [] };

  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false); // the API computes its own per-token ETags
  app.use(requestContext(resolved.clock, resolved.webBaseUrl));
  app.use("/api/v3", recordApiRequests(stats, resolved.limits.records));
  app.use(express.urlencoded({ extended: false, limit: BODY_LIMIT }));
  app.use(express.json({ limit: BODY_LIMIT, type: ["application/json", "application/*+json"] }));
  app.get(AUTHORIZE_PATH, recordAuthorizeRequests(stats, resolved.limits.records));
  app.post(TOKEN_PATH, recordTokenRequests(stats, resolved.limits.records));
  app.use(faults.middleware());
  app.get("/assets/emulator.css", (_request, response) => response.sendFile(STYLESHEET_PATH));
  app.use(avatarRoutes(store, directory));
  const views = createViews();
  app.use(authorizeRoutes(store, views));
  app.use(tokenRoute(store, stats, devices));
  app.use(deviceRoutes(store, devices, views));
  app.use("/api/v3", apiRoutes(store, directory, limiter));
  // The pages for people come last: GET /<login> matches any one-segment path.
  app.use(aboutRoutes(store, directory, views));
  app.use(profileRoutes(store, views));
  app.use(notFoundPage(store, views));
  app.use(answerErrors);

  const userNamed = userLookup(store);

  return {
    app,
    stats,
    resetStats: () => resetStats(stats),
    injectFault: (fault) => faults.add({ ...fault }),
    clearFaults: () => faults.clear(),
    revokeAuthorization: (login, clientId) => store.revokeAuthorization(userNamed(login).id, clientId),
    setRateLimitRemaining: (login, remaining) => limiter.setRemaining(userNamed(login).id, remaining),
    issuedAccessTokens: () => [...store.issuedAccessTokens],
    issuedRefreshTokens: () => [...store.issuedRefreshTokens],
    ...orgControls(directory, userNamed),
    ...deviceControls(devices, store, userNamed),
    memoryUse: () => ({
      authorizeRequests: stats.authorizeRequests.length,
      tokenRequests: stats.tokenRequests.length,
      apiRequests: stats.apiRequests.length,
      issuedAccessTokens: store.issuedAccessTokens.length,
      issuedRefreshTokens: store.issuedRefreshTokens.length,
      ...store.memoryUse(),
    }),
  };
}

const zeroCounters = () => ({ codeExchanges: 0, refreshes: 0, deviceGrants: 0, refreshTokenReuses: 0 });

/** In place, so references to `emulator.stats` taken earlier stay current. */
function resetStats(stats: EmulatorStats): void {
  Object.assign(stats, zeroCounters());
  for (const records of [stats.authorizeRequests, stats.tokenRequests, stats.apiRequests]) records.length = 0;
}

/** The user with this login, for the run-time controls: an unknown login is a mistake in the test. */
const userLookup = (store: EmulatorState) => (login: string) => {
  const user = store.userByLogin(login);
  if (!user) throw new Error(`emulator: no user with login ${login}`);
  return user;
};

/** Bad input never crashes the emulator: body-parser errors keep their 4xx, anything else is a 500. */
const answerErrors: ErrorRequestHandler = (error: unknown, _request, response, next) => {
  if (response.headersSent) return next(error);
  const { status, type } = (error ?? {}) as { status?: unknown; type?: unknown };
  const clientError = typeof status === "number" && status >= 400 && status < 500;
  const message = type === "entity.parse.failed" ? "Problems parsing JSON" : clientError ? "Bad Request" : "Emulator error";
  response.status(clientError ? status : 500).json({ message });
};
