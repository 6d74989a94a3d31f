// The GitHub token behind an OpenID Connect grant (SPEC §4, §9). A grant's session holds a copy of
// the access token of the sign-in session it was made from (its parent), never the refresh token:
// GitHub's refresh tokens work once, and two entries holding one would each redeem it, the second
// ending its session. So while the parent lives, every refresh happens on the parent, under the
// parent's own single-flight lease (auth/token-refresh.ts, the same one its browser's requests
// use), and the grant copies the result. A parent's refresh also kills the old access token, so
// before each use the grant takes the parent's current token when it differs from its copy.
//
// Once the parent has ended (signed out, idle, expired), the grant keeps the copy it holds and works
// on with it while GitHub accepts it: for good with a token that does not expire (OAuth Apps), until
// it expires for GitHub App tokens (8 hours after the parent's last refresh). Then, with nothing to
// refresh it from, the grant's session ends (authorization_gone) and its refresh tokens get
// invalid_grant: the application signs the user in again. A token GitHub refuses (401) ends it too.
//
// This object has the refresher's shape, so the access gate, revalidation and rule facts built on it
// (access-decision.ts) treat a grant's session like any other; for any other session it is the
// ordinary refresher.
import type { Logger } from "pino";
import { sessionEnded, AppError, reauthenticationRequired } from "../errors.js";
import { GitHubBadCredentialsError } from "../github/errors.js";
import type { Sealer } from "../sealer.js";
import type { SessionEntries } from "../store/session-entries.js";
import { openAccessToken, withTokens, type SignedInRecord } from "../auth/session-record.js";
import { readRecord, updateRecord } from "../auth/session-updates.js";
import type { TokenRefresher, UserToken } from "../auth/token-refresh.js";

export interface GrantTokenDependencies {
  refresher: TokenRefresher;
  entries: SessionEntries;
  sealer: Sealer;
  logger: Logger;
  /** Ends a grant's session whose GitHub token can no longer be used (and its grant at the provider). */
  endGrant: (sessionId: string, record: SignedInRecord) => Promise<void>;
}

type Need = "current" | "expiring" | "rejected";

export function grantTokenRefresher(deps: GrantTokenDependencies): TokenRefresher {
  const { refresher } = deps;
  const grantToken = (sessionId: string, record: SignedInRecord, need: Need) => tokenFromParent(deps, sessionId, record, need);
  const refreshIfExpiring = (sessionId: string, record: SignedInRecord): Promise<UserToken> =>
    record.oidc
      ? grantToken(sessionId, record, refresher.isExpiring(record) ? "expiring" : "current")
      : refresher.refreshIfExpiring(sessionId, record);
  const refreshAfterRejection = (sessionId: string, record: SignedInRecord): Promise<UserToken> =>
    record.oidc ? grantToken(sessionId, record, "rejected") : refresher.refreshAfterRejection(sessionId, record);
  async function withUserToken<T>(
    sessionId: string,
    record: SignedInRecord,
    call: (accessToken: string) => Promise<T>,
  ): Promise<{ record: SignedInRecord; result: T }> {
    if (!record.oidc) return refresher.withUserToken(sessionId, record, call);
    const first = await refreshIfExpiring(sessionId, record);
    try {
      return { record: first.record, result: await call(first.accessToken) };
    } catch (error) {
      if (!(error instanceof GitHubBadCredentialsError)) throw error;
    }
    const again = await refreshAfterRejection(sessionId, first.record);
    try {
      return { record: again.record, result: await call(again.accessToken) };
    } catch (error) {
      if (error instanceof GitHubBadCredentialsError)
        return endWith(deps, sessionId, again.record, "the parent's fresh token refused (401)");
      throw error;
    }
  }
  return { isExpiring: refresher.isExpiring, refreshIfExpiring, refreshAfterRejection, withUserToken };
}

/**
 * The token the grant is to use: the parent's current one (refreshed there first when it expires
 * soon, or when the copy was refused and the parent still holds that same token), copied into the
 * grant when it differs. Without a parent: its own copy while usable, else the grant ends.
 */
async function tokenFromParent(deps: GrantTokenDependencies, sessionId: string, grant: SignedInRecord, need: Need): Promise<UserToken> {
  const own = openAccessToken(grant, deps.sealer);
  const parentId = grant.oidc!.parent;
  const parent = await readRecord(deps.entries, parentId);
  if (parent === null || parent.user.id !== grant.user.id) return withoutParent(deps, sessionId, grant, own, need);
  let fromParent: UserToken;
  try {
    const parentToken = openAccessToken(parent, deps.sealer);
    const parentMoved = parentToken !== null && parentToken !== own;
    if (need === "rejected" && !parentMoved) fromParent = await deps.refresher.refreshAfterRejection(parentId, parent);
    else if (need === "current" && parentToken !== null && !deps.refresher.isExpiring(parent))
      fromParent = { record: parent, accessToken: parentToken };
    else fromParent = await deps.refresher.refreshIfExpiring(parentId, parent);
  } catch (error) {
    // The parent ended on the way: its authorization is gone, or it was signed out meanwhile.
    if (error instanceof AppError && error.status === 401) return withoutParent(deps, sessionId, grant, own, need);
    throw error;
  }
  return fromParent.accessToken === own ? { record: grant, accessToken: own } : copied(deps, sessionId, fromParent);
}

/** The parent has ended: the grant's own copy while it is usable as it is, else the grant ends. */
function withoutParent(
  deps: GrantTokenDependencies,
  sessionId: string,
  grant: SignedInRecord,
  own: string | null,
  need: Need,
): Promise<UserToken> {
  if (own !== null && need === "current") return Promise.resolve({ record: grant, accessToken: own });
  return endWith(
    deps,
    sessionId,
    grant,
    need === "rejected" ? "token refused (401), and its sign-in session has ended" : "token expiring, and its sign-in session has ended",
  );
}

/** Seals the parent's access token (alone) into the grant, by compare-and-set. */
async function copied(deps: GrantTokenDependencies, sessionId: string, { record: parent, accessToken }: UserToken): Promise<UserToken> {
  const tokens = {
    accessToken,
    refreshToken: null,
    scopes: parent.github.scopes,
    accessTokenExpiresAt: parent.github.accessTokenExpiresAt,
    refreshTokenExpiresAt: null,
  };
  const written = await updateRecord(deps.entries, sessionId, (latest) => withTokens(latest, tokens, deps.sealer));
  if (!written) throw sessionEnded(); // the grant ended meanwhile: nothing to copy into
  return { record: written, accessToken };
}

async function endWith(deps: GrantTokenDependencies, sessionId: string, grant: SignedInRecord, reason: string): Promise<never> {
  deps.logger.info(
    { userId: grant.user.id, clientId: grant.oidc?.clientId, reason },
    "OpenID Connect grant ended: its GitHub token can no longer be used",
  );
  await deps.endGrant(sessionId, grant);
  throw reauthenticationRequired();
}
