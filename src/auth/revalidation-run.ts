// One revalidation of a session with GitHub (revalidation.ts decides when): the profile
// (If-None-Match, so an unchanged one costs no rate limit) and with it the token itself, the facts
// the server's lists need, and the per-route facts older than PROFILE_MAX_AGE, the longest
// unanswered first, as far as the call budget goes (github-call-budget.ts); those it does not reach
// stay due, and the next revalidation renews them. A user the lists no longer allow is signed out.
import type { Logger } from "pino";
import type { Config } from "../config/config.js";
import type { Clock } from "../clock.js";
import type { GitHubClient, UserFetchResult } from "../github/client.js";
import type { SessionEntries } from "../store/session-entries.js";
import { missingFacts, requiredFacts, serverRules, type AccessFacts } from "./access.js";
import { decideAccess, type AccessDecision } from "./access-policy.js";
import { askGitHub, asRouteFacts, listFactsOf, routeFactsCheckedBefore, routeFactsOf } from "./access-facts.js";
import type { SessionEndReason } from "./audit.js";
import { withCountedToken, type CallBudget } from "./github-call-budget.js";
import type { SignedInRecord } from "./session-record.js";
import { updateRecord } from "./session-updates.js";
import type { TokenRefresher } from "./token-refresh.js";

export interface RevalidationRunDependencies {
  config: Config;
  clock: Clock;
  github: GitHubClient;
  entries: SessionEntries;
  refresher: TokenRefresher;
  logger: Logger;
  /** Ends a session whose user is no longer on the allow-lists. */
  endSession: (sessionId: string, record: SignedInRecord, reason: SessionEndReason) => Promise<void>;
}

export interface RevalidateOptions {
  budget: CallBudget;
  /** Ask for the profile and the lists' facts even when the profile is not due (a decision that must be confirmed now). */
  force?: boolean;
  /**
   * Renew only these route facts (when due): a request waiting on this revalidation renews those
   * of its own rule and leaves the others to a revalidation behind a later request. All when absent.
   */
  only?: readonly string[];
}

/** Why a revalidation ended a session: the policy's verdict, "refused" or "unknown" (GitHub did not answer for a fact the lists name). */
export type Refusal = Extract<AccessDecision, { verdict: "refused" | "unknown" }>;

/**
 * What a revalidation found: the record as now stored, or that the session has ended (the user is
 * no longer allowed, or the session was ended elsewhere meanwhile).
 */
export type Revalidated =
  { ended: false; record: SignedInRecord } | { ended: true; reason: "not_allowed"; refusal: Refusal } | { ended: true; reason: "gone" };

export async function runRevalidation(
  deps: RevalidationRunDependencies,
  sessionId: string,
  record: SignedInRecord,
  options: RevalidateOptions,
): Promise<Revalidated> {
  const { config, clock, github, entries, refresher, logger } = deps;
  const rules = serverRules(config);
  const startedAt = clock.now();
  const withProfile =
    options.force ||
    record.revalidateFirst ||
    startedAt - record.profileFetchedAt > config.profileMaxAgeMs ||
    missingFacts(record.access, rules).length > 0;
  const listKeys = [...requiredFacts(rules).keys()];
  const due = routeFactsCheckedBefore(record.access, startedAt - config.profileMaxAgeMs);
  const routeKeys = due.filter((key) => !listKeys.includes(key) && (options.only === undefined || options.only.includes(key)));
  const { record: current, result } = await withCountedToken(refresher, options.budget, sessionId, record, async (accessToken) => {
    const profile = withProfile ? await fetchProfile(github, accessToken, record, options.budget) : null;
    const login = profile && !profile.notModified ? profile.profile.login : record.user.login;
    // The operator's own lists are always asked in full; what they cost is drawn from the budget first.
    const lists = withProfile ? await askGitHub(github, accessToken, login, listKeys, record.access) : null;
    if (lists) options.budget.spend(Object.keys(lists).length);
    const route = await askGitHub(github, accessToken, login, routeKeys, record.access, options.budget);
    return { profile, login, lists, route };
  });
  const { profile, login, lists, route } = result;
  const decision = lists ? decideAccess({ login, facts: lists, rules }) : null;
  // Single sign-on that lapsed is not a lost membership: the session stays, refused until the user
  // authorizes it again (the gate's page links to GitHub for that).
  if (decision?.verdict === "refused" || decision?.verdict === "unknown") {
    const reason = decision.verdict === "refused" ? decision.reason : "not_allowed";
    logger.info({ userId: current.user.id, login, reason }, "session ended: no longer allowed by the allow-lists");
    await deps.endSession(sessionId, current, "not_allowed");
    return { ended: true, reason: "not_allowed", refusal: decision };
  }
  const answeredAt = clock.now();
  const written = await updateRecord(entries, sessionId, (latest) =>
    withFacts({
      ...confirmedBy(latest, record),
      ...(profile && !profile.notModified ? { user: profile.profile, profileEtag: profile.etag } : {}),
      ...(withProfile ? { profileFetchedAt: answeredAt } : {}),
      access: nextFacts(latest.access, lists, asRouteFacts(route, answeredAt), listKeys),
    }),
  );
  return written ? { ended: false, record: written } : { ended: true, reason: "gone" };
}

/**
 * The stored facts after this revalidation: the lists' facts as GitHub answered them (or as stored,
 * when they were not asked), and the route facts as stored, with those just renewed replaced in
 * place. Facts of the lists that no longer need them go; one a per-route rule added meanwhile stays.
 */
function nextFacts(latest: AccessFacts | undefined, lists: AccessFacts | null, renewed: AccessFacts, listKeys: string[]): AccessFacts {
  const stored = listFactsOf(latest);
  const listFacts = lists ?? Object.fromEntries(listKeys.filter((key) => stored[key] !== undefined).map((key) => [key, stored[key]!]));
  const route = routeFactsOf(latest);
  for (const key of listKeys) delete route[key];
  for (const [key, fact] of Object.entries(renewed)) if (route[key] !== undefined) route[key] = fact;
  return { ...listFacts, ...route };
}

/**
 * `latest` without what a successful revalidation answers: the failure mark, and the flag asking
 * for this revalidation. A flag set while GitHub was being asked (the record this revalidation
 * started from had none) stays: that revocation is not answered by this revalidation.
 */
function confirmedBy(latest: SignedInRecord, started: SignedInRecord): SignedInRecord {
  const { unconfirmedSince: _failedSince, revalidateFirst, ...rest } = latest;
  return revalidateFirst && !started.revalidateFirst ? { ...rest, revalidateFirst } : rest;
}

/** A record holds `access` only when there are facts: most deployments have no lists at all. */
function withFacts(record: SignedInRecord): SignedInRecord {
  if (record.access && Object.keys(record.access).length > 0) return record;
  const { access: _none, ...rest } = record;
  return rest;
}

async function fetchProfile(
  github: GitHubClient,
  accessToken: string,
  cached: SignedInRecord,
  budget: CallBudget,
): Promise<UserFetchResult> {
  budget.spend();
  const answer = await github.fetchUser(accessToken, cached.profileEtag);
  if (answer.notModified || answer.profile.email) return answer;
  // A private email comes from /user/emails, as at sign-in; keep the one we had if that fails or no call is left.
  const email = budget.take() ? await github.fetchPrimaryEmail(accessToken).catch(() => cached.user.email) : cached.user.email;
  return { ...answer, profile: { ...answer.profile, email } };
}
