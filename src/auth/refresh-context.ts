// What every step of a token refresh shares: its dependencies, and the two ways a step hands a
// session back. A record whose token pair does not open, or that GitHub will no longer refresh,
// ends the session (entry and user index) and answers reauthentication_required.
import type { SessionEndReason } from "./audit.js";
import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { Config } from "../config/config.js";
import { reauthenticationRequired } from "../errors.js";
import type { GitHubClient } from "../github/client.js";
import type { RefreshOutcome } from "../metrics.js";
import type { Sealer } from "../sealer.js";
import type { Locks } from "../store/locks.js";
import type { SessionEntries } from "../store/session-entries.js";
import { openAccessToken, type SignedInRecord } from "./session-record.js";

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

export interface RefreshContext extends TokenRefresherDependencies {
  onRefresh: (outcome: RefreshOutcome) => void;
  /** True when the record's access token expires within the refresh margin. */
  isExpiring: (record: SignedInRecord) => boolean;
}

/** Ends the session because its GitHub authorization can no longer be used; always throws. */
export async function reauthenticate(context: RefreshContext, sessionId: string, record: SignedInRecord, reason: string): Promise<never> {
  context.logger.info({ userId: record.user.id, reason }, "session ended: GitHub authorization no longer usable");
  await context.endSession(sessionId, record, "authorization_gone");
  throw reauthenticationRequired();
}

/** The record with its access token opened; a pair that does not open ends the session. */
export async function userTokenOf(context: RefreshContext, sessionId: string, record: SignedInRecord): Promise<UserToken> {
  const accessToken = openAccessToken(record, context.sealer);
  if (accessToken === null) return reauthenticate(context, sessionId, record, "stored token does not open (key retired?)");
  return { record, accessToken };
}
