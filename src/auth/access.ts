// Who may use this server (SPEC §7): everyone when every list is empty, otherwise a user who matches
// any entry of any list — a login, an active membership of an organisation or team, at least a
// permission on a repository. The decision is made at sign-in and again on every request: logins
// against the lists of this moment, memberships and permissions from what GitHub said at the last
// revalidation (the session's access facts, renewed at most PROFILE_MAX_AGE apart). A fact the
// session was never checked against is "unknown", not "refused": GitHub has to be asked once.
import { REPO_PERMISSIONS, isEmptyRules, type AccessRules } from "../config/access-rules.js";
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
  /** Learned for a per-route rule: renewed with the rest, kept when the server-wide lists change. */
  forRoute?: true;
}

export type AccessFacts = Record<string, AccessFact>;

export type AccessDecision =
  | { verdict: "allowed" }
  | { verdict: "unknown"; missing: string[] }
  | { verdict: "refused"; sso: { org: string; url: string } | null; unseenOrgs: string[] };

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

export function decideAccess(login: string, facts: AccessFacts | undefined, rules: AccessRules): AccessDecision {
  if (isEmptyRules(rules) || rules.users.includes(login.toLowerCase())) return { verdict: "allowed" };
  const missing: string[] = [];
  for (const [key, level] of requiredFacts(rules)) {
    const fact = facts?.[key];
    if (fact === undefined) missing.push(key);
    else if (fact.level >= level) return { verdict: "allowed" };
  }
  if (missing.length > 0) return { verdict: "unknown", missing };
  return { verdict: "refused", ...refusalReasons(facts ?? {}, rules) };
}

/** Why a refused user was refused, beyond "not on the lists": SAML single sign-on, or an app that cannot see an organisation. */
function refusalReasons(facts: AccessFacts, rules: AccessRules): { sso: { org: string; url: string } | null; unseenOrgs: string[] } {
  const named = [...requiredFacts(rules).keys()].map((key) => ({ key, fact: facts[key] }));
  const needsSso = named.find(({ fact }) => fact?.ssoUrl);
  const sso = needsSso ? { org: ownerOf(needsSso.key), url: needsSso.fact!.ssoUrl! } : null;
  const unseenOrgs = [...new Set(named.filter(({ fact }) => fact?.appCannotSee).map(({ key }) => ownerOf(key)))];
  return { sso, unseenOrgs };
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
