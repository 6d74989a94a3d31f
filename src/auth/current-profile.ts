// The profile /api/me serves: the copy cached in the session, revalidated against GitHub with
// If-None-Match once it is older than PROFILE_MAX_AGE (a 304 costs no rate limit). When GitHub
// cannot be reached the cached copy is served: an outage at GitHub signs nobody out.
import type { Logger } from "pino";
import type { Clock } from "../clock.js";
import type { Config } from "../config/config.js";
import type { GitHubClient, UserFetchResult } from "../github/client.js";
import { GitHubRateLimitedError, GitHubUnavailableError } from "../github/errors.js";
import type { GitHubProfile } from "../github/profile.js";
import type { SessionEntries } from "../store/session-entries.js";
import type { SignedInRecord } from "./session-record.js";
import { updateRecord } from "./session-updates.js";
import type { TokenRefresher } from "./token-refresh.js";

export interface CurrentProfileDependencies {
  config: Config;
  clock: Clock;
  github: GitHubClient;
  entries: SessionEntries;
  refresher: TokenRefresher;
  logger: Logger;
}

export function createCurrentProfile({ config, clock, github, entries, refresher, logger }: CurrentProfileDependencies) {
  async function revalidate(sessionId: string, record: SignedInRecord): Promise<SignedInRecord> {
    const { record: current, result } = await refresher.withUserToken(sessionId, record, (token) => fetchProfile(token, record));
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
      let current = (await refresher.usableToken(sessionId, record)).record;
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
