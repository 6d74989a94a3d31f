// The profile /api/me serves: the copy cached in the session, revalidated against GitHub with
// If-None-Match once it is older than PROFILE_MAX_AGE (a 304 costs no rate limit). When GitHub
// cannot be reached the cached copy is served: an outage at GitHub signs nobody out. The
// allow-lists are checked again at each revalidation.
import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { Config } from "../config/config.js";
import type { GitHubClient, UserFetchResult } from "../github/client.js";
import { GitHubRateLimitedError, GitHubUnavailableError } from "../github/errors.js";
import type { GitHubProfile } from "../github/profile.js";
import type { SessionEntries } from "../store/session-entries.js";
import { isAllowed } from "./allow-list.js";
import type { SignedInRecord } from "./session-record.js";
import { notAllowed } from "./sign-in-errors.js";
import { updateRecord } from "./session-updates.js";
import type { TokenRefresher } from "./token-refresh.js";

export interface CurrentProfileDependencies {
  /** Ends a session whose user is no longer on the allow-lists. */
  endSession: (sessionId: string, record: SignedInRecord) => Promise<void>;
  config: Config;
  clock: Clock;
  github: GitHubClient;
  entries: SessionEntries;
  refresher: TokenRefresher;
  logger: Logger;
}

export function createCurrentProfile({ config, clock, github, entries, refresher, logger, endSession }: CurrentProfileDependencies) {
  async function revalidate(sessionId: string, record: SignedInRecord): Promise<SignedInRecord> {
    const { record: current, result } = await refresher.withUserToken(sessionId, record, async (token) => {
      const answer = await fetchProfile(token, record);
      // Someone removed from ALLOWED_USERS or from an allowed organisation loses access here.
      const login = answer.notModified ? record.user.login : answer.profile.login;
      return { ...answer, allowed: await isAllowed(login, token, config, github) };
    });
    if (!result.allowed) {
      await endSession(sessionId, current);
      throw notAllowed(current.user.login);
    }
    const fetchedAt = clock.now();
    const written = await updateRecord(entries, sessionId, (latest) =>
      result.notModified
        ? { ...latest, profileFetchedAt: fetchedAt }
        : { ...latest, user: result.profile, profileEtag: result.etag, profileFetchedAt: fetchedAt },
    );
    return written ?? current;
  }

  async function fetchProfile(accessToken: string, cached: SignedInRecord): Promise<UserFetchResult> {
    const answer = await github.fetchUser(accessToken, cached.profileEtag);
    if (answer.notModified || answer.profile.email) return answer;
    // A private email comes from /user/emails, as at sign-in; keep the one we had if that fails.
    const email = await github.fetchPrimaryEmail(accessToken).catch(() => cached.user.email);
    return { ...answer, profile: { ...answer.profile, email } };
  }

  /** The user's profile; refreshes an expiring token on the way (SPEC: /api/me does). */
  async function currentProfile(sessionId: string, record: SignedInRecord): Promise<GitHubProfile> {
    try {
      // The token is opened only when it must be refreshed or the profile revalidated: most
      // answers come straight from the cached profile.
      let current = refresher.isExpiring(record) ? (await refresher.usableToken(sessionId, record)).record : record;
      if (clock.now() - current.profileFetchedAt > config.profileMaxAgeMs) current = await revalidate(sessionId, current);
      return current.user;
    } catch (error) {
      if (!(error instanceof GitHubUnavailableError || error instanceof GitHubRateLimitedError)) throw error;
      logger.warn({ userId: record.user.id, cause: error.message }, "GitHub unavailable: serving the cached profile");
      return record.user;
    }
  }

  return { currentProfile };
}

export type CurrentProfile = ReturnType<typeof createCurrentProfile>;
