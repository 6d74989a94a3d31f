// Asking GitHub again about a signed-in session, at most PROFILE_MAX_AGE apart, whichever route
// the session is used through (SPEC §7): the profile and with it the token itself (a revoked
// authorization answers 401, and a refresh that GitHub refuses ends the session), and the
// memberships and permissions the lists and the session's per-route rules name (revalidation-run.ts).
//
// One revalidation per session at a time, across every instance (a Redis lease). The request that
// notices one is due does not wait for it: it answers from the last decision and the next request
// sees the outcome. When GitHub cannot answer (down, 5xx, timeout, or the user's own rate limit
// spent) the last decision stands for at most ACCESS_MAX_STALE past PROFILE_MAX_AGE (nobody is
// signed out by an outage, nor kept in by one), the failure is marked on the session, and the
// lease is kept until it lapses, which spaces out the next attempt.
import type { BackgroundTasks } from "../background-tasks.js";
import type { Config } from "../config/config.js";
import { GitHubRateLimitedError, GitHubUnavailableError } from "../github/errors.js";
import { AppError } from "../errors.js";
import type { Locks } from "../store/locks.js";
import type { AccessFacts } from "./access.js";
import { oldestRouteCheck } from "./access-facts.js";
import { callBudget } from "./github-call-budget.js";
import { runRevalidation, type RevalidateOptions, type RevalidationRunDependencies, type Revalidated } from "./revalidation-run.js";
import type { SignedInRecord } from "./session-record.js";
import { updateRecord } from "./session-updates.js";

export type { Revalidated } from "./revalidation-run.js";

export interface RevalidationDependencies extends RevalidationRunDependencies {
  locks: Locks;
  background: BackgroundTasks;
}

/** Why GitHub could not confirm a decision, as logged: down or failing, the user's own budget spent, or a secondary limit. */
export type Unconfirmed = "github_unavailable" | "user_rate_limited" | "secondary_rate_limited";

/** Why this error means GitHub could not answer (keep the last decision, within its bound); null for any other error. */
export function unconfirmedReason(error: unknown): Unconfirmed | null {
  if (error instanceof GitHubUnavailableError) return "github_unavailable";
  if (error instanceof GitHubRateLimitedError) return error.kind === "primary" ? "user_rate_limited" : "secondary_rate_limited";
  return null;
}

export const isGitHubOutage = (error: unknown) => unconfirmedReason(error) !== null;

export function createRevalidation(deps: RevalidationDependencies) {
  const { config, clock } = deps;
  const maxAge = config.profileMaxAgeMs;
  const bound = maxAge + config.accessMaxStaleMs;
  const revalidateOnce = (sessionId: string, record: SignedInRecord, force = false) =>
    revalidateHoldingLease(deps, sessionId, record, force);
  return {
    /** Something GitHub said of this session is older than PROFILE_MAX_AGE: the profile, or a route fact. */
    isDue(record: SignedInRecord): boolean {
      const now = clock.now();
      if (now - record.profileFetchedAt > maxAge) return true;
      const oldest = oldestRouteCheck(record.access);
      return oldest !== null && now - oldest > maxAge;
    },
    /** The last confirmed decision is older than PROFILE_MAX_AGE + ACCESS_MAX_STALE: it may not stand any more. */
    isExpired: (record: SignedInRecord) => clock.now() - record.profileFetchedAt > bound,
    /** The facts a decision may use: route facts answered past the bound are left out (unknown again). */
    usableFacts(facts: AccessFacts | undefined): AccessFacts | undefined {
      const oldest = oldestRouteCheck(facts);
      if (oldest === null || clock.now() - oldest <= bound) return facts;
      const since = clock.now() - bound;
      return Object.fromEntries(Object.entries(facts!).filter(([, fact]) => fact.checkedAt === undefined || fact.checkedAt >= since));
    },
    /** Asks GitHub now and stores what it said; ends the session when the user is no longer allowed. */
    revalidate: (sessionId: string, record: SignedInRecord, options: Partial<RevalidateOptions> = {}) =>
      runRevalidation(deps, sessionId, record, { budget: callBudget(), ...options }),
    /**
     * Revalidates holding the session's lease; null when another request or instance holds it (it
     * is revalidating right now, or GitHub failed it a moment ago). Throws what GitHub's outage or a
     * refused token throws.
     */
    revalidateOnce,
    /**
     * Starts a revalidation without waiting for it; the next request sees its outcome. `force`: the
     * profile and the lists' facts too, even when not due (a refusal GitHub may know better about).
     */
    revalidateInBackground: (sessionId: string, record: SignedInRecord, force = false) =>
      deps.background.run("revalidate session", () =>
        settleInBackground(deps, sessionId, record, revalidateOnce(sessionId, record, force)),
      ),
    /** GitHub could not confirm this session's access: logged with why, and marked on the session (once). */
    noteUnconfirmed: (sessionId: string, record: SignedInRecord, reason: Unconfirmed, error: unknown) =>
      noteUnconfirmed(deps, sessionId, record, reason, error),
    /** When to ask again after GitHub could not confirm: once the lease kept after a failure has lapsed. */
    retryAfterSeconds: Math.ceil(revalidationLeaseMs(config) / 1000),
  };
}

async function revalidateHoldingLease(
  deps: RevalidationDependencies,
  sessionId: string,
  record: SignedInRecord,
  force: boolean,
): Promise<Revalidated | null> {
  const name = `revalidate:${sessionId}`;
  const owner = await deps.locks.tryAcquire(name, revalidationLeaseMs(deps.config));
  if (!owner) return null;
  let keepLease = false;
  try {
    return await runRevalidation(deps, sessionId, record, { budget: callBudget(), force });
  } catch (error) {
    keepLease = isGitHubOutage(error);
    throw error;
  } finally {
    if (!keepLease) await deps.locks.release(name, owner).catch(() => undefined);
  }
}

// A revalidation makes up to three rounds of calls one after another (/user, /user/emails, memberships).
const revalidationLeaseMs = (config: Config) => 3 * config.github.timeoutMs + 5_000;

/** A background revalidation's failure: GitHub not answering is noted, a 401 means the session ended. */
async function settleInBackground(
  deps: RevalidationDependencies,
  sessionId: string,
  record: SignedInRecord,
  revalidation: Promise<Revalidated | null>,
): Promise<void> {
  try {
    await revalidation;
  } catch (error) {
    const reason = unconfirmedReason(error);
    if (reason) await noteUnconfirmed(deps, sessionId, record, reason, error);
    else if (!(error instanceof AppError && error.status === 401)) throw error; // a 401 here means the session ended (refused token, signed out meanwhile)
  }
}

async function noteUnconfirmed(
  deps: RevalidationDependencies,
  sessionId: string,
  record: SignedInRecord,
  reason: Unconfirmed,
  error: unknown,
): Promise<void> {
  const { logger, clock } = deps;
  const lastConfirmedAt = new Date(record.profileFetchedAt).toISOString();
  logger.warn(
    { userId: record.user.id, reason, lastConfirmedAt, cause: (error as Error).message },
    "GitHub could not confirm access at revalidation: the last decision stands within ACCESS_MAX_STALE",
  );
  const marked = clock.now();
  await updateRecord(deps.entries, sessionId, (latest) =>
    latest.unconfirmedSince === undefined ? { ...latest, unconfirmedSince: marked } : null,
  ).catch(() => null);
}

export type Revalidation = ReturnType<typeof createRevalidation>;
