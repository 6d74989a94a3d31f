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
  /**
   * When GitHub last answered, for a fact learned for a per-route rule (absent for the server-wide
   * lists' own, which are renewed with the profile). Each route fact is renewed once older than
   * PROFILE_MAX_AGE, and not used past PROFILE_MAX_AGE + ACCESS_MAX_STALE; kept when the lists change.
   */
  checkedAt?: number;
}

export type AccessFacts = Record<string, AccessFact>;

export type AccessDecision =
  | { verdict: "allowed" }
  | { verdict: "unknown"; missing: string[] }
  | { verdict: "refused"; sso: { org: string; url: string } | null; unseenOrgs: string[]; reason: string };

/** Whose rules decide: the server-wide lists (ALLOWED_*), or the per-route rule of one location. */
export type RulesOf = "lists" | "rule";

/** A refusal names at most this many reasons (a list may be long); the rest are counted. */
const MAX_REASONS = 6;

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

export function decideAccess(login: string, facts: AccessFacts | undefined, rules: AccessRules, rulesOf: RulesOf = "lists"): AccessDecision {
  if (isEmptyRules(rules) || rules.users.includes(login.toLowerCase())) return { verdict: "allowed" };
  const missing: string[] = [];
  for (const [key, level] of requiredFacts(rules)) {
    const fact = facts?.[key];
    if (fact === undefined) missing.push(key);
    else if (fact.level >= level) return { verdict: "allowed" };
  }
  if (missing.length > 0) return { verdict: "unknown", missing };
  return { verdict: "refused", ...refusalReasons(facts ?? {}, rules), reason: reasonInWords(facts ?? {}, rules, rulesOf) };
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

/** Why a refused user was refused, beyond "not on the lists": SAML single sign-on, or an app that cannot see an organisation. */
function refusalReasons(facts: AccessFacts, rules: AccessRules): { sso: { org: string; url: string } | null; unseenOrgs: string[] } {
  const named = [...requiredFacts(rules).keys()].map((key) => ({ key, fact: facts[key] }));
  const needsSso = named.find(({ fact }) => fact?.ssoUrl);
  const sso = needsSso ? { org: ownerOf(needsSso.key), url: needsSso.fact!.ssoUrl! } : null;
  const unseenOrgs = [...new Set(named.filter(({ fact }) => fact?.appCannotSee).map(({ key }) => ownerOf(key)))];
  return { sso, unseenOrgs };
}

/**
 * Why `facts` do not let a user in by `rules`, entry by entry (SPEC §7): not on ALLOWED_USERS, not
 * an active member of acme/ops, only read on acme/app where write is needed, SAML single sign-on not
 * authorized for ssocorp, the app cannot see globex.
 */
function reasonInWords(facts: AccessFacts, rules: AccessRules, rulesOf: RulesOf): string {
  const reasons: string[] = [];
  if (rules.users.length > 0) reasons.push(rulesOf === "lists" ? "not on ALLOWED_USERS" : "not among the users this location allows");
  for (const [key, level] of requiredFacts(rules)) reasons.push(factInWords(key, level, facts[key]));
  const more = reasons.length - MAX_REASONS;
  return more > 0 ? `${reasons.slice(0, MAX_REASONS).join("; ")}; and ${more} more` : reasons.join("; ");
}

function factInWords(key: string, needed: number, fact: AccessFact | undefined): string {
  const name = key.slice(key.indexOf(":") + 1);
  if (!fact) return `${name} not checked yet`;
  if (fact.ssoUrl) return `SAML single sign-on not authorized for ${ownerOf(key)}`;
  if (fact.appCannotSee) return `the app cannot see ${ownerOf(key)}`;
  if (!key.startsWith("repo:")) return `not an active member of ${name}`;
  if (fact.level === 0) return `no access to ${name}`;
  return `only ${REPO_PERMISSIONS[fact.level - 1]} on ${name} where ${REPO_PERMISSIONS[needed - 1]} is needed`;
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
