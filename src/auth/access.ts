// The vocabulary of access (SPEC §7): the facts GitHub gave about the memberships and permissions
// the rules name, keyed `org:acme`, `team:acme/ops`, `repo:acme/app`, which facts a set of rules is
// decided on, and the groups a user is in. Whether a user is allowed is decided in one place only,
// from these (access-policy.ts). A fact the session was never checked against is absent here, which
// the policy calls "unknown", not "refused": GitHub has to be asked once.
import { REPO_PERMISSIONS, type AccessRules } from "../config/access-rules.js";
import type { Config } from "../config/config.js";

/**
 * What GitHub said of one thing a list names, keyed `org:acme`, `team:acme/ops` or `repo:acme/app`.
 * `level`: 1 an active member (0 not), or the repository permission (0 none … 5 admin).
 */
export interface AccessFact {
  level: number;
  /** GitHub's ETag for the answer, so the next check is conditional. */
  etag?: string;
  /** The organisation requires SAML single sign-on that the token has not been authorized for. */
  ssoUrl?: string;
  /** A GitHub App's token cannot see the organisation (not installed there, or no Members permission). */
  appCannotSee?: true;
  /**
   * When GitHub last answered, for a fact learned for a per-route rule (absent for the server-wide
   * lists' own, which are renewed with the profile). Each route fact is renewed once older than
   * PROFILE_MAX_AGE, and not used past PROFILE_MAX_AGE + ACCESS_MAX_STALE; kept when the lists change.
   */
  checkedAt?: number;
}

export type AccessFacts = Record<string, AccessFact>;

const rulesByConfig = new WeakMap<Config, AccessRules>();

/** The server-wide lists as rules: one object per configuration, so what is derived from it is worked out once. */
export function serverRules(config: Config): AccessRules {
  let rules = rulesByConfig.get(config);
  if (!rules) {
    rules = { users: config.allowedUsers, orgs: config.allowedOrgs, teams: config.allowedTeams, repos: config.allowedRepos };
    rulesByConfig.set(config, rules);
  }
  return rules;
}

/** Worked out once per rules object: the server's lists are one object, and a route's rules are kept per query string. */
const requiredByRules = new WeakMap<AccessRules, ReadonlyMap<string, number>>();

/** The facts a set of rules is decided on, each with the level that satisfies it. */
export function requiredFacts(rules: AccessRules): ReadonlyMap<string, number> {
  const known = requiredByRules.get(rules);
  if (known) return known;
  const required = new Map<string, number>();
  for (const org of rules.orgs) required.set(`org:${org}`, 1);
  for (const team of rules.teams) required.set(`team:${team}`, 1);
  for (const { repo, permission } of rules.repos) {
    const level = REPO_PERMISSIONS.indexOf(permission) + 1;
    required.set(`repo:${repo}`, Math.max(level, required.get(`repo:${repo}`) ?? 0));
  }
  requiredByRules.set(rules, required);
  return required;
}

/** The facts `rules` are decided on that `facts` does not hold: GitHub has not been asked about them yet. */
export function missingFacts(facts: AccessFacts | undefined, rules: AccessRules): string[] {
  const missing: string[] = [];
  for (const key of requiredFacts(rules).keys()) if (facts?.[key] === undefined) missing.push(key);
  return missing;
}

/** True when `facts` holds every fact `rules` are decided on (missingFacts without building the list: on every check). */
export function holdsAllFacts(facts: AccessFacts | undefined, rules: AccessRules): boolean {
  for (const key of requiredFacts(rules).keys()) if (facts?.[key] === undefined) return false;
  return true;
}

/** The organisation a fact is about: `team:acme/ops` → `acme`, `repo:acme/app` → `acme`. */
export function ownerOf(key: string): string {
  const name = key.slice(key.indexOf(":") + 1);
  return name.split("/")[0]!;
}

/** The organisations and teams named by the rules that the user is an active member of (X-Auth-Request-Groups). */
export function groupsOf(facts: AccessFacts | undefined, ...ruleSets: AccessRules[]): string[] {
  const groups = new Set<string>();
  for (const rules of ruleSets) {
    for (const org of rules.orgs) if ((facts?.[`org:${org}`]?.level ?? 0) >= 1) groups.add(org);
    for (const team of rules.teams) if ((facts?.[`team:${team}`]?.level ?? 0) >= 1) groups.add(team);
  }
  return [...groups];
}
