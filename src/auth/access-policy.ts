// The one access policy (SPEC §7): whether a user may use this server, or one route or OpenID
// Connect client of it, right now. Every caller asks here — sign-in, every request (the access
// gate), revalidation, device sign-in and the OpenID Connect provider — and acts on the verdict;
// nothing else interprets facts. The verdicts:
//   allowed      a list entry matches (or there are no lists).
//   unknown      GitHub has to be asked first: a fact the rules name was never checked, or the last
//                decision may not stand without GitHub (a revocation asked for it, or it is older
//                than PROFILE_MAX_AGE + ACCESS_MAX_STALE).
//   sso          refused until the user authorizes SAML single sign-on for an organisation; the
//                session is kept (it is not a lost membership).
//   refused      no entry matches, with the reason entry by entry (for the page and the log).
//   unconfirmed  the decision had to be confirmed and GitHub already failed to (503, session kept).
// Logins are matched against the rules of this moment; memberships and permissions come from the
// facts GitHub gave at the last revalidation (auth/access.ts).
import { REPO_PERMISSIONS, isEmptyRules, type AccessRules } from "../config/access-rules.js";
import { ownerOf, requiredFacts, type AccessFact, type AccessFacts } from "./access.js";

export type AccessDecision =
  | { verdict: "allowed" }
  | { verdict: "unknown"; missing: string[] }
  | { verdict: "sso"; org: string; url: string; reason: string }
  | { verdict: "refused"; reason: string; unseenOrgs: string[] }
  | { verdict: "unconfirmed"; reason: string };

/** Whose rules decide: the server-wide lists (ALLOWED_*), or a narrower rule (a route's, an OpenID Connect client's). */
export type RulesOf = "lists" | "rule";

/** What the session's own state says of its last decision (absent at sign-in: GitHub has just answered). */
export interface Standing {
  /** The last decision may not stand without GitHub's answer (revalidateFirst, or past the bound). */
  mustConfirm: boolean;
  /** GitHub failed to confirm it since (SignedInRecord.unconfirmedSince). */
  unconfirmedSince?: number;
}

export interface AccessQuestion {
  login: string;
  /** The facts that may be used (route facts past the bound already left out). */
  facts: AccessFacts | undefined;
  rules: AccessRules;
  rulesOf?: RulesOf;
  standing?: Standing;
}

/** The one "allowed" answer (on every request: no new object each time). */
const ALLOWED: AccessDecision = Object.freeze({ verdict: "allowed" });

/** A refusal names at most this many reasons (a list may be long); the rest are counted. */
const MAX_REASONS = 6;

export function decideAccess({ login, facts, rules, rulesOf = "lists", standing }: AccessQuestion): AccessDecision {
  const onFacts = decideOnFacts(login, facts, rules, rulesOf);
  // GitHub must be asked (the decision may not stand, or a fact is missing) but already failed to answer.
  const mustAsk = standing?.mustConfirm === true || onFacts.verdict === "unknown";
  if (mustAsk && standing?.unconfirmedSince !== undefined)
    return { verdict: "unconfirmed", reason: "GitHub failed to confirm at an earlier revalidation" };
  if (standing?.mustConfirm) return { verdict: "unknown", missing: [...requiredFacts(rules).keys()] };
  return onFacts;
}

function decideOnFacts(
  login: string,
  facts: AccessFacts | undefined,
  rules: AccessRules,
  rulesOf: RulesOf,
): Exclude<AccessDecision, { verdict: "unconfirmed" }> {
  if (isEmptyRules(rules) || rules.users.includes(login.toLowerCase())) return ALLOWED as { verdict: "allowed" };
  const missing: string[] = [];
  for (const [key, level] of requiredFacts(rules)) {
    const fact = facts?.[key];
    if (fact === undefined) missing.push(key);
    else if (fact.level >= level) return ALLOWED as { verdict: "allowed" };
  }
  if (missing.length > 0) return { verdict: "unknown", missing };
  const known = facts ?? {};
  const reason = reasonInWords(known, rules, rulesOf);
  const sso = ssoNeeded(known, rules);
  if (sso) return { verdict: "sso", ...sso, reason };
  return { verdict: "refused", reason, unseenOrgs: unseenOrgs(known, rules) };
}

/** The first organisation named by the rules whose answer was "SAML single sign-on not authorized". */
function ssoNeeded(facts: AccessFacts, rules: AccessRules): { org: string; url: string } | null {
  for (const key of requiredFacts(rules).keys()) {
    const url = facts[key]?.ssoUrl;
    if (url) return { org: ownerOf(key), url };
  }
  return null;
}

/** Organisations a GitHub App's token could not see (not installed there, or no Members permission). */
function unseenOrgs(facts: AccessFacts, rules: AccessRules): string[] {
  return [...new Set([...requiredFacts(rules).keys()].filter((key) => facts[key]?.appCannotSee).map(ownerOf))];
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
