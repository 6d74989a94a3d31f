// One call to GitHub, as every endpoint module makes it: through the injected fetch, bounded by
// GITHUB_TIMEOUT, with network failures and 5xx turned into GitHubUnavailableError. 304 and 4xx
// come back as answers, because what they mean depends on the endpoint.
import { request as octokitRequest } from "@octokit/request";
import type { Clock } from "../clock.js";
import type { GitHubConfig } from "../config/config.js";
import { GitHubUnavailableError } from "./errors.js";

export interface ApiAnswer {
  status: number;
  headers: Record<string, string | number | undefined>;
  data: unknown;
}

export type GitHubCall = (route: string, options: Record<string, unknown>) => Promise<ApiAnswer>;

/** What every endpoint function is given: the configuration, the clock, and the way to call GitHub. */
export interface GitHubContext {
  config: GitHubConfig;
  clock: Clock;
  call: GitHubCall;
}

export function createGitHubCall(config: GitHubConfig, fetchImpl: typeof fetch): GitHubCall {
  const request = octokitRequest.defaults({
    headers: { "user-agent": "github-login-server", "x-github-api-version": "2022-11-28" },
    request: { fetch: fetchImpl },
  });
  return async (route, options) => {
    try {
      const response = await request(route, { ...options, request: { signal: AbortSignal.timeout(config.timeoutMs) } });
      return { status: response.status, headers: response.headers, data: response.data };
    } catch (error) {
      const response = (error as { response?: ApiAnswer }).response;
      if (!response) throw new GitHubUnavailableError(`${route}: ${(error as Error).message}`);
      if (response.status >= 500) throw new GitHubUnavailableError(`${route}: HTTP ${response.status}`);
      return response;
    }
  };
}
