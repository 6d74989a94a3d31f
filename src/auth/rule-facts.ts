// The facts a per-route rule needs that the session does not hold (SPEC §7): asked of GitHub once,
// on the request that first meets the rule, then kept with the session, where revalidations renew
// them. The hot path of `/auth/check` stays one Redis read for every rule the session has met.
// What a caller can make a session learn is bounded: at most MAX_NEW_FACTS_PER_WINDOW facts it was
// never checked against per PROFILE_MAX_AGE (reserved in the store before GitHub is asked, so
// parallel requests cannot each spend the allowance), and no more calls than the request's budget.
import type { Clock } from "../clock.js";
import type { Config } from "../config/config.js";
import { sessionEnded } from "../errors.js";
import type { GitHubClient } from "../github/client.js";
import type { SessionEntries } from "../store/session-entries.js";
import { requiredFacts, serverRules } from "./access.js";
import { askGitHub, asRouteFacts, mergeFacts } from "./access-facts.js";
import { tooManyNewRules } from "./access-refusals.js";
import { withCountedToken, type CallBudget } from "./github-call-budget.js";
import type { SignedInRecord } from "./session-record.js";
import { updateRecord } from "./session-updates.js";
import type { TokenRefresher } from "./token-refresh.js";

/** At most this many new facts (orgs, teams, repos a session was never checked against) per session per PROFILE_MAX_AGE. */
export const MAX_NEW_FACTS_PER_WINDOW = 16;

export interface RuleFactsDependencies {
  config: Config;
  clock: Clock;
  github: GitHubClient;
  entries: SessionEntries;
  refresher: TokenRefresher;
}

export function createRuleFacts(deps: RuleFactsDependencies) {
  return {
    /**
     * Asks GitHub for `keys` (as many as the budget allows) with the session's token and stores the
     * answers; the record as now stored. Throws too_many_requests (429) when the new ones among
     * them would pass this window's allowance: nothing is asked then.
     */
    async learn(sessionId: string, record: SignedInRecord, keys: string[], budget: CallBudget): Promise<SignedInRecord> {
      const asked = keys.slice(0, budget.remaining);
      const reserved = await reserveNewFacts(
        deps,
        sessionId,
        asked.filter((key) => record.access?.[key] === undefined),
      );
      const { record: current, result: answers } = await withCountedToken(deps.refresher, budget, sessionId, reserved, (accessToken) =>
        askGitHub(deps.github, accessToken, record.user.login, asked, record.access, budget),
      );
      const learned = asRouteFacts(answers, deps.clock.now());
      const serverKeys = new Set(requiredFacts(serverRules(deps.config)).keys());
      const written = await updateRecord(deps.entries, sessionId, (latest) => ({
        ...latest,
        access: mergeFacts(latest.access, learned, serverKeys),
      }));
      if (!written) throw sessionEnded();
      return { ...current, access: written.access ?? {} };
    },
  };
}

/**
 * Counts `fresh` against the session's window, in the store, before any of them is asked; the
 * record as stored then. A window lasts PROFILE_MAX_AGE from its first new fact.
 */
async function reserveNewFacts(deps: RuleFactsDependencies, sessionId: string, fresh: string[]): Promise<SignedInRecord> {
  const written = await updateRecord(deps.entries, sessionId, (latest) => {
    const unknown = fresh.filter((key) => latest.access?.[key] === undefined).length;
    if (unknown === 0) return null;
    const now = deps.clock.now();
    const windowMs = deps.config.profileMaxAgeMs;
    const open = latest.newFacts && now - latest.newFacts.since < windowMs ? latest.newFacts : { since: now, count: 0 };
    if (open.count + unknown > MAX_NEW_FACTS_PER_WINDOW) {
      throw tooManyNewRules(
        MAX_NEW_FACTS_PER_WINDOW,
        Math.round(windowMs / 1000),
        Math.max(1, Math.ceil((open.since + windowMs - now) / 1000)),
      );
    }
    return { ...latest, newFacts: { since: open.since, count: open.count + unknown } };
  });
  if (!written) throw sessionEnded();
  return written;
}

export type RuleFacts = ReturnType<typeof createRuleFacts>;
