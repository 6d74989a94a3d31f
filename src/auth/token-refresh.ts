// Keeps a session's GitHub token usable (SPEC §4), read top to bottom: when a refresh is due, the
// lease that makes it one per session across every instance, the re-read under the lease, the
// redemption of the single-use refresh token, the lost race, and the end of a session whose
// authorization is gone.
//
// GitHub refresh tokens work exactly once, and using one also kills the old access token, so
// parallel requests must not each refresh. One request holds a Redis lease on the session and
// refreshes; the others wait in one loop on the injected clock and take the tokens it stores.
// Under the lease the session is read again in case it was changed underneath us. GitHub's answer
// decides what happens next: new tokens are stored by compare-and-set (never into a session that
// ended meanwhile); bad_refresh_token ends the session, unless the lease lapsed while GitHub
// answered and another refresher's tokens turn up (a lost race, not a revocation); network errors
// and GitHub 5xx never end it.
import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { Config } from "../config/config.js";
import { AppError, reauthenticationRequired, sessionEnded } from "../errors.js";
import type { GitHubClient } from "../github/client.js";
import { GitHubBadCredentialsError, GitHubOAuthError, GitHubUnavailableError } from "../github/errors.js";
import type { TokenSet } from "../github/token-response.js";
import type { RefreshOutcome } from "../metrics.js";
import type { Sealer } from "../sealer.js";
import type { Locks } from "../store/locks.js";
import type { SessionEntries } from "../store/session-entries.js";
import type { SessionEndReason } from "./audit.js";
import {
  accessTokenExpiresBy,
  openAccessToken,
  openRefreshToken,
  refreshTokenExpired,
  tokensReplaced,
  withTokens,
  type SignedInRecord,
} from "./session-record.js";
import { readRecord, updateRecord } from "./session-updates.js";

export type { RefreshOutcome } from "../metrics.js";

// --- What every step shares ----------------------------------------------------------------------

export interface UserToken {
  record: SignedInRecord;
  accessToken: string;
}

export interface TokenRefresherDependencies {
  config: Config;
  /** Decides expiry, and paces and bounds the wait for another request's refresh. */
  clock: Clock;
  github: GitHubClient;
  sealer: Sealer;
  entries: SessionEntries;
  locks: Locks;
  logger: Logger;
  /** Ends a session whose GitHub authorization is gone (entry and user index). */
  endSession: (sessionId: string, record: SignedInRecord, reason: SessionEndReason) => Promise<void>;
  onRefresh?: (outcome: RefreshOutcome) => void;
}

interface RefreshContext extends TokenRefresherDependencies {
  onRefresh: (outcome: RefreshOutcome) => void;
  /** True when the record's access token expires within the refresh margin. */
  isExpiring: (record: SignedInRecord) => boolean;
}

// --- The refresher: when a refresh is due, and calls that need a token ------------------------

/** Refresh this long before GitHub's expiry: covers clock skew and the request in flight. */
export const REFRESH_MARGIN_MS = 2 * 60_000;

export function createTokenRefresher(deps: TokenRefresherDependencies) {
  const context: RefreshContext = {
    ...deps,
    onRefresh: deps.onRefresh ?? (() => undefined),
    isExpiring: (record) => isExpiring(deps, record),
  };
  return {
    /** True when the access token expires within REFRESH_MARGIN_MS. */
    isExpiring: context.isExpiring,
    /** A usable access token: refreshed first when it expires within REFRESH_MARGIN_MS. */
    refreshIfExpiring: (sessionId: string, record: SignedInRecord) => refreshIfExpiring(context, sessionId, record),
    /** GitHub answered 401 to this record's token: refreshed once if it can be, else the session is over. */
    refreshAfterRejection: (sessionId: string, record: SignedInRecord) => refreshAfterRejection(context, sessionId, record),
    /** Runs a call to GitHub with the session's token; on 401 refreshes once (when it can) and retries once. */
    withUserToken: <T>(sessionId: string, record: SignedInRecord, call: (accessToken: string) => Promise<T>) =>
      withUserToken(context, sessionId, record, call),
  };
}

export type TokenRefresher = ReturnType<typeof createTokenRefresher>;

function isExpiring({ clock }: Pick<TokenRefresherDependencies, "clock">, record: SignedInRecord): boolean {
  return accessTokenExpiresBy(record, clock.now() + REFRESH_MARGIN_MS);
}

async function refreshIfExpiring(context: RefreshContext, sessionId: string, record: SignedInRecord): Promise<UserToken> {
  if (!context.isExpiring(record)) return userTokenOf(context, sessionId, record);
  return refreshOnce(context, sessionId, record, { reason: "expiring" });
}

async function refreshAfterRejection(context: RefreshContext, sessionId: string, record: SignedInRecord): Promise<UserToken> {
  // Whether there is a refresh token is only known inside the envelope (GitHub may send one without
  // an expiry). Opened here once: under the lease it is used as is while the stored pair is unchanged.
  const refreshToken = openRefreshToken(record, context.sealer);
  if (refreshToken === null) return reauthenticate(context, sessionId, record, "token refused (401) and not refreshable");
  return refreshOnce(context, sessionId, record, { reason: "rejected", refreshToken });
}

/** Refreshes holding the session's lease, or takes the tokens whoever holds it stores. */
function refreshOnce(context: RefreshContext, sessionId: string, seen: SignedInRecord, intention: RefreshIntention): Promise<UserToken> {
  const lock = { clock: context.clock, locks: context.locks, githubTimeoutMs: context.config.github.timeoutMs };
  return withRefreshLock(lock, sessionId, {
    holding: (lease) => redeemUnderLock(context, sessionId, seen, intention, lease),
    afterWaiting: () => holdersTokens(context, sessionId, seen),
  });
}

/** While waiting: the tokens the lease's holder stored, once they are there (null until then). */
async function holdersTokens(context: RefreshContext, sessionId: string, seen: SignedInRecord): Promise<UserToken | null> {
  const current = await readRecord(context.entries, sessionId);
  if (!current) throw sessionEnded();
  if (!tokensReplaced(seen, current)) return null;
  context.onRefresh("lost_race");
  return userTokenOf(context, sessionId, current);
}

async function withUserToken<T>(
  context: RefreshContext,
  sessionId: string,
  record: SignedInRecord,
  call: (accessToken: string) => Promise<T>,
): Promise<{ record: SignedInRecord; result: T }> {
  const first = await refreshIfExpiring(context, sessionId, record);
  try {
    return { record: first.record, result: await call(first.accessToken) };
  } catch (error) {
    if (!(error instanceof GitHubBadCredentialsError)) throw error;
  }
  const refreshed = await refreshAfterRejection(context, sessionId, first.record);
  try {
    return { record: refreshed.record, result: await call(refreshed.accessToken) };
  } catch (error) {
    if (error instanceof GitHubBadCredentialsError)
      return reauthenticate(context, sessionId, refreshed.record, "fresh token refused (401)");
    throw error;
  }
}

// --- The lease ----------------------------------------------------------------------------------

/** How long the lease outlives the longest call to GitHub it covers. */
export const REFRESH_LEASE_MARGIN_MS = 5_000;
/** A waiter gives up this long after the lease it waits on must have lapsed. */
export const REFRESH_WAIT_MARGIN_MS = 1_000;
/** How often a waiter looks at the store (and tries the lease) again. */
const REFRESH_WAIT_POLL_MS = 50;

interface RefreshLock {
  clock: Clock;
  locks: Locks;
  /** Upper bound on one call to GitHub (GITHUB_TIMEOUT). */
  githubTimeoutMs: number;
}

/** The lease a refresher holds, as far as it can tell while it works. */
export interface HeldLease {
  /** False once the lease lapsed (a holder slower than the lease): someone else may be refreshing too. */
  stillHeld(): Promise<boolean>;
}

interface RefreshTurn<T> {
  /** Runs holding the lease: re-read, then refresh if still needed. */
  holding(lease: HeldLease): Promise<T>;
  /** Runs after each wait: the holder's result once it is there, null to keep waiting. */
  afterWaiting(): Promise<T | null>;
}

const refreshLeaseMs = (githubTimeoutMs: number) => githubTimeoutMs + REFRESH_LEASE_MARGIN_MS;

export const refreshInProgress = () =>
  new AppError("refresh_in_progress", "Your GitHub sign-in is being renewed. Please try again in a moment.", {
    retryAfterSeconds: 1,
  });

/** Runs `turn.holding` under the session's refresh lease, or waits for whoever holds it. */
async function withRefreshLock<T>(lock: RefreshLock, sessionId: string, turn: RefreshTurn<T>): Promise<T> {
  const { clock, locks } = lock;
  const name = `refresh:${sessionId}`;
  const leaseMs = refreshLeaseMs(lock.githubTimeoutMs);
  const giveUpAt = clock.now() + leaseMs + REFRESH_WAIT_MARGIN_MS;
  while (clock.now() < giveUpAt) {
    const owner = await locks.tryAcquire(name, leaseMs);
    if (owner) {
      // A store that cannot say counts as lost: the holder then looks for another refresher's tokens.
      const lease: HeldLease = { stillHeld: () => locks.holds(name, owner).catch(() => false) };
      try {
        return await turn.holding(lease);
      } finally {
        await locks.release(name, owner).catch(() => undefined);
      }
    }
    await clock.sleep(REFRESH_WAIT_POLL_MS);
    const holdersResult = await turn.afterWaiting();
    if (holdersResult !== null) return holdersResult;
  }
  throw refreshInProgress();
}

// --- Under the lease: re-read, redeem, the lost race -----------------------------------------

/**
 * Why a refresh is asked for. `expiring`: the token is about to expire, so a refresh that another
 * request made meanwhile, or a token that no longer expires soon, makes this one unnecessary.
 * `rejected`: GitHub answered 401 to the stored token, so it is refreshed even before its expiry,
 * with the refresh token the caller already opened from that same stored pair.
 */
type RefreshIntention = { reason: "expiring" } | { reason: "rejected"; refreshToken: string };

/** How many times a refresher that met bad_refresh_token after its lease lapsed looks for a winner's tokens. */
const LOST_RACE_LOOKS = 10;
/** The pause between those looks (LOST_RACE_LOOKS of them: about one second in all). */
export const LOST_RACE_LOOK_INTERVAL_MS = 100;

/** Runs holding the lease: the stored tokens when someone refreshed meanwhile, else a refresh. */
async function redeemUnderLock(
  context: RefreshContext,
  sessionId: string,
  seen: SignedInRecord,
  intention: RefreshIntention,
  lease: HeldLease,
): Promise<UserToken> {
  const current = await readRecord(context.entries, sessionId);
  if (!current) throw sessionEnded();
  if (tokensReplaced(seen, current)) {
    context.onRefresh("lost_race");
    return userTokenOf(context, sessionId, current);
  }
  if (intention.reason === "expiring" && !context.isExpiring(current)) return userTokenOf(context, sessionId, current);
  // The stored pair is the one `seen` holds, so a refresh token opened from `seen` is this one.
  const refreshToken = intention.reason === "rejected" ? intention.refreshToken : openRefreshToken(current, context.sealer);
  if (refreshToken === null || refreshTokenExpired(current, context.clock.now())) {
    context.onRefresh("refused");
    return reauthenticate(context, sessionId, current, "no usable refresh token");
  }
  return redeem(context, sessionId, current, refreshToken, lease);
}

/** Spends the refresh token at GitHub and stores the new pair. */
async function redeem(
  context: RefreshContext,
  sessionId: string,
  current: SignedInRecord,
  refreshToken: string,
  lease: HeldLease,
): Promise<UserToken> {
  let tokens: TokenSet;
  try {
    tokens = await context.github.refresh(refreshToken);
  } catch (error) {
    return afterFailedRedemption(context, sessionId, current, error, lease);
  }
  const written = await updateRecord(context.entries, sessionId, (latest) => withTokens(latest, tokens, context.sealer));
  if (!written) throw sessionEnded(); // signed out while GitHub answered: the new tokens go nowhere
  context.onRefresh("ok");
  context.logger.debug({ userId: written.user.id }, "token refreshed");
  return { record: written, accessToken: tokens.accessToken };
}

/** GitHub did not refresh: only a bad_refresh_token that still stands after re-reading ends the session. */
async function afterFailedRedemption(
  context: RefreshContext,
  sessionId: string,
  current: SignedInRecord,
  error: unknown,
  lease: HeldLease,
): Promise<UserToken> {
  if (!(error instanceof GitHubOAuthError)) {
    context.onRefresh("network"); // unreachable, 5xx: the session stays
    throw error;
  }
  if (error.oauthError !== "bad_refresh_token") {
    context.onRefresh("error");
    throw new GitHubUnavailableError(`refresh refused: ${error.oauthError}`, error);
  }
  const winner = (await lease.stillHeld()) ? null : await tokensWrittenByAnother(context, sessionId, current);
  context.onRefresh(winner ? "lost_race" : "refused");
  if (winner) return userTokenOf(context, sessionId, winner);
  return reauthenticate(context, sessionId, current, "refresh token refused");
}

/**
 * After bad_refresh_token: did another refresher (one whose lease lapsed) win the race? Its new
 * tokens may still be on their way to the store, so look a few times before concluding.
 */
async function tokensWrittenByAnother(context: RefreshContext, sessionId: string, seen: SignedInRecord): Promise<SignedInRecord | null> {
  for (let look = 0; look < LOST_RACE_LOOKS; look += 1) {
    const reread = await readRecord(context.entries, sessionId);
    if (!reread) return null;
    if (tokensReplaced(seen, reread)) return reread;
    await context.clock.sleep(LOST_RACE_LOOK_INTERVAL_MS);
  }
  return null;
}

// --- The end of a session whose authorization is gone --------------------------------------------

/** Ends the session because its GitHub authorization can no longer be used; always throws. */
async function reauthenticate(context: RefreshContext, sessionId: string, record: SignedInRecord, reason: string): Promise<never> {
  context.logger.info({ userId: record.user.id, reason }, "session ended: GitHub authorization no longer usable");
  await context.endSession(sessionId, record, "authorization_gone");
  throw reauthenticationRequired();
}

/** The record with its access token opened; a pair that does not open ends the session. */
async function userTokenOf(context: RefreshContext, sessionId: string, record: SignedInRecord): Promise<UserToken> {
  const accessToken = openAccessToken(record, context.sealer);
  if (accessToken === null) return reauthenticate(context, sessionId, record, "stored token does not open (key retired?)");
  return { record, accessToken };
}
