// Ending sessions: one (sign-out), all of a user's (sign out everywhere, the revocation webhook),
// and revoking the GitHub token itself. The per-user index is what finds "all of a user's".
import type { Logger } from "pino";
import type { GitHubClient } from "../github/client.js";
import type { Sealer } from "../sealer.js";
import type { SessionEntries } from "../store/session-entries.js";
import type { UserSessions } from "../store/user-sessions.js";
import { openAccessToken, type SignedInRecord } from "./session-record.js";

export interface SessionEndingsDependencies {
  entries: SessionEntries;
  userSessions: UserSessions;
  github: GitHubClient;
  sealer: Sealer;
  logger: Logger;
}

export function createSessionEndings({ entries, userSessions, github, sealer, logger }: SessionEndingsDependencies) {
  async function endSession(sessionId: string, record: SignedInRecord): Promise<void> {
    await entries.delete([sessionId]);
    await userSessions.remove(record.user.id, sessionId);
  }

  /** Ends every session of a GitHub user, on every instance. Returns how many were found. */
  async function endAllSessions(userId: number): Promise<number> {
    const sessionIds = await userSessions.list(userId);
    await entries.delete(sessionIds);
    await userSessions.clear(userId);
    logger.info({ userId, sessions: sessionIds.length }, "ended every session of a user");
    return sessionIds.length;
  }

  /**
   * Revokes at GitHub: this session's token, or (everywhere) the user's whole authorization of the
   * app. A failure is logged and reported, never a reason to keep someone signed in here.
   */
  async function revokeAtGitHub(record: SignedInRecord, everywhere: boolean): Promise<boolean> {
    const accessToken = openAccessToken(record, sealer);
    if (accessToken === null) return false;
    try {
      return everywhere ? await github.deleteAuthorization(accessToken) : await github.revokeToken(accessToken);
    } catch (error) {
      logger.warn({ userId: record.user.id, cause: (error as Error).message }, "could not revoke the token at GitHub");
      return false;
    }
  }

  return { endSession, endAllSessions, revokeAtGitHub };
}

export type SessionEndings = ReturnType<typeof createSessionEndings>;
