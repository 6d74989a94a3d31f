// Spending the single-use refresh token, holding the session's refresh lease. The session is read
// again first, in case it was changed underneath us (another request or instance refreshed while
// this one waited for the lease). GitHub's answer decides what happens to the session: new tokens
// are stored by compare-and-set (never into a session that ended meanwhile); bad_refresh_token
// after a lost race is a re-read that finds the winner's tokens, not a sign-out; any other refusal
// or an outage leaves the session as it is. A race can be lost only when the lease lapsed: while
// it holds, nobody else refreshed, so a bad_refresh_token then is a refusal, and a revoked user
// is signed out at once rather than after a second of looking for a winner who cannot exist.
import { sessionEnded } from "../errors.js";
import { GitHubOAuthError, GitHubUnavailableError } from "../github/errors.js";
import type { TokenSet } from "../github/token-response.js";
import { reauthenticate, userTokenOf, type RefreshContext, type UserToken } from "./refresh-context.js";
import type { HeldLease } from "./refresh-lock.js";
import { openRefreshToken, refreshTokenExpired, tokensReplaced, withTokens, type SignedInRecord } from "./session-record.js";
import { readRecord, updateRecord } from "./session-updates.js";

/**
 * Why a refresh is asked for. `expiring`: the token is about to expire, so a refresh that another
 * request made meanwhile, or a token that no longer expires soon, makes this one unnecessary.
 * `rejected`: GitHub answered 401 to the stored token, so it is refreshed even before its expiry,
 * with the refresh token the caller already opened from that same stored pair.
 */
export type RefreshIntention = { reason: "expiring" } | { reason: "rejected"; refreshToken: string };

/** How many times a refresher that met bad_refresh_token after its lease lapsed looks for a winner's tokens. */
export const LOST_RACE_LOOKS = 10;
/** The pause between those looks (LOST_RACE_LOOKS of them: about one second in all). */
export const LOST_RACE_LOOK_INTERVAL_MS = 100;

/** Runs holding the lease: the stored tokens when someone refreshed meanwhile, else a refresh. */
export async function redeemUnderLock(
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
async function redeem(context: RefreshContext, sessionId: string, current: SignedInRecord, refreshToken: string, lease: HeldLease): Promise<UserToken> {
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
async function afterFailedRedemption(context: RefreshContext, sessionId: string, current: SignedInRecord, error: unknown, lease: HeldLease): Promise<UserToken> {
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
