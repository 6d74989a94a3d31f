// Who the signed-in user is: GET /user (revalidated with If-None-Match, so an unchanged profile
// costs no rate limit) and the verified primary email GET /user/emails knows when /user hides it.
import type { GitHubContext } from "./github-call.js";
import { GitHubUnavailableError } from "./errors.js";
import { readProfile, type GitHubProfile } from "./profile.js";
import { callAsUser } from "./user-api.js";

export type UserFetchResult = { notModified: true } | { notModified: false; profile: GitHubProfile; etag: string | null };

export async function fetchUser(context: GitHubContext, accessToken: string, etag?: string | null): Promise<UserFetchResult> {
  const answer = await callAsUser(context, "GET /user", accessToken, { headers: etag ? { "if-none-match": etag } : {} });
  if (answer.status === 304) return { notModified: true };
  const profile = answer.status === 200 ? readProfile(answer.data) : null;
  if (!profile) throw new GitHubUnavailableError(`GET /user: unexpected HTTP ${answer.status}`);
  return { notModified: false, profile, etag: typeof answer.headers.etag === "string" ? answer.headers.etag : null };
}

export async function fetchPrimaryEmail(context: GitHubContext, accessToken: string): Promise<string | null> {
  // 404 means the token may not read emails (no user:email scope / permission): not an error.
  const answer = await callAsUser(context, "GET /user/emails", accessToken);
  if (answer.status !== 200 || !Array.isArray(answer.data)) return null;
  const primary = answer.data.find((entry) => entry?.primary === true && entry?.verified === true);
  return typeof primary?.email === "string" ? primary.email : null;
}

/** The GitHub id of a login (GET /users/{login}, no token needed); null when GitHub knows no such user. */
export async function userIdOf(context: GitHubContext, login: string): Promise<number | null> {
  const answer = await context.call("GET /users/{username}", { username: login, baseUrl: context.config.serverApiUrl });
  if (answer.status === 404) return null;
  const id = (answer.data as { id?: unknown } | null)?.id;
  if (answer.status !== 200 || typeof id !== "number")
    throw new GitHubUnavailableError(`GET /users/{username}: unexpected HTTP ${answer.status}`);
  return id;
}
