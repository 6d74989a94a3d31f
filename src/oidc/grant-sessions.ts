// OpenID Connect grants are sessions (SPEC §9 "One session"): each authorization a client gets is
// an entry of its own in the session store, kind "oidc", made from the browser's signed-in session
// (its parent) and indexed under the user like any other. So the session list shows and ends it,
// sign-out everywhere, the revocation webhook and the operator CLI find it, and the allow-lists,
// revalidation and SESSION_MAX_AGE apply to it, with no path of their own. Its id is named after
// oidc-provider's grant id (random, and never given to anyone), so every code and token of the grant
// finds it (account.ts); oidc-provider's accountId is the GitHub user id, its `sub`. Ending one here also
// revokes what the provider holds of it; ended any other way, the provider's leftovers are revoked
// when a token of it is next presented.
import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { Config } from "../config/config.js";
import type { OidcClient } from "../config/oidc-config.js";
import type { GitHubClient } from "../github/client.js";
import { GitHubBadCredentialsError } from "../github/errors.js";
import type { Sealer } from "../sealer.js";
import type { SessionEntries } from "../store/session-entries.js";
import type { UserSessions } from "../store/user-sessions.js";
import type { Audit, SessionEndReason, SignOutScope } from "../auth/audit.js";
import type { SessionEndings } from "../auth/session-endings.js";
import { withTokens, type SignedInRecord } from "../auth/session-record.js";
import { entryUnder, storeNewSession } from "../auth/session-start.js";
import { readRecord } from "../auth/session-updates.js";
import type { TokenRefresher } from "../auth/token-refresh.js";

export interface GrantSessionDependencies {
  config: Config;
  clock: Clock;
  entries: SessionEntries;
  userSessions: UserSessions;
  sealer: Sealer;
  github: GitHubClient;
  /** The server's refresher: the parent's token is refreshed under its own lease when it expires soon. */
  refresher: TokenRefresher;
  endings: SessionEndings;
  audit: Audit;
  logger: Logger;
}

/** Ids of grants' sessions carry a mark of their own, apart from express-session's and session tokens' ("t."). */
const GRANT_SESSION_PREFIX = "o.";

/** The session of oidc-provider's grant `grantId`. */
export const grantSessionId = (grantId: string) => `${GRANT_SESSION_PREFIX}${grantId}`;

export function createGrantSessions(deps: GrantSessionDependencies) {
  const { config, clock, entries } = deps;
  const { idleTimeoutMs, maxAgeMs } = config.session;
  /** What the provider still holds of a grant; connected once the provider is built (provider.ts). */
  let revokeAtProvider: (grantId: string) => Promise<void> = async () => undefined;
  const revoke = (record: SignedInRecord) =>
    record.oidc
      ? revokeAtProvider(record.oidc.grantId).catch((error: unknown) => {
          deps.logger.warn(
            { err: error, clientId: record.oidc?.clientId },
            "could not revoke an ended grant at the OpenID Connect provider; its tokens fail anyway",
          );
        })
      : Promise.resolve();

  /** Ends a grant's session (the server ends it), and its grant at the provider. */
  async function end(sessionId: string, record: SignedInRecord, reason: SessionEndReason): Promise<void> {
    await deps.endings.endSession(sessionId, record, reason);
    await revoke(record);
  }

  /** The user (or their application) signed the grant out. */
  async function signOut(sessionId: string, record: SignedInRecord, scope: SignOutScope): Promise<void> {
    await deps.endings.signOut(sessionId, record, scope);
    await revoke(record);
  }

  return {
    connect(revokeGrant: (grantId: string) => Promise<void>): void {
      revokeAtProvider = revokeGrant;
    },
    /** Stores the session of the grant `grantId` for `client`, made from the signed-in `parent` session. */
    start: (grantId: string, parent: { sessionId: string; record: SignedInRecord }, client: OidcClient) =>
      startGrantSession(deps, grantId, parent, client),
    /**
     * The session of the grant `grantId` for `clientId` and the user `sub`, or null: ended, past
     * SESSION_MAX_AGE (then ended now), or not that client's or user's.
     */
    read: (grantId: string, clientId: string, sub: string) => readGrantSession(deps, end, grantId, clientId, sub),
    /** Each refresh is a use: the idle expiry slides, never past SESSION_MAX_AGE. */
    async touch(sessionId: string, record: SignedInRecord): Promise<void> {
      const left = Math.min(idleTimeoutMs, record.signedInAt + maxAgeMs - clock.now());
      if (left > 0) await entries.extend(sessionId, left);
    },
    end,
    /** Ends any session the access gate finds over: a grant's also at the provider. */
    endSession: (sessionId: string, record: SignedInRecord, reason: SessionEndReason) =>
      record.oidc ? end(sessionId, record, reason) : deps.endings.endSession(sessionId, record, reason),
    signOut,
    /** Ends every grant made from the sign-in session `parentId` of `userId` (/oidc/session/end); how many. */
    endGrantsOf: (parentId: string, userId: number) => endGrantsOf(deps, signOut, parentId, userId),
  };
}

export type GrantSessions = ReturnType<typeof createGrantSessions>;

type SignOut = (sessionId: string, record: SignedInRecord, scope: SignOutScope) => Promise<void>;
type End = (sessionId: string, record: SignedInRecord, reason: SessionEndReason) => Promise<void>;

async function readGrantSession(
  { config, clock, entries }: GrantSessionDependencies,
  end: End,
  grantId: string,
  clientId: string,
  sub: string,
): Promise<{ sessionId: string; record: SignedInRecord } | null> {
  const sessionId = grantSessionId(grantId);
  const record = await readRecord(entries, sessionId);
  if (!record?.oidc || record.oidc.grantId !== grantId || record.oidc.clientId !== clientId || String(record.user.id) !== sub) return null;
  if (clock.now() >= record.signedInAt + config.session.maxAgeMs) {
    await end(sessionId, record, "max_age");
    return null;
  }
  return { sessionId, record };
}

async function endGrantsOf(deps: GrantSessionDependencies, signOut: SignOut, parentId: string, userId: number): Promise<number> {
  const sessionIds = (await deps.userSessions.list(userId)).filter((id) => id.startsWith(GRANT_SESSION_PREFIX));
  let ended = 0;
  for (const sessionId of sessionIds) {
    const record = await readRecord(deps.entries, sessionId);
    if (record?.oidc?.parent !== parentId || record.user.id !== userId) continue;
    await signOut(sessionId, record, "other_session");
    ended += 1;
  }
  return ended;
}

/**
 * The grant's session: the user, the facts and the access token as the parent holds them now (never
 * its refresh token), the verified primary email, and where it came from.
 */
async function startGrantSession(
  deps: GrantSessionDependencies,
  grantId: string,
  parent: { sessionId: string; record: SignedInRecord },
  client: OidcClient,
): Promise<SignedInRecord> {
  const { idleTimeoutMs, maxAgeMs } = deps.config.session;
  // The primary email is asked with the parent's token, refreshed first (under the parent's lease) when it expires soon.
  const { record: current, result } = await deps.refresher.withUserToken(parent.sessionId, parent.record, async (accessToken) => ({
    accessToken,
    email: await verifiedPrimaryEmail(deps, accessToken, parent.record),
  }));
  const { accessToken, email } = result;
  const { github, user, profileEtag, profileFetchedAt, access, userAgent } = current;
  const base: SignedInRecord = {
    user,
    profileEtag,
    profileFetchedAt,
    ...(access ? { access } : {}),
    signedInAt: deps.clock.now(),
    github,
    ...(userAgent ? { userAgent } : {}),
    kind: "oidc",
    oidc: { clientId: client.clientId, grantId, parent: parent.sessionId, ...(email ? { email } : {}) },
  };
  const tokens = {
    accessToken,
    refreshToken: null,
    scopes: github.scopes,
    accessTokenExpiresAt: github.accessTokenExpiresAt,
    refreshTokenExpiresAt: null,
  };
  const record = withTokens(base, tokens, deps.sealer);
  await storeNewSession(record, entryUnder(deps.entries, grantSessionId(grantId), Math.min(idleTimeoutMs, maxAgeMs), null), deps);
  deps.audit.signIn("success", user, undefined, "oidc");
  return record;
}

/** The `email` claim: only GitHub's verified primary address (GET /user/emails), never a public one that is not it. */
async function verifiedPrimaryEmail(
  { github, logger }: GrantSessionDependencies,
  accessToken: string,
  parent: SignedInRecord,
): Promise<string | null> {
  try {
    return await github.fetchPrimaryEmail(accessToken);
  } catch (error) {
    if (error instanceof GitHubBadCredentialsError) throw error; // refreshed once and asked again by withUserToken
    // The claim is a nicety, not a reason to refuse the authorization.
    logger.info(
      { userId: parent.user.id, cause: (error as Error).message },
      "could not ask GitHub for the verified primary email; the ID token carries none",
    );
    return null;
  }
}
