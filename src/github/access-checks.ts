// What GitHub says about one thing an allow-list names, asked with the user's own token: active
// membership of an organisation or a team (pending invitations are not membership), or the user's
// permission on a repository (github-protocol.md §11). Each answer is conditional (If-None-Match),
// so an unchanged one costs no rate limit. Two 403s are not "not a member" and are told apart:
// SAML single sign-on the token has not been authorized for (`X-GitHub-SSO: required; url=…`), and
// a GitHub App that cannot see the organisation (not installed there, or no Members permission).
import type { ApiAnswer, GitHubContext } from "./github-call.js";
import { GitHubUnavailableError } from "./errors.js";
import { callAsUser } from "./user-api.js";

/** A repository permission as a level: 0 none, 1 read (pull), 2 triage, 3 write (push), 4 maintain, 5 admin. */
const PERMISSION_LEVELS: [string, number][] = [
  ["admin", 5],
  ["maintain", 4],
  ["push", 3],
  ["triage", 2],
  ["pull", 1],
];

export type AccessCheckAnswer =
  | { notModified: true }
  | {
      notModified: false;
      /** Organisations and teams: 1 an active member, 0 not. Repositories: the permission level (above). */
      level: number;
      etag: string | null;
      /** The organisation requires SAML single sign-on this token has not been authorized for: GitHub's URL for it. */
      ssoUrl: string | null;
      /** A GitHub App's token cannot see the organisation: the app is not installed there, or lacks the permission. */
      appCannotSee: boolean;
    };

export type AccessCheck =
  { kind: "org"; org: string } | { kind: "team"; org: string; slug: string; login: string } | { kind: "repo"; repo: string };

export async function checkAccess(
  context: GitHubContext,
  accessToken: string,
  check: AccessCheck,
  etag: string | null,
): Promise<AccessCheckAnswer> {
  const headers: Record<string, string> = etag ? { "if-none-match": etag } : {};
  const answer = await callAsUser(context, routeOf(check), accessToken, { headers, parameters: parametersOf(check) });
  if (answer.status === 304) return { notModified: true };
  if (answer.status === 200)
    return { notModified: false, level: levelOf(check, answer.data), etag: etagOf(answer), ssoUrl: null, appCannotSee: false };
  if (answer.status === 404) return refused(0, null, false);
  if (answer.status === 403) return refused(0, ssoUrlOf(answer), isIntegrationRefusal(answer));
  throw new GitHubUnavailableError(`${routeOf(check)}: unexpected HTTP ${answer.status}`);
}

function routeOf(check: AccessCheck): string {
  if (check.kind === "org") return "GET /user/memberships/orgs/{org}";
  if (check.kind === "team") return "GET /orgs/{org}/teams/{team_slug}/memberships/{username}";
  return "GET /repos/{owner}/{repo}";
}

function parametersOf(check: AccessCheck): Record<string, string> {
  if (check.kind === "org") return { org: check.org };
  if (check.kind === "team") return { org: check.org, team_slug: check.slug, username: check.login };
  const [owner = "", repo = ""] = check.repo.split("/");
  return { owner, repo };
}

function levelOf(check: AccessCheck, data: unknown): number {
  if (check.kind !== "repo") return (data as { state?: unknown } | null)?.state === "active" ? 1 : 0;
  const permissions = (data as { permissions?: Record<string, unknown> } | null)?.permissions ?? {};
  return PERMISSION_LEVELS.find(([name]) => permissions[name] === true)?.[1] ?? 0;
}

const refused = (level: number, ssoUrl: string | null, appCannotSee: boolean): AccessCheckAnswer => ({
  notModified: false,
  level,
  etag: null,
  ssoUrl,
  appCannotSee,
});

const etagOf = (answer: ApiAnswer) => (typeof answer.headers.etag === "string" ? answer.headers.etag : null);

/** `X-GitHub-SSO: required; url=https://github.com/orgs/acme/sso?authorization_request=…` → the URL. */
function ssoUrlOf(answer: ApiAnswer): string | null {
  const header = String(answer.headers["x-github-sso"] ?? "");
  const match = /^\s*required\s*;\s*url=(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}

/** GitHub's answer to an integration (GitHub App) token asking beyond its installation or permissions. */
function isIntegrationRefusal(answer: ApiAnswer): boolean {
  const message = String((answer.data as { message?: unknown } | null)?.message ?? "");
  return /not accessible by integration/i.test(message) || answer.headers["x-accepted-github-permissions"] !== undefined;
}
