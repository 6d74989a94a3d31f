// Settings that start fine but leave something open, told as warnings at start: an unguarded
// /metrics, an unlimited sign-in, a TRUST_PROXY that keeps Secure cookies from being set behind a
// TLS-terminating proxy, or an ALLOWED_REPOS whose private repositories the OAuth App's token cannot
// see. (A TRUST_PROXY that trusts every sender is refused in production: production.ts.)
import type { AccessRules } from "./access-rules.js";
import type { ParsedEnvironment } from "./schema.js";

export function warnAboutOpenEndpoints(env: ParsedEnvironment, production: boolean, warnings: string[]): void {
  if (production && !env.METRICS_TOKEN) {
    warnings.push(
      "METRICS_TOKEN is not set: /metrics answers anyone who reaches this server; set it, or keep /metrics off the public proxy.",
    );
  }
  if (env.AUTH_RATE_LIMIT === null) warnings.push("AUTH_RATE_LIMIT=off: sign-in routes are not rate limited.");
}

export function warnAboutProxyTrust(env: ParsedEnvironment, secureCookies: boolean, warnings: string[]): void {
  if (secureCookies && env.TRUST_PROXY === false) {
    warnings.push(
      "PUBLIC_URL is https but TRUST_PROXY is false: behind a TLS-terminating proxy, set TRUST_PROXY or no session cookie will be set.",
    );
  }
}

/**
 * An OAuth App token sees a private repository only with the `repo` scope, and GitHub answers 404
 * to one that cannot see it, so such a repository on ALLOWED_REPOS refuses everyone. The scope is
 * not added for the operator (it grants read/write on all of the user's repositories); the warning
 * says what it costs, and what grants less.
 */
export function warnAboutPrivateRepos(env: ParsedEnvironment, access: AccessRules, warnings: string[]): void {
  if (access.repos.length === 0 || env.GITHUB_CLIENT_TYPE === "github-app" || env.GITHUB_SCOPES.includes("repo")) return;
  warnings.push(
    "ALLOWED_REPOS: GITHUB_SCOPES does not include `repo`, so an OAuth App's token cannot see private repositories: " +
      "private repositories on the list will refuse everyone until `repo` is added to GITHUB_SCOPES " +
      "(which grants read/write access to all of the user's repositories, public and private). " +
      'A GitHub App grants less: access per repository, with the "Metadata: read" permission ' +
      "(set GITHUB_CLIENT_TYPE=github-app when the app is one).",
  );
}
