// The emulator's public types. index.ts re-exports them; the route modules import them from here so
// that nothing imports index.ts (which assembles the app) and no import cycle appears.
import type { Express } from "express";
import type { Clock } from "./clock.js";
import type { EmulatorOrg, EmulatorOrgControls, EmulatorRepo, EmulatorTeam } from "./org-types.js";

export interface EmulatorCallbackUrl {
  url: string;
  /** GitHub's per-callback "wildcard matching" toggle: on = OAuth-App-style subdomain/subpath matching. */
  wildcard: boolean;
}

export interface EmulatorClient {
  clientId: string;
  clientSecret: string;
  name: string;
  type: "oauth-app" | "github-app";
  /** github-app: usually true; oauth-app: false unless it opted in. */
  expiringTokens: boolean;
  /** oauth-app: exactly one; github-app: up to 10. */
  callbackUrls: EmulatorCallbackUrl[];
  /** github-app: the accounts (organisations or users) it is installed on; default: every account. */
  installedOn?: string[];
}

export interface EmulatorEmail {
  email: string;
  primary: boolean;
  verified: boolean;
  visibility: "public" | "private" | null;
}

export interface EmulatorUser {
  id: number;
  login: string;
  name: string | null;
  /** The public email, as GET /user shows it. */
  email: string | null;
  company: string | null;
  location: string | null;
  bio: string | null;
  /** ISO 8601. */
  createdAt: string;
  emails: EmulatorEmail[];
  /** Organisations where the user is an active member. */
  orgs: string[];
  /** Organisations that invited the user, who has not accepted yet (membership state "pending"). */
  pendingOrgs?: string[];
}

export interface EmulatorOptions {
  clients: EmulatorClient[];
  /** Default: DEMO_USERS. */
  users?: EmulatorUser[];
  /** Organisations named in users' orgs need no entry here; default (with default users): DEMO_ORGS. */
  orgs?: EmulatorOrg[];
  /** Default (with default users): DEMO_TEAMS; else none. */
  teams?: EmulatorTeam[];
  /** Default (with default users): DEMO_REPOS; else none. */
  repos?: EmulatorRepo[];
  /** Default: systemClock. */
  clock?: Clock;
  /** Default 28800 (8 h). */
  accessTokenTtlSeconds?: number;
  /** Default 15897600 (184 days). */
  refreshTokenTtlSeconds?: number;
  /** Default 600. */
  codeTtlSeconds?: number;
  /** Browser-facing base, e.g. "http://localhost:3000/_emulator"; default: derived from each request. */
  webBaseUrl?: string;
  /** Default 5000. */
  rateLimitPerHour?: number;
  /** Caps on what the emulator keeps in memory; see EmulatorLimits for the defaults. */
  limits?: Partial<EmulatorLimits>;
}

/**
 * How much the emulator remembers at most, so a long-running demo server stays bounded. Besides
 * these caps, expired codes and tokens are dropped as the emulator's clock passes their expiry.
 */
export interface EmulatorLimits {
  /** stats.authorizeRequests, stats.tokenRequests, stats.apiRequests, issuedAccessTokens(), issuedRefreshTokens(): the most recent N each. Default 200. */
  records: number;
  /** Codes issued and not yet exchanged; beyond this the oldest stops working early. Default 1000. */
  pendingCodes: number;
  /**
   * Live access tokens, and refresh tokens (live or kept to recognise a reuse), each. Beyond this the
   * oldest is forgotten, as if revoked: GitHub has no such global cap. Default 10000.
   */
  tokens: number;
}

/** How many entries each collection holds right now (for tests and for a look at a running demo). */
export interface EmulatorMemoryUse {
  authorizeRequests: number;
  tokenRequests: number;
  apiRequests: number;
  issuedAccessTokens: number;
  issuedRefreshTokens: number;
  pendingCodes: number;
  accessTokens: number;
  refreshTokens: number;
}

export interface TokenRequestRecord {
  grantType: string;
  /**
   * The parameters as received, except that secrets (client_secret, code, refresh_token, device_code)
   * are replaced by redactedSecret(value), and long values are cut short.
   */
  params: Record<string, string>;
  contentType: string;
  accept: string;
  /** "ok", the OAuth error code, or "fault" when an injected fault answered instead. */
  outcome: string;
}

export interface AuthorizeRequestRecord {
  /** The query of GET /login/oauth/authorize as received (long values cut short): client_id, state, prompt, … */
  params: Record<string, string>;
}

export interface ApiRequestRecord {
  method: string;
  /** The path inside the emulator, without the query, e.g. "/api/v3/user". */
  path: string;
  ifNoneMatch: string | null;
  /** The scheme and redactedSecret(credentials), e.g. "token gho_[redacted 1f2e3d4c5b6a]"; never the token itself. */
  authorization: string | null;
  /** 0 when no answer was sent (e.g. the socket was destroyed by a fault). */
  status: number;
}

export interface EmulatorStats {
  /** Successful code exchanges. */
  codeExchanges: number;
  /** Successful refreshes. */
  refreshes: number;
  /** Device codes redeemed for a token (grant_type=urn:ietf:params:oauth:grant-type:device_code). */
  deviceGrants: number;
  /** Refresh requests presenting a refresh token that exists but was already used. */
  refreshTokenReuses: number;
  /** The most recent GET /login/oauth/authorize requests (limits.records): the pages browsers were sent to. */
  authorizeRequests: AuthorizeRequestRecord[];
  /** The most recent POST /login/oauth/access_token requests (limits.records), in arrival order. */
  tokenRequests: TokenRequestRecord[];
  /** The most recent requests under /api/v3 (limits.records), in arrival order. */
  apiRequests: ApiRequestRecord[];
}

export interface FaultSpec {
  /** Prefix of the path inside the emulator, e.g. "/login/oauth/access_token" or "/api/v3/user". */
  pathPrefix: string;
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
  destroySocket?: boolean;
  /** Default 1. */
  times?: number;
}

/** Run-time controls of the device flow, by the user code a person would type (XXXX-XXXX). */
export interface EmulatorDeviceControls {
  /** As if `login` entered the code at /login/device and authorized. */
  approveDevice(userCode: string, login: string): void;
  /** As if the person pressed Cancel: the next poll answers access_denied. */
  denyDevice(userCode: string): void;
  /** The code expires now: polls answer expired_token. */
  expireDevice(userCode: string): void;
  /** The next `times` polls (default 1) answer slow_down, whatever their timing. */
  slowDownNextPolls(times?: number): void;
  /** Ticks or unticks the app's "Enable Device Flow" box (every client starts with it ticked). */
  setDeviceFlowEnabled(clientId: string, enabled: boolean): void;
}

export interface Emulator extends EmulatorOrgControls, EmulatorDeviceControls {
  /** Serves everything, relative to wherever it is mounted. */
  app: Express;
  stats: EmulatorStats;
  resetStats(): void;
  /** The next `times` matching requests get this answer instead (only delayMs: delay, then answer normally). */
  injectFault(fault: FaultSpec): void;
  clearFaults(): void;
  /** As if the user revoked the app in GitHub settings: kills all its access and refresh tokens. */
  revokeAuthorization(login: string, clientId: string): void;
  setRateLimitRemaining(login: string, remaining: number): void;
  /**
   * The most recent access tokens issued (limits.records), oldest first: tests look for them in
   * responses, logs and Redis to prove none leaked, and act with the newest one.
   */
  issuedAccessTokens(): string[];
  issuedRefreshTokens(): string[];
  memoryUse(): EmulatorMemoryUse;
}
