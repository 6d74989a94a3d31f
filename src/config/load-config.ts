// environment → validated Config. Every problem is collected and reported together, so an operator
// fixes a broken deployment in one pass instead of one restart per mistake. Each concept checks and
// builds its own part (public-url, github-config, demo-mode, redis-config, secrets, session-config,
// warnings); this file parses the variables and puts the parts together.
import { readAccessRules } from "./access-config.js";
import type { Config } from "./config.js";
import { isDemoMode, refuseDemoModeInProduction, warnAboutDemoMode } from "./demo-mode.js";
import { githubConfig, requireClientCredentialsTogether } from "./github-config.js";
import type { ConfigProblems } from "./problems.js";
import { readOidcConfig } from "./oidc-config.js";
import { requireProductionSettings } from "./production.js";
import { readProtectedHosts, requireLoopbackOverHttp } from "./protected-hosts.js";
import { readPublicUrl, requireHttpsInProduction, usesSecureCookies } from "./public-url.js";
import { redisConfig } from "./redis-config.js";
import { environmentSchema, type ParsedEnvironment } from "./schema.js";
import { readSecrets } from "./secrets.js";
import { sessionConfig } from "./session-config.js";
import { warnAboutOpenEndpoints, warnAboutPrivateRepos, warnAboutProxyTrust } from "./warnings.js";

export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] };

export function loadConfig(environment: Record<string, string | undefined>): ConfigResult {
  const problems: ConfigProblems = { errors: [], warnings: [] };
  const config = buildConfig(parseEachVariable(environment, problems.errors), problems);
  return problems.errors.length > 0 ? { ok: false, errors: problems.errors } : { ok: true, config: Object.freeze(config) };
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

/**
 * The checks run in the order their problems are told: the allow-lists' entries (with the other
 * bad values), the public URL, what production requires, then each part.
 */
function buildConfig(env: ParsedEnvironment, problems: ConfigProblems): Config {
  const { errors, warnings } = problems;
  const access = readAccessRules(env, errors);
  const production = env.NODE_ENV === "production";
  const demoMode = isDemoMode(env);
  const publicUrl = readPublicUrl(env, errors);
  if (production) requireProductionSettings(env, errors);
  requireHttpsInProduction(publicUrl, production, errors);
  const protectedHosts = readProtectedHosts(env.PROTECTED_HOSTS, publicUrl, errors);
  requireLoopbackOverHttp(protectedHosts, publicUrl, production, errors);
  requireClientCredentialsTogether(env, errors);
  refuseDemoModeInProduction(demoMode, production, errors);
  const redis = redisConfig(env, errors);
  warnAboutDemoMode(demoMode, redis, warnings);
  warnAboutOpenEndpoints(env, production, warnings);
  const { sessionSecrets, tokenEncryptionKeys } = readSecrets(env, production, problems);
  const secureCookies = usesSecureCookies(publicUrl);
  warnAboutProxyTrust(env, secureCookies, warnings);
  warnAboutPrivateRepos(env, access, warnings);
  return {
    production,
    demoMode,
    port: env.PORT,
    host: env.HOST ?? (demoMode ? "127.0.0.1" : "0.0.0.0"),
    publicUrl,
    callbackUrl: `${publicUrl}/auth/github/callback`,
    protectedHosts,
    github: githubConfig(env, demoMode, publicUrl, access, errors),
    redis,
    session: sessionConfig(env, sessionSecrets, secureCookies),
    tokenEncryptionKeys,
    trustProxy: env.TRUST_PROXY,
    allowedUsers: access.users,
    allowedOrgs: access.orgs,
    allowedTeams: access.teams,
    allowedRepos: access.repos,
    corsOrigins: env.CORS_ORIGINS,
    authRateLimit: env.AUTH_RATE_LIMIT,
    webhookSecret: env.GITHUB_WEBHOOK_SECRET ?? null,
    metricsToken: env.METRICS_TOKEN ?? null,
    profileMaxAgeMs: env.PROFILE_MAX_AGE,
    accessMaxStaleMs: env.ACCESS_MAX_STALE,
    deviceFlow: env.DEVICE_FLOW,
    oidc: readOidcConfig(env, { demoMode, production }, problems),
    logLevel: env.LOG_LEVEL,
    warnings,
  };
}
