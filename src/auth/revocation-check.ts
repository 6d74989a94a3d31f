// The revocation webhook (github_app_authorization / revoked) says a user took back the GitHub
// App's authorization. Its delivery is signed but carries nothing that dates it, so a captured one
// can be replayed later, after the user has signed in again. So each of the user's sessions ends
// only if GitHub confirms its token is gone (the app's token check: 404 for a revoked token; an
// expired one is refreshed first, and a refused refresh ends the session).
// When GitHub cannot be asked (unreachable, 5xx, or throttling the check), nobody is signed out on
// the word of a delivery that may be a replay: each session is marked to be revalidated with GitHub
// before its next answer (SPEC §4). And a user's deliveries are checked with GitHub at most once a
// minute, across every instance: replays neither fan out into GitHub calls nor spend a rate limit.
import type { Logger } from "pino";
import { AppError } from "../errors.js";
import type { GitHubClient } from "../github/client.js";
import { GitHubBadCredentialsError } from "../github/errors.js";
import type { OneTimeMarker } from "../store/one-time-marker.js";
import type { SessionEntries } from "../store/session-entries.js";
import type { UserSessions } from "../store/user-sessions.js";
import { isGitHubOutage } from "./revalidation.js";
import { readRecord, updateRecord } from "./session-updates.js";
import type { TokenRefresher } from "./token-refresh.js";

/** One round of checks per user per this long; later deliveries are acknowledged without work. */
export const REVOCATION_CHECK_SPACING_MS = 60_000;

export interface RevocationCheckDependencies {
  entries: SessionEntries;
  userSessions: UserSessions;
  github: GitHubClient;
  refresher: TokenRefresher;
  oneTimeMarker: OneTimeMarker;
  logger: Logger;
}

/** What became of one indexed session; "stale": gone, or not this user's (the index entry is dropped). */
type Verdict = "ended" | "kept" | "unconfirmed" | "stale";

export type RevocationOutcome = { checked: false } | { checked: true; ended: number; kept: number; unconfirmed: number };

export function createRevocationCheck({ entries, userSessions, github, refresher, oneTimeMarker, logger }: RevocationCheckDependencies) {
  async function judge(userId: number, sessionId: string): Promise<Verdict> {
    const record = await readRecord(entries, sessionId);
    if (!record || record.user.id !== userId) {
      await userSessions.remove(userId, sessionId); // a stale index entry: never another user's session
      return "stale";
    }
    try {
      await refresher.withUserToken(sessionId, record, async (accessToken) => {
        if (!(await github.checkToken(accessToken))) throw new GitHubBadCredentialsError();
      });
      return "kept"; // GitHub still honours it: this delivery is older than the current sign-in
    } catch (error) {
      if (error instanceof AppError && error.status === 401) return "ended"; // the refresher ended it
      if (!isGitHubOutage(error)) throw error;
      logger.warn(
        { userId, cause: (error as Error).message },
        "revocation webhook: GitHub cannot confirm; the session is revalidated before its next answer",
      );
      const marked = await updateRecord(entries, sessionId, (current) => ({ ...current, revalidateFirst: true }));
      return marked ? "unconfirmed" : "stale"; // null: it ended meanwhile
    }
  }

  /** Checks the user's sessions with GitHub, unless a delivery for them was checked within the last minute. */
  async function handleRevocation(userId: number): Promise<RevocationOutcome> {
    if (!(await oneTimeMarker.claim(`revocation-check:${userId}`, REVOCATION_CHECK_SPACING_MS))) {
      logger.info({ userId }, "revocation webhook: this user was checked less than a minute ago; acknowledged without work");
      return { checked: false };
    }
    const sessionIds = await userSessions.list(userId);
    const verdicts = await Promise.all(sessionIds.map((sessionId) => judge(userId, sessionId)));
    const count = (verdict: Verdict) => verdicts.filter((each) => each === verdict).length;
    const outcome = { checked: true as const, ended: count("ended"), kept: count("kept"), unconfirmed: count("unconfirmed") };
    logger.info({ userId, ended: outcome.ended, kept: outcome.kept, unconfirmed: outcome.unconfirmed }, "revocation webhook handled");
    return outcome;
  }

  return { handleRevocation };
}

export type RevocationCheck = ReturnType<typeof createRevocationCheck>;
