// The validated, frozen configuration the whole server runs on. Only server.ts builds it from the
// environment; tests build it from a plain object.
import type { RepoRequirement } from "./access-rules.js";
import type { OidcConfig } from "./oidc-config.js";
import type { ProtectedHost } from "./protected-hosts.js";

export type ClientType = "oauth-app" | "github-app";

export interface GitHubConfig {
  clientId: string;
  clientSecret: string;
  clientType: ClientType | "auto";
  scopes: string[];
  /** Browser-facing web origin: where /login/oauth/authorize is. */
  baseUrl: string;
  /** REST API base as browsers and avatars see it. */
  apiUrl: string;
  /** Where this server itself sends token and API requests (differs from baseUrl only in demo mode). */
  serverBaseUrl: string;
  serverApiUrl: string;
  timeoutMs: number;
  proxyMethods: string[];
}

export interface RedisConfig {
  url: string | null;
  clusterNodes: { host: string; port: number }[];
  /** Redis Sentinels to ask where the master named sentinelName is (instead of url). */
  sentinels: { host: string; port: number }[];
  sentinelName: string;
  /** Credentials of the Cluster's nodes, or of the master the Sentinels name (REDIS_URL carries its own). */
  username: string | null;
  password: string | null;
  /** The Sentinels' own password, when they require one. */
  sentinelPassword: string | null;
  keyPrefix: string;
}

export interface SessionConfig {
  /** First one signs; all are accepted (rotation). */
  secrets: string[];
  idleTimeoutMs: number;
  maxAgeMs: number;
  /** PUBLIC_URL is https: cookies are Secure and __Host- prefixed (http/cookies.ts names them). */
  secureCookies: boolean;
}

export interface Config {
  production: boolean;
  demoMode: boolean;
  port: number;
  host: string;
  /** Origin browsers use, without a trailing slash. */
  publicUrl: string;
  callbackUrl: string;
  /** The other hosts this server signs people into (SPEC §6); PUBLIC_URL's host is the login host. */
  protectedHosts: ProtectedHost[];
  github: GitHubConfig;
  redis: RedisConfig;
  session: SessionConfig;
  /** AES-256 keys; the first one seals, all of them open (rotation). */
  tokenEncryptionKeys: Buffer[];
  trustProxy: boolean | number | string[];
  /** The allow-lists (SPEC §7), lowercase; a user matching any entry of any of them is allowed. */
  allowedUsers: string[];
  allowedOrgs: string[];
  /** `org/team-slug`: an active member of the team. */
  allowedTeams: string[];
  /** `owner/repo` and at least this permission on it. */
  allowedRepos: RepoRequirement[];
  corsOrigins: string[];
  /** Requests to /auth/* allowed per client IP and window; null when turned off. */
  authRateLimit: { points: number; durationMs: number } | null;
  webhookSecret: string | null;
  /** When set, GET /metrics requires `Authorization: Bearer <metricsToken>`. */
  metricsToken: string | null;
  profileMaxAgeMs: number;
  /**
   * ACCESS_MAX_STALE: how long past profileMaxAgeMs the last access decision may stand while GitHub
   * cannot confirm it (an outage, or the user's own rate limit spent); past it the user is refused
   * with 503 access_unconfirmed until GitHub answers (SPEC §7).
   */
  accessMaxStaleMs: number;
  /** DEVICE_FLOW: programs sign in through GitHub's device flow (POST /auth/device, /auth/device/token). */
  deviceFlow: boolean;
  /** The OpenID Connect provider (SPEC §9): its clients and signing keys; null when it is off. */
  oidc: OidcConfig | null;
  logLevel: string;
  /** Things worth a loud line in the log at start (demo mode, random secrets, …). */
  warnings: string[];
}
