// The allow-lists on every request (SPEC §7): a session is only as good as its user's access right
// now. Logins are checked against the configuration of this moment; memberships come from the last
// revalidation, and a revalidation that is due is started without making this request wait. A
// request waits on GitHub only when the last decision may not stand: it is unknown (the lists
// changed), older than PROFILE_MAX_AGE + ACCESS_MAX_STALE (the session was idle that long), or a
// revocation asked for it (revalidateFirst); and once GitHub has failed to confirm such a decision,
// requests are refused at once (503 access_unconfirmed, session kept) while background revalidations
// keep asking. A per-route rule's facts the session does not hold are asked once, all of them (the
// groups header names every group the rule names), within the request's GitHub call budget.
import type { Logger } from "pino";
import type { Config } from "../config/config.js";
import { sessionEnded } from "../errors.js";
import type { AccessRules } from "../config/access-rules.js";
import { holdsAllFacts, missingFacts, requiredFacts, serverRules, type AccessFacts } from "./access.js";
import { decideAccess, type AccessDecision, type Standing } from "./access-policy.js";
import { accessUnconfirmed, refusalError, refusalFor } from "./access-refusals.js";
import { callBudget, type CallBudget } from "./github-call-budget.js";
import type { RuleFacts } from "./rule-facts.js";
import { unconfirmedReason, type Revalidated, type Revalidation } from "./revalidation.js";
import type { SignedInRecord } from "./session-record.js";
import type { TokenRefresher } from "./token-refresh.js";

export interface AccessGateDependencies {
  config: Config;
  revalidation: Revalidation;
  refresher: TokenRefresher;
  ruleFacts: RuleFacts;
  logger: Logger;
}

export interface AdmitOptions {
  /**
   * GET /api/me, whose answer is the profile itself: wait for a revalidation that is due, and
   * refresh an expiring token (SPEC §3). When GitHub cannot be reached the cached profile is
   * served, within ACCESS_MAX_STALE. Other routes never wait for GitHub when nothing must be confirmed.
   */
  waitForGitHub?: boolean;
  /**
   * A per-route rule (`/auth/check?teams=…`): the user must also match one of its entries. Facts it
   * needs that the session does not hold are asked of GitHub on this request, once.
   */
  routeRules?: AccessRules;
}

/** A rule whose facts did not all fit in one request's GitHub calls: the next request asks the rest. */
const NEXT_REQUEST_SECONDS = 1;

/** What every step of the gate shares. */
interface Gate extends AccessGateDependencies {
  server: AccessRules;
}

export function createAccessGate(deps: AccessGateDependencies) {
  const gate: Gate = { ...deps, server: serverRules(deps.config) };
  return {
    /** The session's record when its user may use it now; throws not_allowed (403), access_unconfirmed (503)… otherwise. */
    admit: (sessionId: string, record: SignedInRecord, options: AdmitOptions = {}) => admit(gate, sessionId, record, options),
  };
}

export type AccessGate = ReturnType<typeof createAccessGate>;

/** The one policy (access-policy.ts), with the server's lists unless a narrower rule is given. */
const decide = (
  gate: Gate,
  record: SignedInRecord,
  rules: AccessRules = gate.server,
  facts: AccessFacts | undefined = record.access,
  standing?: Standing,
) => decideAccess({ login: record.user.login, facts, rules, rulesOf: rules === gate.server ? "lists" : "rule", standing });

/** What the session's own state says of its last decision: a revocation asked for a revalidation first, or it is past the bound. */
const standingOf = (gate: Gate, record: SignedInRecord): Standing => ({
  mustConfirm: record.revalidateFirst === true || gate.revalidation.isExpired(record),
  unconfirmedSince: record.unconfirmedSince,
});

/** A revalidation is wanted: something is due, or the lists name a fact the session was never checked against. */
const wantsRevalidation = (gate: Gate, record: SignedInRecord) =>
  gate.revalidation.isDue(record) || !holdsAllFacts(record.access, gate.server);

async function admit(gate: Gate, sessionId: string, record: SignedInRecord, options: AdmitOptions): Promise<SignedInRecord> {
  const budget = callBudget();
  const { record: current, decided } = await confirmed(gate, sessionId, record, options, budget);
  const decision = decided ?? decide(gate, current);
  if (decision.verdict !== "allowed") {
    // Refused by what is known now (e.g. taken off ALLOWED_USERS): GitHub may know better (a new
    // membership), so ask it; if it agrees, the revalidation ends the session. A session waiting
    // for single sign-on is kept, so it is asked again only when due, not on every refusal.
    if (decision.verdict !== "sso" && !gate.revalidation.isDue(current)) gate.revalidation.revalidateInBackground(sessionId, current, true);
    throw refusalFor(current, decision, gate.config.github.baseUrl, gate.logger);
  }
  return options.routeRules ? admitForRoute(gate, sessionId, current, options.routeRules, budget) : current;
}

/**
 * The record to decide on: confirmed with GitHub first when the policy says GitHub must be asked
 * (503 at once when GitHub already failed to), else as stored (a due revalidation runs behind).
 * `decided`: the decision already made on it, when it is the record as stored (not decided twice).
 */
async function confirmed(
  gate: Gate,
  sessionId: string,
  record: SignedInRecord,
  options: AdmitOptions,
  budget: CallBudget,
): Promise<{ record: SignedInRecord; decided?: AccessDecision }> {
  const { revalidation } = gate;
  const before = decide(gate, record, gate.server, record.access, standingOf(gate, record));
  if (before.verdict === "unconfirmed") {
    revalidation.revalidateInBackground(sessionId, record);
    throw refusalFor(record, before, gate.config.github.baseUrl, gate.logger, revalidation.retryAfterSeconds);
  }
  if (before.verdict === "unknown") return { record: await confirmNow(gate, sessionId, record, budget, options.routeRules) };
  const wanted = wantsRevalidation(gate, record);
  // /api/me waits for what is due; nothing due (the usual case) costs no wait at all.
  if (options.waitForGitHub && (wanted || gate.refresher.isExpiring(record))) {
    return { record: await withGitHubOrCached(gate, sessionId, record, () => revalidatedOrRefreshed(gate, sessionId, record)) };
  }
  if (wanted) revalidation.revalidateInBackground(sessionId, record);
  // Past the two questions above, the standing added nothing: this is the decision on the facts.
  return { record, decided: before };
}

/** Revalidates now, on this request; 503 at once when GitHub already failed to, or fails now. */
async function confirmNow(
  gate: Gate,
  sessionId: string,
  record: SignedInRecord,
  budget: CallBudget,
  routeRules: AccessRules | undefined,
): Promise<SignedInRecord> {
  const { revalidation } = gate;
  try {
    const only = routeRules ? [...requiredFacts(routeRules).keys()] : [];
    return stillSignedIn(gate, await revalidation.revalidate(sessionId, record, { budget, force: true, only }), record);
  } catch (error) {
    const reason = unconfirmedReason(error);
    if (reason === null) throw error;
    await revalidation.noteUnconfirmed(sessionId, record, reason, error);
    throw accessUnconfirmed(revalidation.retryAfterSeconds, reason);
  }
}

/** The route's rule on top of the server's lists; refusing here ends nothing (other routes may still be open to the user). */
async function admitForRoute(
  gate: Gate,
  sessionId: string,
  record: SignedInRecord,
  rules: AccessRules,
  budget: CallBudget,
): Promise<SignedInRecord> {
  const { revalidation } = gate;
  let current = record;
  // Facts the session holds but may no longer use (past the bound) are not waited for again once
  // GitHub has failed to renew them: the revalidation behind this request keeps trying.
  const toLearn = missingFacts(revalidation.usableFacts(current.access), rules).filter(
    (key) => current.unconfirmedSince === undefined || current.access?.[key] === undefined,
  );
  if (toLearn.length > 0) {
    try {
      current = await gate.ruleFacts.learn(sessionId, current, toLearn, budget);
    } catch (error) {
      const reason = unconfirmedReason(error);
      if (reason === null) throw error;
      // What is known may still decide: the rest was wanted for the groups header.
      gate.logger.warn({ userId: record.user.id, reason, cause: (error as Error).message }, "GitHub could not answer for a per-route rule");
    }
  }
  const usable = revalidation.usableFacts(current.access);
  const decision = decide(gate, current, rules, usable);
  if (decision.verdict === "unknown")
    throw accessUnconfirmed(revalidation.retryAfterSeconds, "a per-route rule's facts could not be asked of GitHub");
  // Allowed, but X-Auth-Request-Groups must name every group of the rule the user is in (SPEC §7):
  // a fact this request could not ask (its GitHub call budget spent, or GitHub failing) would leave
  // one out, and an application mapping roles from the header would drop that role. The next
  // request, with a budget of its own, asks the rest.
  const unasked = missingFacts(usable, rules);
  if (decision.verdict === "allowed" && unasked.length > 0) {
    throw accessUnconfirmed(NEXT_REQUEST_SECONDS, `${unasked.length} of the rule's facts could not be asked of GitHub within this request`);
  }
  if (decision.verdict !== "allowed") throw refusalFor(current, decision, gate.config.github.baseUrl, gate.logger);
  return current;
}

/** Revalidates when wanted (refreshing on the way), else refreshes an expiring token. */
async function revalidatedOrRefreshed(gate: Gate, sessionId: string, record: SignedInRecord): Promise<SignedInRecord> {
  if (wantsRevalidation(gate, record)) {
    const outcome = await gate.revalidation.revalidateOnce(sessionId, record);
    if (outcome !== null) return stillSignedIn(gate, outcome, record); // null: another is at it right now
  }
  return gate.refresher.isExpiring(record) ? (await gate.refresher.refreshIfExpiring(sessionId, record)).record : record;
}

/** The revalidated record, or the answer for a session the revalidation ended. */
function stillSignedIn(gate: Gate, outcome: Revalidated, record: SignedInRecord): SignedInRecord {
  if (!outcome.ended) return outcome.record;
  if (outcome.reason === "gone") throw sessionEnded();
  throw refusalError(record.user.login, outcome.refusal, gate.config.github.baseUrl);
}

/** GitHub not answering /api/me's revalidation: the cached profile, within ACCESS_MAX_STALE (noted on the session). */
async function withGitHubOrCached(
  gate: Gate,
  sessionId: string,
  record: SignedInRecord,
  work: () => Promise<SignedInRecord>,
): Promise<SignedInRecord> {
  try {
    return await work();
  } catch (error) {
    const reason = unconfirmedReason(error);
    if (reason === null) throw error;
    await gate.revalidation.noteUnconfirmed(sessionId, record, reason, error);
    return record;
  }
}
