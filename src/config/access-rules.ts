// Who may pass, as lists (SPEC §7): logins, organisations, teams (`org/team-slug`) and repositories
// (`owner/repo` or `owner/repo:permission`). The same forms serve the server-wide variables
// (ALLOWED_USERS, ALLOWED_ORGS, ALLOWED_TEAMS, ALLOWED_REPOS) and the per-route rules of
// `/auth/check?users=&orgs=&teams=&repos=`, so both are read by this one parser. Names are kept
// lowercase: GitHub compares logins, organisations, team slugs and repository names that way.
import { isGitHubName, splitList } from "./lists.js";

/** GitHub's repository roles, weakest first; `read` is GitHub's `pull`, `write` its `push`. */
export const REPO_PERMISSIONS = ["read", "triage", "write", "maintain", "admin"] as const;
export type RepoPermission = (typeof REPO_PERMISSIONS)[number];

export interface RepoRequirement {
  /** `owner/name`, lowercase. */
  repo: string;
  /** At least this permission on it. */
  permission: RepoPermission;
}

export interface AccessRules {
  users: string[];
  orgs: string[];
  /** `org/team-slug`, lowercase. */
  teams: string[];
  repos: RepoRequirement[];
}

export type AccessRuleLists = { [list in keyof AccessRules]?: string | undefined };

export type ParsedAccessRules = { ok: true; rules: AccessRules } | { ok: false; errors: string[] };

/**
 * At most this many entries in a per-route rule, its lists together (SPEC §7): a rule is written by
 * an operator, but a client can send its own, and each entry may cost a GitHub call.
 */
export const MAX_RULE_ENTRIES = 16;

const TEAM_SLUG = /^[a-z0-9][a-z0-9_.-]{0,99}$/;
const REPO_NAME = /^[A-Za-z0-9._-]{1,100}$/;

export const NO_RULES: AccessRules = Object.freeze({ users: [], orgs: [], teams: [], repos: [] });

export function isEmptyRules(rules: AccessRules): boolean {
  return rules.users.length === 0 && rules.orgs.length === 0 && rules.teams.length === 0 && rules.repos.length === 0;
}

/**
 * `names` says how a problem names each list ("ALLOWED_TEAMS", or "teams" for a query);
 * `maxEntries` bounds each list (per-route rules: MAX_RULE_ENTRIES; the variables: no bound).
 * `quoteEntries`: a problem quotes the entry (the variables), or gives its position only (a query
 * a client may have written, whose text is not to be repeated into logs).
 */
export function parseAccessRules(
  lists: AccessRuleLists,
  names: { [list in keyof AccessRules]: string },
  maxEntries = Number.POSITIVE_INFINITY,
  quoteEntries = true,
): ParsedAccessRules {
  const errors: string[] = [];
  const accept = (valid: boolean, entry: string, index: number, list: string, form: string) => {
    if (!valid) errors.push(`${list}: ${quoteEntries ? `"${entry.slice(0, 120)}"` : `entry ${index + 1}`} is not ${form}`);
    return valid;
  };
  const entries = (list: keyof AccessRules) => {
    const items = splitList(lists[list]);
    if (items.length > maxEntries) errors.push(`${names[list]}: at most ${maxEntries} entries`);
    return items.slice(0, maxEntries);
  };
  const rules: AccessRules = {
    users: entries("users")
      .filter((entry, index) => accept(isGitHubName(entry), entry, index, names.users, "a GitHub login"))
      .map(lower),
    orgs: entries("orgs")
      .filter((entry, index) => accept(isGitHubName(entry), entry, index, names.orgs, "an organisation name"))
      .map(lower),
    teams: entries("teams")
      .filter((entry, index) => accept(isTeam(entry), entry, index, names.teams, "org/team-slug"))
      .map(lower),
    repos: entries("repos").flatMap((entry, index) => {
      const requirement = repoRequirement(entry);
      return accept(
        requirement !== null,
        entry,
        index,
        names.repos,
        "owner/repo or owner/repo:permission (read, triage, write, maintain, admin)",
      )
        ? [requirement!]
        : [];
    }),
  };
  return errors.length > 0 ? { ok: false, errors } : { ok: true, rules };
}

const lower = (text: string) => text.toLowerCase();

function isTeam(entry: string): boolean {
  const [org, slug, ...rest] = entry.split("/");
  return rest.length === 0 && org !== undefined && slug !== undefined && isGitHubName(org) && TEAM_SLUG.test(slug.toLowerCase());
}

function repoRequirement(entry: string): RepoRequirement | null {
  const [name, permission = "read", ...rest] = entry.split(":");
  const [owner, repo, ...more] = (name ?? "").split("/");
  if (
    rest.length > 0 ||
    more.length > 0 ||
    !owner ||
    !repo ||
    !isGitHubName(owner) ||
    !REPO_NAME.test(repo) ||
    repo === "." ||
    repo === ".."
  )
    return null;
  if (!(REPO_PERMISSIONS as readonly string[]).includes(permission)) return null;
  return { repo: `${owner}/${repo}`.toLowerCase(), permission: permission as RepoPermission };
}
