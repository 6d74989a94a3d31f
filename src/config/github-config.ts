// Which GitHub this server signs people in with: github.com, a GitHub Enterprise Server, or the
// demo emulator; the client's credentials; and the scopes an OAuth App must ask for.
import type { AccessRules } from "./access-rules.js";
import type { GitHubConfig } from "./config.js";
import { demoGitHubEndpoints } from "./demo-mode.js";
import type { ParsedEnvironment } from "./schema.js";

const GITHUB_COM = "https://github.com";

/** An id without its secret (or the reverse) is a half-finished set-up, not demo mode. */
export function requireClientCredentialsTogether(env: ParsedEnvironment, errors: string[]): void {
  if (Boolean(env.GITHUB_CLIENT_ID) !== Boolean(env.GITHUB_CLIENT_SECRET)) {
    errors.push("GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET: set both (or neither, for demo mode)");
  }
}

export function githubConfig(
  env: ParsedEnvironment,
  demoMode: boolean,
  publicUrl: string,
  access: AccessRules,
  errors: string[],
): GitHubConfig {
  const common = {
    clientType: env.GITHUB_CLIENT_TYPE,
    scopes: withOrgScope(env.GITHUB_SCOPES, access),
    timeoutMs: env.GITHUB_TIMEOUT,
    proxyMethods: env.GITHUB_PROXY_METHODS,
  };
  return { ...common, ...(demoMode ? demoGitHubEndpoints(env, publicUrl, errors) : configuredEndpoints(env)) };
}

/** The configured GitHub; the server reaches it at the same addresses browsers do. */
function configuredEndpoints(env: ParsedEnvironment) {
  const baseUrl = (env.GITHUB_BASE_URL ?? GITHUB_COM).replace(/\/+$/, "");
  const apiUrl = (env.GITHUB_API_URL ?? defaultApiUrlFor(baseUrl)).replace(/\/+$/, "");
  return {
    clientId: env.GITHUB_CLIENT_ID ?? "",
    clientSecret: env.GITHUB_CLIENT_SECRET ?? "",
    baseUrl,
    apiUrl,
    serverBaseUrl: baseUrl,
    serverApiUrl: apiUrl,
  };
}

/**
 * Where GitHub's REST API lives for a web origin, as GitHub documents it: github.com's is
 * api.github.com; GitHub Enterprise Cloud with data residency (`https://octocorp.ghe.com`) puts it
 * on the `api.` subdomain (`https://api.octocorp.ghe.com`); a GitHub Enterprise Server serves it
 * under `/api/v3` on its own host.
 */
export function defaultApiUrlFor(baseUrl: string): string {
  if (baseUrl === GITHUB_COM) return "https://api.github.com";
  const { protocol, host, hostname } = new URL(baseUrl);
  if (hostname.endsWith(".ghe.com")) return `${protocol}//api.${host}`;
  return `${baseUrl}/api/v3`;
}

/**
 * ALLOWED_ORGS and ALLOWED_TEAMS need org and team memberships, which an OAuth App token can only
 * read with read:org. (A GitHub App ignores scopes: it needs the organisation permission
 * "Members: read" and to be installed on those organisations.) ALLOWED_REPOS gets no scope here:
 * private repositories need `repo`, read/write on all of the user's repositories, which only the
 * operator may choose to ask for (warnings.ts says so).
 */
function withOrgScope(scopes: string[], access: AccessRules): string[] {
  const readsMemberships = access.orgs.length > 0 || access.teams.length > 0;
  const coversOrgs = scopes.some((scope) => ["read:org", "write:org", "admin:org"].includes(scope));
  return readsMemberships && !coversOrgs ? [...scopes, "read:org"] : scopes;
}
