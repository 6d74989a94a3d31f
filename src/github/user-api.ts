// A REST call made as the signed-in user (Authorization: token …). A 401 means GitHub no longer
// honours the token; a 403/429 from rate limiting is told apart from a plain 403 here, once, so
// no endpoint mistakes "slow down" for "not allowed".
import type { ApiAnswer, GitHubContext } from "./github-call.js";
import { GitHubBadCredentialsError, GitHubRateLimitedError } from "./errors.js";

export interface UserApiOptions {
  headers?: Record<string, string>;
  parameters?: Record<string, string>;
}

export async function callAsUser(
  { config, clock, call }: GitHubContext,
  route: string,
  accessToken: string,
  { headers = {}, parameters = {} }: UserApiOptions = {},
): Promise<ApiAnswer> {
  const answer = await call(route, {
    ...parameters,
    baseUrl: config.serverApiUrl,
    headers: { ...headers, authorization: `token ${accessToken}` },
  });
  if (answer.status === 401) throw new GitHubBadCredentialsError();
  throwIfRateLimited(answer, clock.now());
  return answer;
}

function throwIfRateLimited(answer: ApiAnswer, now: number): void {
  if (answer.status !== 403 && answer.status !== 429) return;
  const retryAfter = Number(answer.headers["retry-after"]);
  const message = String((answer.data as { message?: unknown } | null)?.message ?? "");
  if (/\bsecondary rate\b/i.test(message)) {
    throw new GitHubRateLimitedError("secondary", Number.isFinite(retryAfter) ? retryAfter : 60);
  }
  if (String(answer.headers["x-ratelimit-remaining"]) === "0") {
    const resetAt = Number(answer.headers["x-ratelimit-reset"]) * 1000;
    const wait = Number.isFinite(resetAt) ? Math.max(1, Math.ceil((resetAt - now) / 1000)) : null;
    throw new GitHubRateLimitedError("primary", wait);
  }
}
