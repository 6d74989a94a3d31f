// Ending sessions: one (sign-out, or the server ending it), all of a user's (sign out everywhere),
// and revoking the GitHub token itself. The per-user index is what finds "all of a user's". Each
// ending is one audit line (audit.ts).
import type { Logger } from "pino";
import type { GitHubClient } from "../github/client.js";
import type { Sealer } from "../sealer.js";
import type { SessionEntries } from "../store/session-entries.js";
import type { UserSessions } from "../store/user-sessions.js";
import type { Audit, SessionEndReason, SignOutScope } from "./audit.js";
import { openAccessToken, sessionKindOf, type SignedInRecord } from "./session-record.js";

export interface SessionEndingsDependencies {
  entries: SessionEntries;
  userSessions: UserSessions;
  github: GitHubClient;
  sealer: Sealer;
  logger: Logger;
  audit: Audit;
}

export function createSessionEndings({ entries, userSessions, github, sealer, logger, audit }: SessionEndingsDependencies) {
  async function remove(sessionId: string, record: SignedInRecord): Promise<void> {
    await entries.delete([sessionId]);
    await userSessions.remove(record.user.id, sessionId);
  }

  /** The server ends a session (its authorization is gone, the lists refuse the user, …). */
  async function endSession(sessionId: string, record: SignedInRecord, reason: SessionEndReason): Promise<void> {
    await remove(sessionId, record);
    audit.sessionEnded(record.user, reason, sessionKindOf(record));
  }

  /**
   * The user signs out: this session, one of their others (from the sessions list), or
   * (everywhere) every session of theirs, on every instance.
   */
  async function signOut(sessionId: string, record: SignedInRecord, scope: SignOutScope): Promise<void> {
    if (scope !== "everywhere") {
      await remove(sessionId, record);
      audit.signOut(record.user, scope, 1, sessionKindOf(record));
      return;
    }
    const sessionIds = await userSessions.list(record.user.id);
    await entries.delete([...new Set([sessionId, ...sessionIds])]);
    await userSessions.clear(record.user.id);
    audit.signOut(record.user, "everywhere", new Set([sessionId, ...sessionIds]).size, sessionKindOf(record));
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

  return { endSession, signOut, revokeAtGitHub };
}

export type SessionEndings = ReturnType<typeof createSessionEndings>;
