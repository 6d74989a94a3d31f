// environment → validated Config. Every problem is collected and reported together, so an operator
// fixes a broken deployment in one pass instead of one restart per mistake.
import { randomBytes } from "node:crypto";
import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } from "../emulator/index.js";
import type { Config, GitHubConfig } from "./config.js";
import { splitList } from "./lists.js";
import { environmentSchema, type ParsedEnvironment } from "./schema.js";

export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] };

export const EMULATOR_MOUNT_PATH = "/_emulator";
const MIN_SECRET_LENGTH = 32;
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

export function loadConfig(environment: Record<string, string | undefined>): ConfigResult {
  const errors: string[] = [];
  const config = buildConfig(parseEachVariable(environment, errors), errors);
  return errors.length > 0 ? { ok: false, errors } : { ok: true, config: Object.freeze(config) };
}

/**
 * Parses variable by variable, so that one bad value does not hide the others: a variable that
 * fails gets its default, its problem is recorded, and the cross-variable checks still run.
 */
function parseEachVariable(environment: Record<string, string | undefined>, errors: string[]): ParsedEnvironment {
  const values: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(environmentSchema.shape)) {
    const result = schema.safeParse(environment[name]);
    if (result.success) {
      values[name] = result.data;
    } else {
      errors.push(...result.error.issues.map((issue) => `${name}: ${issue.message}`));
      values[name] = schema.parse(undefined);
    }
  }
  return values as ParsedEnvironment;
}

function buildConfig(env: ParsedEnvironment, errors: string[]): Config {
  const production = env.NODE_ENV === "production";
  const demoMode = !env.GITHUB_CLIENT_ID && !env.GITHUB_CLIENT_SECRET;
  const warnings: string[] = [];
  const publicUrl = (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, "");
  const publicUrlParsed = new URL(publicUrl);
  if (publicUrlParsed.pathname !== "/" || publicUrlParsed.search || publicUrlParsed.hash) {
    errors.push(`PUBLIC_URL: must be an origin without a path, query or fragment (got "${publicUrl}")`);
  }

  if (production) requireProductionSettings(env, errors);
  if (production && publicUrlParsed.protocol === "http:" && !LOOPBACK_HOSTS.has(publicUrlParsed.hostname)) {
    errors.push("PUBLIC_URL: must be https:// in production (http:// is accepted only for localhost, 127.0.0.1 and [::1])");
  }
  if (Boolean(env.GITHUB_CLIENT_ID) !== Boolean(env.GITHUB_CLIENT_SECRET)) {
    errors.push("GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET: set both (or neither, for demo mode)");
  }
  if (demoMode && production) {
    errors.push(
      "demo mode (no GITHUB_CLIENT_ID/GITHUB_CLIENT_SECRET) is refused when NODE_ENV=production: " +
        "fill in .env (see .env.example) for a real GitHub app, or set NODE_ENV=development to try demo mode",
    );
  }
  const redisChoices = [Boolean(env.REDIS_URL), env.REDIS_CLUSTER_NODES.length > 0, env.REDIS_SENTINELS.length > 0].filter(Boolean).length;
  if (redisChoices > 1) errors.push("REDIS_URL, REDIS_CLUSTER_NODES and REDIS_SENTINELS: set one of them, not several");
  if (env.REDIS_SENTINEL_NAME && env.REDIS_SENTINELS.length === 0) errors.push("REDIS_SENTINEL_NAME: set REDIS_SENTINELS too");
  if (env.REDIS_SENTINEL_PASSWORD && env.REDIS_SENTINELS.length === 0) errors.push("REDIS_SENTINEL_PASSWORD: set REDIS_SENTINELS too");
  if ((env.REDIS_USERNAME || env.REDIS_PASSWORD) && env.REDIS_URL) {
    errors.push("REDIS_USERNAME / REDIS_PASSWORD: with REDIS_URL, put the credentials in the URL (redis://user:password@host:6379)");
  } else if ((env.REDIS_USERNAME || env.REDIS_PASSWORD) && redisChoices === 0) {
    errors.push("REDIS_USERNAME / REDIS_PASSWORD: set REDIS_CLUSTER_NODES or REDIS_SENTINELS too");
  }
  if (env.REDIS_USERNAME && !env.REDIS_PASSWORD) errors.push("REDIS_USERNAME: set REDIS_PASSWORD too");
  if (demoMode) {
    warnings.push("Demo mode: sign-in goes to the built-in GitHub emulator at /_emulator. Never use it for real users.");
    if (redisChoices === 0) {
      warnings.push("Demo mode: sessions live in this process's memory and vanish on restart.");
    }
  }

  if (production && !env.METRICS_TOKEN) {
    warnings.push("METRICS_TOKEN is not set: /metrics answers anyone who reaches this server; set it, or keep /metrics off the public proxy.");
  }
  if (env.AUTH_RATE_LIMIT === null) warnings.push("AUTH_RATE_LIMIT=off: sign-in routes are not rate limited.");
  const sessionSecrets = splitList(env.SESSION_SECRET);
  checkSessionSecrets(sessionSecrets, production, errors, warnings);
  const tokenEncryptionKeys = parseTokenKeys(env.TOKEN_ENCRYPTION_KEY, errors);
  if (sessionSecrets.length === 0) {
    sessionSecrets.push(randomBytes(32).toString("base64url"));
    warnings.push("SESSION_SECRET is not set: using a random one, so sessions end when the process restarts.");
  }
  if (tokenEncryptionKeys.length === 0) {
    tokenEncryptionKeys.push(randomBytes(32));
    warnings.push("TOKEN_ENCRYPTION_KEY is not set: using a random one, so stored tokens cannot be opened after a restart.");
  }

  // Production only, like METRICS_TOKEN: that is where the per-IP sign-in budget guards real users.
  if (production && trustsEveryHop(env.TRUST_PROXY)) {
    warnings.push(
      "TRUST_PROXY trusts every sender (true, or a /0 subnet): any client can pick its own address for the sign-in rate limit, " +
        "since Express then takes the leftmost X-Forwarded-For entry, which the client writes itself. " +
        "Set the number of proxies in front (TRUST_PROXY=1) or their addresses (TRUST_PROXY=10.0.0.0/8, or loopback).",
    );
  }
  const secureCookies = publicUrlParsed.protocol === "https:";
  if (secureCookies && env.TRUST_PROXY === false) {
    warnings.push(
      "PUBLIC_URL is https but TRUST_PROXY is false: behind a TLS-terminating proxy, set TRUST_PROXY or no session cookie will be set.",
    );
  }
  return {
    production,
    demoMode,
    port: env.PORT,
    host: env.HOST,
    publicUrl,
    callbackUrl: `${publicUrl}/auth/github/callback`,
    github: githubConfig(env, demoMode, publicUrl, errors),
    redis: {
      url: env.REDIS_URL ?? null,
      clusterNodes: env.REDIS_CLUSTER_NODES,
      sentinels: env.REDIS_SENTINELS,
      sentinelName: env.REDIS_SENTINEL_NAME ?? "mymaster",
      username: env.REDIS_USERNAME ?? null,
      password: env.REDIS_PASSWORD ?? null,
      sentinelPassword: env.REDIS_SENTINEL_PASSWORD ?? null,
      keyPrefix: env.REDIS_KEY_PREFIX,
    },
    session: {
      secrets: sessionSecrets,
      idleTimeoutMs: env.SESSION_IDLE_TIMEOUT,
      maxAgeMs: env.SESSION_MAX_AGE,
      // The __Host- prefix makes browsers refuse the cookie unless Secure, host-only and Path=/,
      // so a sibling subdomain cannot plant or overwrite it.
      cookieName: secureCookies ? "__Host-gls.sid" : "gls.sid",
      secureCookies,
    },
    tokenEncryptionKeys,
    trustProxy: env.TRUST_PROXY,
    allowedUsers: env.ALLOWED_USERS,
    allowedOrgs: env.ALLOWED_ORGS,
    corsOrigins: env.CORS_ORIGINS,
    authRateLimit: env.AUTH_RATE_LIMIT,
    webhookSecret: env.GITHUB_WEBHOOK_SECRET ?? null,
    metricsToken: env.METRICS_TOKEN ?? null,
    profileMaxAgeMs: env.PROFILE_MAX_AGE,
    logLevel: env.LOG_LEVEL,
    warnings,
  };
}

function requireProductionSettings(env: ParsedEnvironment, errors: string[]): void {
  const required: [string, unknown][] = [
    ["SESSION_SECRET", env.SESSION_SECRET],
    ["TOKEN_ENCRYPTION_KEY", env.TOKEN_ENCRYPTION_KEY],
    ["GITHUB_CLIENT_ID", env.GITHUB_CLIENT_ID],
    ["GITHUB_CLIENT_SECRET", env.GITHUB_CLIENT_SECRET],
    ["PUBLIC_URL", env.PUBLIC_URL],
  ];
  for (const [name, value] of required) {
    if (!value) errors.push(`${name}: required when NODE_ENV=production`);
  }
  if (!env.REDIS_URL && env.REDIS_CLUSTER_NODES.length === 0 && env.REDIS_SENTINELS.length === 0) {
    errors.push("REDIS_URL (or REDIS_CLUSTER_NODES, or REDIS_SENTINELS): required when NODE_ENV=production");
  }
}

/** `true`, or a subnet that spans every address: every sender counts as a trusted proxy. */
function trustsEveryHop(trust: ParsedEnvironment["TRUST_PROXY"]): boolean {
  return trust === true || (Array.isArray(trust) && trust.some((entry) => entry.endsWith("/0")));
}

function checkSessionSecrets(secrets: string[], production: boolean, errors: string[], warnings: string[]): void {
  const weak = secrets.filter((secret) => secret.length < MIN_SECRET_LENGTH).length;
  if (weak === 0) return;
  const message = `SESSION_SECRET: ${weak} of the secrets is shorter than ${MIN_SECRET_LENGTH} characters`;
  if (production) errors.push(`${message} (refused in production)`);
  else warnings.push(message);
}

function parseTokenKeys(text: string | undefined, errors: string[]): Buffer[] {
  return splitList(text).flatMap((encoded, index) => {
    const key = /^[A-Za-z0-9+/_-]+={0,2}$/.test(encoded) ? Buffer.from(encoded, "base64") : Buffer.alloc(0);
    if (key.length === 32) return [key];
    errors.push(`TOKEN_ENCRYPTION_KEY: key #${index + 1} must be 32 bytes in base64 (44 characters); generate one with: openssl rand -base64 32`);
    return [];
  });
}

function githubConfig(env: ParsedEnvironment, demoMode: boolean, publicUrl: string, errors: string[]): GitHubConfig {
  const common = {
    clientType: env.GITHUB_CLIENT_TYPE,
    scopes: withOrgScope(env.GITHUB_SCOPES, env.ALLOWED_ORGS),
    timeoutMs: env.GITHUB_TIMEOUT,
    proxyMethods: env.GITHUB_PROXY_METHODS,
  };
  if (demoMode) {
    if (env.GITHUB_BASE_URL || env.GITHUB_API_URL) {
      errors.push("GITHUB_BASE_URL / GITHUB_API_URL: set GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET too (without them the server runs the demo emulator)");
    }
    // The browser reaches the emulator through PUBLIC_URL; the server calls its own listener on
    // loopback, which works whatever name PUBLIC_URL uses.
    const serverBaseUrl = `http://127.0.0.1:${env.PORT}${EMULATOR_MOUNT_PATH}`;
    const baseUrl = `${publicUrl}${EMULATOR_MOUNT_PATH}`;
    return {
      ...common,
      clientId: DEMO_CLIENT_ID,
      clientSecret: DEMO_CLIENT_SECRET,
      baseUrl,
      apiUrl: `${baseUrl}/api/v3`,
      serverBaseUrl,
      serverApiUrl: `${serverBaseUrl}/api/v3`,
    };
  }
  const baseUrl = (env.GITHUB_BASE_URL ?? "https://github.com").replace(/\/+$/, "");
  const defaultApiUrl = baseUrl === "https://github.com" ? "https://api.github.com" : `${baseUrl}/api/v3`;
  const apiUrl = (env.GITHUB_API_URL ?? defaultApiUrl).replace(/\/+$/, "");
  return {
    ...common,
    clientId: env.GITHUB_CLIENT_ID ?? "",
    clientSecret: env.GITHUB_CLIENT_SECRET ?? "",
    baseUrl,
    apiUrl,
    serverBaseUrl: baseUrl,
    serverApiUrl: apiUrl,
  };
}

/** ALLOWED_ORGS needs org membership, which an OAuth App token can only read with read:org. */
function withOrgScope(scopes: string[], allowedOrgs: string[]): string[] {
  const coversOrgs = scopes.some((scope) => ["read:org", "write:org", "admin:org"].includes(scope));
  return allowedOrgs.length > 0 && !coversOrgs ? [...scopes, "read:org"] : scopes;
}
