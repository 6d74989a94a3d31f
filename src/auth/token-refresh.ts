// Keeps a session's GitHub token usable. GitHub refresh tokens work exactly once, and using one
// also kills the old access token, so parallel requests must not each refresh: one refresh per
// session at a time, across every instance (a Redis lease that outlives GITHUB_TIMEOUT, so it
// cannot lapse while GitHub is still answering); requests that wait re-read the stored tokens and
// use the new ones. A refusal ends the session only if it still stands after re-reading, and
// network errors or GitHub 5xx never end it.
import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { Config } from "../config/config.js";
import { AppError, reauthenticationRequired, sessionEnded } from "../errors.js";
import type { GitHubClient } from "../github/client.js";
import { GitHubBadCredentialsError, GitHubOAuthError, GitHubUnavailableError } from "../github/errors.js";
import type { Sealer } from "../sealer.js";
import type { Locks } from "../store/locks.js";
import type { SessionEntries } from "../store/session-entries.js";
import { openAccessToken, openRefreshToken, withTokens, type SignedInRecord } from "./session-record.js";
import { readRecord, updateRecord } from "./session-updates.js";

/** Refresh this long before GitHub's expiry: covers clock skew and the request in flight. */
export const REFRESH_MARGIN_MS = 2 * 60_000;
const WAIT_POLL_MS = 50;
/** How many times a refresher that met bad_refresh_token looks for a winner's tokens (~1 s). */
const LOST_RACE_LOOKS = 10;

/**
 * How a refresh ended, for metrics: ok (refreshed here), lost_race (used the tokens another request
 * or instance refreshed), refused (GitHub will not refresh: the session ended), network (GitHub
 * unreachable or 5xx: the session stays), error (GitHub refused for another reason: it stays too).
 */
export type RefreshOutcome = "ok" | "lost_race" | "refused" | "network" | "error";

export interface UserToken {
  record: SignedInRecord;
  accessToken: string;
}

export interface TokenRefresherDependencies {
  config: Config;
  clock: Clock;
  github: GitHubClient;
  sealer: Sealer;
  entries: SessionEntries;
  locks: Locks;
  logger: Logger;
  /** Ends a session whose GitHub authorization is gone (entry and user index). */
  endSession: (sessionId: string, record: SignedInRecord) => Promise<void>;
  onRefresh?: (outcome: RefreshOutcome) => void;
}

export function createTokenRefresher(deps: TokenRefresherDependencies) {
  const { clock, github, sealer, entries, locks, logger } = deps;
  const leaseMs = deps.config.github.timeoutMs + 5_000;
  const onRefresh = deps.onRefresh ?? (() => undefined);

  const isExpiring = (record: SignedInRecord) =>
    record.github.accessTokenExpiresAt !== null && record.github.accessTokenExpiresAt - REFRESH_MARGIN_MS <= clock.now();
  // Every seal draws a fresh IV, so a stored token pair that was replaced never compares equal.
  const tokensChanged = (seen: SignedInRecord, current: SignedInRecord) => seen.github.sealedTokens !== current.github.sealedTokens;

  async function reauthenticate(sessionId: string, record: SignedInRecord, reason: string): Promise<never> {
    logger.info({ userId: record.user.id, reason }, "session ended: GitHub authorization no longer usable");
    await deps.endSession(sessionId, record);
    throw reauthenticationRequired();
  }

  async function opened(sessionId: string, record: SignedInRecord): Promise<UserToken> {
    const accessToken = openAccessToken(record, sealer);
    if (accessToken === null) return reauthenticate(sessionId, record, "stored token does not open (key retired?)");
    return { record, accessToken };
  }

  /** A usable access token: refreshed first when it expires within REFRESH_MARGIN_MS. */
  async function usableToken(sessionId: string, record: SignedInRecord): Promise<UserToken> {
    return isExpiring(record) ? refresh(sessionId, record, false) : opened(sessionId, record);
  }

  /** GitHub answered 401 to this token: refresh it once if it can be refreshed, else the session is over. */
  async function afterRejection(sessionId: string, record: SignedInRecord): Promise<UserToken> {
    // Whether there is a refresh token is only known inside the envelope (GitHub may send one
    // without an expiry), and this record's envelope has just opened for the access token.
    if (openRefreshToken(record, sealer) === null) return reauthenticate(sessionId, record, "token refused (401) and not refreshable");
    return refresh(sessionId, record, true);
  }

  async function refresh(sessionId: string, seen: SignedInRecord, force: boolean): Promise<UserToken> {
    const lockName = `refresh:${sessionId}`;
    const deadline = Date.now() + leaseMs + 1_000;
    while (Date.now() < deadline) {
      const owner = await locks.tryAcquire(lockName, leaseMs);
      if (owner) {
        try {
          return await refreshHoldingLock(sessionId, seen, force);
        } finally {
          await locks.release(lockName, owner).catch(() => undefined);
        }
      }
      // Someone else is refreshing: wait for their result instead of spending the refresh token.
      await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
      const current = await readRecord(entries, sessionId);
      if (!current) throw sessionEnded();
      if (tokensChanged(seen, current)) {
        onRefresh("lost_race");
        return opened(sessionId, current);
      }
    }
    throw new AppError(503, "refresh_in_progress", "Your GitHub sign-in is being renewed. Please try again in a moment.", {
      retryAfterSeconds: 1,
    });
  }

  async function refreshHoldingLock(sessionId: string, seen: SignedInRecord, force: boolean): Promise<UserToken> {
    // Re-read under the lock: another request or instance may have refreshed already.
    const current = await readRecord(entries, sessionId);
    if (!current) throw sessionEnded();
    if (tokensChanged(seen, current)) onRefresh("lost_race");
    if (tokensChanged(seen, current) || (!force && !isExpiring(current))) return opened(sessionId, current);
    const refreshToken = openRefreshToken(current, sealer);
    const refreshExpired = current.github.refreshTokenExpiresAt !== null && current.github.refreshTokenExpiresAt <= clock.now();
    if (refreshToken === null || refreshExpired) {
      onRefresh("refused");
      return reauthenticate(sessionId, current, "no usable refresh token");
    }

    let tokens;
    try {
      tokens = await github.refresh(refreshToken);
    } catch (error) {
      if (!(error instanceof GitHubOAuthError)) {
        onRefresh("network"); // unreachable, 5xx: the session stays
        throw error;
      }
      if (error.oauthError !== "bad_refresh_token") {
        onRefresh("error");
        throw new GitHubUnavailableError(`refresh refused: ${error.oauthError}`, error);
      }
      const winner = await tokensWrittenByAnother(sessionId, current);
      onRefresh(winner ? "lost_race" : "refused");
      if (winner) return opened(sessionId, winner);
      return reauthenticate(sessionId, current, "refresh token refused");
    }
    const written = await updateRecord(entries, sessionId, (latest) => withTokens(latest, tokens, sealer));
    if (!written) throw sessionEnded(); // signed out while GitHub answered: the new tokens go nowhere
    onRefresh("ok");
    logger.debug({ userId: written.user.id }, "token refreshed");
    return { record: written, accessToken: tokens.accessToken };
  }

  /**
   * After bad_refresh_token: did another refresher (one whose lease lapsed) win the race? Its new
   * tokens may still be on their way to the store, so look a few times before concluding.
   */
  async function tokensWrittenByAnother(sessionId: string, seen: SignedInRecord): Promise<SignedInRecord | null> {
    for (let look = 0; look < LOST_RACE_LOOKS; look += 1) {
      const reread = await readRecord(entries, sessionId);
      if (!reread) return null;
      if (tokensChanged(seen, reread)) return reread;
      await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS * 2));
    }
    return null;
  }

  /**
   * Runs a call to GitHub with the session's token; on 401 Bad credentials refreshes once (when the
   * token can be refreshed) and retries once.
   */
  async function withUserToken<T>(sessionId: string, record: SignedInRecord, call: (accessToken: string) => Promise<T>) {
    let token = await usableToken(sessionId, record);
    try {
      return { record: token.record, result: await call(token.accessToken) };
    } catch (error) {
      if (!(error instanceof GitHubBadCredentialsError)) throw error;
    }
    token = await afterRejection(sessionId, token.record);
    try {
      return { record: token.record, result: await call(token.accessToken) };
    } catch (error) {
      if (error instanceof GitHubBadCredentialsError) return reauthenticate(sessionId, token.record, "fresh token refused (401)");
      throw error;
    }
  }

  return { isExpiring, usableToken, withUserToken };
}

export type TokenRefresher = ReturnType<typeof createTokenRefresher>;
