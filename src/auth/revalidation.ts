// Asking GitHub again about a signed-in session, at most PROFILE_MAX_AGE apart, whichever route
// the session is used through (SPEC §7): the profile (If-None-Match, so an unchanged one costs no
// rate limit), the memberships and permissions the lists and the session's per-route rules name
// (conditional too), and with them the token itself
// (a revoked authorization answers 401, and a refresh that GitHub refuses ends the session).
//
// One revalidation per session at a time, across every instance (a Redis lease). The request that
// notices one is due does not wait for it: it answers from the last decision and the next request
// sees the outcome. When GitHub cannot be reached the last decision stands (nobody is signed out
// by an outage) and the lease is kept until it lapses, which spaces out the next attempt.
import type { Logger } from "pino";
import type { BackgroundTasks } from "../background-tasks.js";
import type { SessionEndReason } from "./audit.js";
import type { Clock } from "../clock.js";
import type { Config } from "../config/config.js";
import type { GitHubClient, UserFetchResult } from "../github/client.js";
import { GitHubRateLimitedError, GitHubUnavailableError } from "../github/errors.js";
import { AppError } from "../errors.js";
import type { Locks } from "../store/locks.js";
import type { SessionEntries } from "../store/session-entries.js";
import { decideAccess, requiredFacts, serverRules } from "./access.js";
import { askGitHub, markForRoute, mergeFacts, routeFactsOf } from "./access-facts.js";
import type { SignedInRecord } from "./session-record.js";
import { updateRecord } from "./session-updates.js";
import type { TokenRefresher } from "./token-refresh.js";

export interface RevalidationDependencies {
  config: Config;
  clock: Clock;
  github: GitHubClient;
  entries: SessionEntries;
  refresher: TokenRefresher;
  locks: Locks;
  logger: Logger;
  background: BackgroundTasks;
  /** Ends a session whose user is no longer on the allow-lists. */
  endSession: (sessionId: string, record: SignedInRecord, reason: SessionEndReason) => Promise<void>;
}

/**
 * What a revalidation found: the record as now stored, or that the session has ended (the user is
 * no longer allowed, or the session was ended elsewhere meanwhile).
 */
export type Revalidated = { ended: false; record: SignedInRecord } | { ended: true; reason: "not_allowed" | "gone" };

export const isGitHubOutage = (error: unknown) => error instanceof GitHubUnavailableError || error instanceof GitHubRateLimitedError;

export function createRevalidation(deps: RevalidationDependencies) {
  const { config, clock } = deps;
  const isDue = (record: SignedInRecord) => clock.now() - record.profileFetchedAt > config.profileMaxAgeMs;
  const revalidateOnce = (sessionId: string, record: SignedInRecord) => revalidateHoldingLease(deps, sessionId, record);
  return {
    isDue,
    /** Asks GitHub now and stores what it said; ends the session when the user is no longer allowed. */
    revalidate: (sessionId: string, record: SignedInRecord) => revalidate(deps, sessionId, record),
    /**
     * Revalidates holding the session's lease; null when another request or instance holds it (it
     * is revalidating right now). Throws what GitHub's outage or a refused token throws.
     */
    revalidateOnce,
    /** Starts a revalidation without waiting for it; the next request sees its outcome. */
    revalidateInBackground: (sessionId: string, record: SignedInRecord) =>
      deps.background.run("revalidate session", () => settleInBackground(deps.logger, record, revalidateOnce(sessionId, record))),
  };
}

async function revalidate(deps: RevalidationDependencies, sessionId: string, record: SignedInRecord): Promise<Revalidated> {
  const { config, clock, github, entries, refresher, logger } = deps;
  const { record: current, result } = await refresher.withUserToken(sessionId, record, async (accessToken) => {
    const answer = await fetchProfile(github, accessToken, record);
    const login = answer.notModified ? record.user.login : answer.profile.login;
    // Every fact the lists need now, and those per-route rules brought in.
    const forRoute = routeFactsOf(record.access);
    const keys = new Set([...requiredFacts(serverRules(config)).keys(), ...Object.keys(forRoute)]);
    const asked = await askGitHub(github, accessToken, login, keys, record.access);
    return { answer, login, access: markForRoute(asked, (key) => key in forRoute) };
  });
  const { answer, login, access } = result;
  const decision = decideAccess(login, access, serverRules(config));
  // Single sign-on that lapsed is not a lost membership: the session stays, refused until the user
  // authorizes it again (the gate's page links to GitHub for that).
  if (decision.verdict !== "allowed" && !(decision.verdict === "refused" && decision.sso)) {
    logger.info({ userId: current.user.id, login, reason: "not_allowed" }, "session ended: no longer allowed by the allow-lists");
    await deps.endSession(sessionId, current, "not_allowed");
    return { ended: true, reason: "not_allowed" };
  }
  const fetchedAt = clock.now();
  const written = await updateRecord(entries, sessionId, (latest) => withFacts({
    ...latest,
    ...(answer.notModified ? {} : { user: answer.profile, profileEtag: answer.etag }),
    profileFetchedAt: fetchedAt,
    // Facts of the lists that no longer need them go; one a per-route rule added meanwhile stays.
    access: mergeFacts(routeFactsOf(latest.access), access, new Set(Object.keys(access))),
  }));
  return written ? { ended: false, record: written } : { ended: true, reason: "gone" };
}

/** A record holds `access` only when there are facts: most deployments have no lists at all. */
function withFacts(record: SignedInRecord): SignedInRecord {
  if (record.access && Object.keys(record.access).length > 0) return record;
  const { access: _none, ...rest } = record;
  return rest;
}

async function fetchProfile(github: GitHubClient, accessToken: string, cached: SignedInRecord): Promise<UserFetchResult> {
  const answer = await github.fetchUser(accessToken, cached.profileEtag);
  if (answer.notModified || answer.profile.email) return answer;
  // A private email comes from /user/emails, as at sign-in; keep the one we had if that fails.
  const email = await github.fetchPrimaryEmail(accessToken).catch(() => cached.user.email);
  return { ...answer, profile: { ...answer.profile, email } };
}

async function revalidateHoldingLease(deps: RevalidationDependencies, sessionId: string, record: SignedInRecord): Promise<Revalidated | null> {
  const name = `revalidate:${sessionId}`;
  const owner = await deps.locks.tryAcquire(name, revalidationLeaseMs(deps.config));
  if (!owner) return null;
  let keepLease = false;
  try {
    return await revalidate(deps, sessionId, record);
  } catch (error) {
    keepLease = isGitHubOutage(error);
    throw error;
  } finally {
    if (!keepLease) await deps.locks.release(name, owner).catch(() => undefined);
  }
}

// A revalidation makes up to three calls one after another (/user, /user/emails, memberships).
const revalidationLeaseMs = (config: Config) => 3 * config.github.timeoutMs + 5_000;

/** A background revalidation's failure: an outage keeps the last decision, a 401 means the session ended. */
async function settleInBackground(logger: Logger, record: SignedInRecord, revalidation: Promise<Revalidated | null>): Promise<void> {
  try {
    await revalidation;
  } catch (error) {
    if (isGitHubOutage(error)) {
      logger.warn({ userId: record.user.id, cause: (error as Error).message }, "GitHub unavailable at revalidation: the last decision stands");
    } else if (!(error instanceof AppError && error.status === 401)) {
      throw error; // a 401 here means the session ended (refused token, signed out meanwhile)
    }
  }
}

export type Revalidation = ReturnType<typeof createRevalidation>;
