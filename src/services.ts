// buildServices: the whole object graph of the server, built once from the configuration and the
// outside world (storage, clock, fetch, metrics, logger). The server (server.ts) and every test
// build it the same way, so a test runs exactly what production runs; createApp (app.ts) then only
// decides the order HTTP passes through it. Nothing here does I/O.
import type { Logger } from "pino";
import { createAccessGate } from "./auth/access-gate.js";
import { createAudit, type Audit } from "./auth/audit.js";
import { createHandoffFlow, type HandoffFlow } from "./auth/handoff-flow.js";
import { HandoffTickets } from "./auth/handoff-tickets.js";
import { createDeviceSignIn, type DeviceSignIn } from "./auth/device-sign-in.js";
import { sessionKindOf, type SignedInRecord } from "./auth/session-record.js";
import { sessionTokens } from "./auth/session-token.js";
import { createRevalidation } from "./auth/revalidation.js";
import { createRuleFacts } from "./auth/rule-facts.js";
import { createSessionList, type SessionList } from "./auth/session-list.js";
import { createRevocationCheck, type RevocationCheck } from "./auth/revocation-check.js";
import { createSessionEndings, type SessionEndings } from "./auth/session-endings.js";
import { SignInAttempts } from "./auth/sign-in-attempt.js";
import { createSignInFlow, type SignInFlow } from "./auth/sign-in-flow.js";
import { createTokenRefresher, type TokenRefresher } from "./auth/token-refresh.js";
import { BackgroundTasks } from "./background-tasks.js";
import type { Clock } from "./clock.js";
import type { Config } from "./config/config.js";
import { createGitHubClient, type GitHubClient } from "./github/client.js";
import { meteredGitHubFetch } from "./github/metered-fetch.js";
import { nodeHttpFetch } from "./github/node-http-fetch.js";
import { allowedSessions, type AllowedSessions } from "./http/allowed-session.js";
import { createHostResolver, type HostResolver } from "./http/request-host.js";
import { bearerSessionLookup } from "./http/bearer-token.js";
import { createSessionReader, type SessionReader } from "./http/session-reader.js";
import { createMetrics, type Metrics, type RefreshOutcome } from "./metrics.js";
import { createOidcProvider, type OidcService } from "./oidc/provider.js";
import { Sealer } from "./sealer.js";
import type { StorageBackend } from "./store/backend.js";

/** What the server needs from outside: where it keeps things, what time it is, how it reaches GitHub. */
export interface OutsideWorld {
  storage: StorageBackend;
  clock: Clock;
  logger: Logger;
  /** How calls reach GitHub (the emulator in tests); globalThis.fetch when omitted. */
  fetch?: typeof fetch;
  /** What /metrics serves; a fresh set when omitted. Every call to GitHub is counted in it. */
  metrics?: Metrics;
  /** Where work started by requests (revalidations) runs; the server lets it finish at shutdown. */
  background?: BackgroundTasks;
}

export interface Services {
  config: Config;
  clock: Clock;
  logger: Logger;
  storage: StorageBackend;
  metrics: Metrics;
  background: BackgroundTasks;
  /** The audit trail: sign-ins, sign-outs, ended sessions. */
  audit: Audit;
  /** The one fetch to GitHub, metered: the client and the API proxy both use it. */
  githubFetch: typeof fetch;
  github: GitHubClient;
  sealer: Sealer;
  attempts: SignInAttempts;
  signInFlow: SignInFlow;
  /** Sign-ins handed from the login host to protected hosts (SPEC §6). */
  handoff: HandoffFlow;
  endings: SessionEndings;
  refresher: TokenRefresher;
  revocationCheck: RevocationCheck;
  /** Which of this server's hosts a request is for (the login host, a protected host, or none). */
  hosts: HostResolver;
  /** Who is signed in (one cookie check, one store read). */
  sessions: SessionReader;
  /** Who is signed in and still allowed by the allow-lists. */
  allowed: AllowedSessions;
  /** A user's own sessions, to list and end (GET /api/sessions, /sessions). */
  sessionList: SessionList;
  /** Device sign-in for programs (DEVICE_FLOW). */
  deviceSignIn: DeviceSignIn;
  /** The OpenID Connect provider (SPEC §9); null when OIDC_CLIENTS is not set outside demo mode. */
  oidc: OidcService | null;
}

export function buildServices(config: Config, outside: OutsideWorld): Services {
  const { storage, clock, logger } = outside;
  const metrics = outside.metrics ?? createMetrics();
  const background = outside.background ?? new BackgroundTasks(logger);
  const githubFetch = meteredGitHubFetch(metrics, config.github, outside.fetch);
  // The client's calls are small JSON read whole: node:http is cheaper for them than the global fetch (node-http-fetch.ts).
  const githubClientFetch = outside.fetch ? githubFetch : meteredGitHubFetch(metrics, config.github, nodeHttpFetch);
  const github = createGitHubClient(config.github, clock, githubClientFetch);
  const entries = storage.sessionStore;
  const sealer = new Sealer(config.tokenEncryptionKeys);
  const audit = createAudit(logger, config, metrics);
  const { userSessions, locks, oneTimeMarker } = storage;
  // What most parts are built from; each takes the fields its dependencies name.
  const common = { config, clock, logger, github, sealer, entries, userSessions, locks, oneTimeMarker, background, audit };
  const attempts = new SignInAttempts(sealer);
  const signInFlow = createSignInFlow({ ...common, attempts });
  const endings = createSessionEndings(common);
  const onRefresh = (outcome: RefreshOutcome) => metrics.tokenRefreshes.inc({ outcome });
  const refresher = createTokenRefresher({ ...common, endSession: endings.endSession, onRefresh });
  const revalidation = createRevalidation({ ...common, refresher, endSession: endings.endSession });
  const revocationCheck = createRevocationCheck({ ...common, refresher });
  const hosts = createHostResolver(config);
  const tokens = sessionTokens(config.session.secrets);
  const onMaxAge = (record: SignedInRecord) => audit.sessionEnded(record.user, "max_age", sessionKindOf(record));
  const sessions = createSessionReader(config, clock, entries, hosts, onMaxAge, bearerSessionLookup(tokens, entries));
  const handoff = createHandoffFlow({ ...common, hosts, tickets: new HandoffTickets(sealer) });
  const deviceSignIn = createDeviceSignIn({ ...common, tokens, attempts: storage.deviceAttempts });
  const sessionList = createSessionList({ ...common, endings });
  const ruleFacts = createRuleFacts({ ...common, refresher });
  const allowed = allowedSessions(sessions, createAccessGate({ ...common, revalidation, refresher, ruleFacts }));
  const oidc = createOidcProvider({ ...common, storage, metrics, endings, refresher, sessions });
  const built = { signInFlow, handoff, endings, refresher, revocationCheck, hosts, sessions, allowed, sessionList, deviceSignIn, oidc };
  return { config, clock, logger, storage, metrics, background, audit, githubFetch, github, sealer, attempts, ...built };
}
