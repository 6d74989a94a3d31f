// Keeps a session's GitHub token usable. GitHub refresh tokens work exactly once, and using one
// also kills the old access token, so parallel requests must not each refresh: one refresh per
// session at a time, across every instance (refresh-lock.ts), and requests that wait use the
// tokens the holder stored. Under the lease the session is read again in case it was changed
// underneath us; a refusal ends the session only if it still stands after re-reading
// (refresh-redemption.ts), and network errors or GitHub 5xx never end it.
import { GitHubBadCredentialsError } from "../github/errors.js";
import { sessionEnded } from "../errors.js";
import { withRefreshLock } from "./refresh-lock.js";
import { reauthenticate, userTokenOf, type RefreshContext, type TokenRefresherDependencies, type UserToken } from "./refresh-context.js";
import { redeemUnderLock, type RefreshIntention } from "./refresh-redemption.js";
import { accessTokenExpiresBy, openRefreshToken, tokensReplaced, type SignedInRecord } from "./session-record.js";
import { readRecord } from "./session-updates.js";

export type { RefreshOutcome } from "../metrics.js";
export type { TokenRefresherDependencies, UserToken } from "./refresh-context.js";

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
    if (error instanceof GitHubBadCredentialsError) return reauthenticate(context, sessionId, refreshed.record, "fresh token refused (401)");
    throw error;
  }
}
