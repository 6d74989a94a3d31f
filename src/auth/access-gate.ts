// The allow-lists on every request (SPEC §7): a session is only as good as its user's access right
// now. Logins are checked against the configuration of this moment; memberships come from the last
// revalidation, and a revalidation that is due is started without making this request wait. Only
// an organisation the session was never checked against (the configuration changed) costs this
// request a call to GitHub, once.
import type { Logger } from "pino";
import type { Config } from "../config/config.js";
import { sessionEnded } from "../errors.js";
import type { AccessRules } from "../config/access-rules.js";
import { decideAccess, serverRules } from "./access.js";
import { refusalFor } from "./access-refusals.js";
import type { RuleFacts } from "./rule-facts.js";
import { notAllowed } from "./sign-in-errors.js";
import { isGitHubOutage, type Revalidated, type Revalidation } from "./revalidation.js";
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
   * served. Other routes never wait for GitHub.
   */
  waitForGitHub?: boolean;
  /**
   * A per-route rule (`/auth/check?teams=…`): the user must also match one of its entries. Facts it
   * needs that the session has not met yet are asked of GitHub on this request, once.
   */
  routeRules?: AccessRules;
}

export function createAccessGate({ config, revalidation, refresher, ruleFacts, logger }: AccessGateDependencies) {
  const server = serverRules(config);
  const decide = (record: SignedInRecord, rules: AccessRules = server) => decideAccess(record.user.login, record.access, rules);

  /** The session's record when its user may use it now; throws not_allowed (403) otherwise. */
  async function admit(sessionId: string, record: SignedInRecord, options: AdmitOptions = {}): Promise<SignedInRecord> {
    let current = record;
    if (decide(current).verdict === "unknown") {
      current = stillSignedIn(await revalidation.revalidate(sessionId, current), current);
    } else if (options.waitForGitHub) {
      current = await withGitHubOrCached(logger, current, () => revalidatedOrRefreshed(sessionId, current));
    } else if (revalidation.isDue(current)) {
      revalidation.revalidateInBackground(sessionId, current);
    }
    const decision = decide(current);
    if (decision.verdict !== "allowed") {
      // Refused by what is known now (e.g. taken off ALLOWED_USERS): GitHub may know better (a new
      // membership), so ask it; if it agrees, the revalidation ends the session. A session waiting
      // for single sign-on is kept, so it is asked again only when due, not on every refusal.
      const waitingForSso = decision.verdict === "refused" && decision.sso !== null;
      if (!waitingForSso && !revalidation.isDue(current)) revalidation.revalidateInBackground(sessionId, current);
      throw refusalFor(current, decision, config.github.baseUrl, logger);
    }
    return options.routeRules ? admitForRoute(sessionId, current, options.routeRules) : current;
  }

  /** The route's rule on top of the server's lists; refusing here ends nothing (other routes may still be open to the user). */
  async function admitForRoute(sessionId: string, record: SignedInRecord, rules: AccessRules): Promise<SignedInRecord> {
    let current = record;
    let decision = decide(current, rules);
    if (decision.verdict === "unknown") {
      current = await ruleFacts.learn(sessionId, current, decision.missing);
      decision = decide(current, rules);
    }
    if (decision.verdict !== "allowed") throw refusalFor(current, decision, config.github.baseUrl, logger);
    return current;
  }

  /**
   * Whether admit() would let this record through as it is, at once: nothing due, allowed by the
   * server's lists and the route's rule (http/read-paths-first.ts answers only then).
   */
  function admitsAsIs(record: SignedInRecord, options: AdmitOptions = {}): boolean {
    if (revalidation.isDue(record) || (options.waitForGitHub && refresher.isExpiring(record))) return false;
    if (decide(record).verdict !== "allowed") return false;
    return !options.routeRules || decide(record, options.routeRules).verdict === "allowed";
  }

  /** Revalidates when due (refreshing on the way), else refreshes an expiring token. */
  async function revalidatedOrRefreshed(sessionId: string, record: SignedInRecord): Promise<SignedInRecord> {
    if (revalidation.isDue(record)) {
      const outcome = await revalidation.revalidateOnce(sessionId, record);
      if (outcome !== null) return stillSignedIn(outcome, record); // null: another is at it right now
    }
    return refresher.isExpiring(record) ? (await refresher.refreshIfExpiring(sessionId, record)).record : record;
  }

  return { admit, admitsAsIs };
}

export type AccessGate = ReturnType<typeof createAccessGate>;

/** The revalidated record, or the answer for a session the revalidation ended. */
function stillSignedIn(outcome: Revalidated, record: SignedInRecord): SignedInRecord {
  if (!outcome.ended) return outcome.record;
  throw outcome.reason === "not_allowed" ? notAllowed(record.user.login) : sessionEnded();
}

async function withGitHubOrCached(logger: Logger, record: SignedInRecord, work: () => Promise<SignedInRecord>): Promise<SignedInRecord> {
  try {
    return await work();
  } catch (error) {
    if (!isGitHubOutage(error)) throw error;
    logger.warn({ userId: record.user.id, cause: (error as Error).message }, "GitHub unavailable: serving the cached profile");
    return record;
  }
}
