// The revocation webhook (github_app_authorization / revoked) says a user took back the GitHub
// App's authorization. Its delivery is signed but carries nothing that dates it, so a captured one
// can be replayed later, after the user has signed in again. So each of the user's sessions ends
// only if GitHub confirms its token is gone (the app's token check: 404 for a revoked token; an
// expired one is refreshed first, and a refused refresh ends the session). When GitHub cannot be
// asked, the session ends: the delivery is authentic, and a wrongful sign-out is the safe error.
import type { Logger } from "pino";
import { AppError } from "../errors.js";
import type { GitHubClient } from "../github/client.js";
import { GitHubBadCredentialsError } from "../github/errors.js";
import type { SessionEntries } from "../store/session-entries.js";
import type { UserSessions } from "../store/user-sessions.js";
import { isGitHubOutage } from "./revalidation.js";
import type { SessionEndings } from "./session-endings.js";
import { readRecord } from "./session-updates.js";
import type { TokenRefresher } from "./token-refresh.js";

export interface RevocationCheckDependencies {
  entries: SessionEntries;
  userSessions: UserSessions;
  github: GitHubClient;
  refresher: TokenRefresher;
  endings: SessionEndings;
  logger: Logger;
}

export function createRevocationCheck({ entries, userSessions, github, refresher, endings, logger }: RevocationCheckDependencies) {
  /** True when the session's authorization is gone (and the session has now ended). */
  async function endIfRevoked(userId: number, sessionId: string): Promise<boolean> {
    const record = await readRecord(entries, sessionId);
    if (!record || record.user.id !== userId) {
      await userSessions.remove(userId, sessionId); // a stale index entry
      return false;
    }
    try {
      await refresher.withUserToken(sessionId, record, async (accessToken) => {
        if (!(await github.checkToken(accessToken))) throw new GitHubBadCredentialsError();
      });
      return false; // GitHub still honours it: this delivery is older than the current sign-in
    } catch (error) {
      if (error instanceof AppError && error.status === 401) return true; // the refresher ended it
      if (!isGitHubOutage(error)) throw error;
      logger.warn({ userId, cause: (error as Error).message }, "revocation webhook: GitHub cannot confirm; ending the session");
      await endings.endSession(sessionId, record, "revoked");
      return true;
    }
  }

  /** Ends the user's sessions whose authorization GitHub no longer honours. Returns how many. */
  async function endRevokedSessions(userId: number): Promise<{ ended: number; kept: number }> {
    const sessionIds = await userSessions.list(userId);
    const outcomes = await Promise.all(sessionIds.map((sessionId) => endIfRevoked(userId, sessionId)));
    const ended = outcomes.filter(Boolean).length;
    logger.info({ userId, ended, kept: sessionIds.length - ended }, "revocation webhook handled");
    return { ended, kept: sessionIds.length - ended };
  }

  return { endRevokedSessions };
}

export type RevocationCheck = ReturnType<typeof createRevocationCheck>;
