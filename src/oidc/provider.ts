// The OpenID Connect provider (SPEC §9), built once from the server's services: oidc-provider
// (panva, certified) configured by provider-configuration.ts, keeping its state in the server's
// storage (adapter.ts), its accounts being grants' sessions (account.ts, grant-sessions.ts), its
// decisions the server's access gate (access-decision.ts), its login the server's own sign-in
// (interaction.ts), and its pages the server's look (pages.ts, provider-hooks.ts).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { RequestHandler } from "express";
import type { Provider } from "oidc-provider";
import type { Logger } from "pino";
import type { BackgroundTasks } from "../background-tasks.js";
import type { Clock } from "../clock.js";
import type { Config } from "../config/config.js";
import type { OidcClient, OidcConfig } from "../config/oidc-config.js";
import type { GitHubClient } from "../github/client.js";
import { serverCookies } from "../http/cookies.js";
import { bindingOf } from "../http/github-redirect.js";
import type { SessionReader } from "../http/session-reader.js";
import type { Metrics } from "../metrics.js";
import type { Sealer } from "../sealer.js";
import type { StorageBackend } from "../store/backend.js";
import type { Audit } from "../auth/audit.js";
import type { SessionEndings } from "../auth/session-endings.js";
import type { TokenRefresher } from "../auth/token-refresh.js";
import { accountFinder } from "./account.js";
import { createAccessDecision } from "./access-decision.js";
import { providerAdapter } from "./adapter.js";
import { createGrantSessions } from "./grant-sessions.js";
import { freshnessMarks, loginInteraction } from "./interaction.js";
import { createOidcMetrics } from "./metrics.js";
import { pageSources, observeProvider, providerMiddleware } from "./provider-hooks.js";
import { staticConfiguration } from "./provider-configuration.js";
import { loadProviderModule, type ProviderModule } from "./provider-module.js";
import { redirectUriAllowed } from "./redirect-uris.js";
import { signInRefusals, type SignInRefusals } from "./sign-in-refusals.js";

/** What the provider needs of the server: the parts buildServices made. */
export interface OidcProviderDependencies {
  config: Config;
  clock: Clock;
  logger: Logger;
  storage: StorageBackend;
  metrics: Metrics;
  background: BackgroundTasks;
  audit: Audit;
  github: GitHubClient;
  sealer: Sealer;
  endings: SessionEndings;
  refresher: TokenRefresher;
  sessions: SessionReader;
}

/** null when OIDC_CLIENTS is not set (and not in demo mode). oidc-provider itself loads in the background (provider-module.ts). */
export function createOidcProvider(deps: OidcProviderDependencies) {
  const { config, logger } = deps;
  if (!config.oidc) return null;
  const cookies = serverCookies(config.session.secureCookies);
  const refusals = signInRefusals(deps.sealer, deps.clock, (request) => bindingOf(cookies, request));
  const parts = prepare(deps, config.oidc);
  const ready = loadProviderModule().then((module) => start(deps, config.oidc!, { ...parts, refusals }, module));
  ready.catch((error: unknown) => logger.error({ err: error }, "the OpenID Connect provider could not start"));
  const interaction: RequestHandler = (request, response, next) => ready.then((started) => started.interaction(request, response, next));
  return {
    /** Resolves once oidc-provider is loaded and configured. */
    ready,
    handle: async (request: IncomingMessage, response: ServerResponse) => (await ready).handle(request, response),
    interaction,
    /** A sign-in the lists refused on its way to an authorization: its page leads back to the interaction (sign-in-refusals.ts). */
    answerRefusedSignIn: refusals.answer,
  };
}

export type OidcService = NonNullable<ReturnType<typeof createOidcProvider>>;

/** What does not need oidc-provider: the clients, the counters, grants' sessions and the access decision. */
function prepare(deps: OidcProviderDependencies, oidc: OidcConfig) {
  const { storage } = deps;
  const entries = storage.sessionStore;
  const clients: ReadonlyMap<string, OidcClient> = new Map(oidc.clients.map((client) => [client.clientId, client]));
  const metrics = createOidcMetrics(deps.metrics);
  const grants = createGrantSessions({ ...deps, entries, userSessions: storage.userSessions });
  const decision = createAccessDecision({ ...deps, entries, locks: storage.locks, endSession: grants.endSession });
  const revokeGrant = async (grantId: string) => {
    await storage.oidcAdapter("AccessToken").revokeByGrantId(grantId);
    await storage.oidcAdapter("Grant").destroy(grantId);
  };
  grants.connect(revokeGrant);
  return { entries, clients, metrics, grants, decision, revokeGrant };
}

type Parts = ReturnType<typeof prepare> & { refusals: SignInRefusals };

function start(deps: OidcProviderDependencies, oidc: OidcConfig, parts: Parts, { Provider, errors }: ProviderModule) {
  const { config, clock, logger, storage } = deps;
  const { entries, clients, metrics, grants, decision, revokeGrant, refusals } = parts;
  const statics = staticConfiguration(config, oidc);
  const sources = pageSources({ config, sessions: deps.sessions });
  const provider = new Provider(config.publicUrl, {
    ...statics,
    adapter: providerAdapter(storage.oidcAdapter, clock, errors),
    findAccount: accountFinder({ grants, decision, clients, revokeGrant, errors }),
    renderError: sources.renderError,
    features: {
      ...statics.features,
      deviceFlow: { ...statics.features!.deviceFlow, ...sources.deviceFlow },
      rpInitiatedLogout: { enabled: true, ...sources.logout },
    },
  } as ConstructorParameters<typeof Provider>[1]);
  // Koa's view of the request is made to match PUBLIC_URL (mount.ts), so URLs and Secure cookies follow it.
  provider.proxy = true;
  matchRedirectsExactly(provider);
  observeProvider(provider, { logger, metrics, background: deps.background, entries, grants });
  provider.use(providerMiddleware({ config, sessions: deps.sessions, endings: deps.endings, grants, logger }));
  const freshness = freshnessMarks(config.session.secrets[0]!, clock);
  const interaction = loginInteraction({
    provider,
    clients,
    decision,
    grants,
    audit: deps.audit,
    metrics,
    clock,
    logger,
    freshness,
    refusals,
    errors,
  });
  return { provider, interaction, handle: provider.callback() };
}

/** Redirect URIs match exactly, loopback ports aside (redirect-uris.ts), for every client. */
function matchRedirectsExactly(provider: Provider): void {
  type Registered = { readonly redirectUris?: readonly string[]; readonly postLogoutRedirectUris?: readonly string[] };
  provider.Client.prototype.redirectUriAllowed = function (this: Registered, uri: string) {
    return redirectUriAllowed(uri, this.redirectUris ?? []);
  };
  provider.Client.prototype.postLogoutRedirectUriAllowed = function (this: Registered, uri: string) {
    return redirectUriAllowed(uri, this.postLogoutRedirectUris ?? []);
  };
}
