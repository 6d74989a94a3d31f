// A fetch for everything that calls GitHub (the client and the API proxy), counting each call by
// endpoint and status and keeping GitHub's latest X-RateLimit-Remaining. Endpoints are named by
// route template ("GET /user/memberships/orgs/{org}"); proxied calls to any other API path count
// as "METHOD (other)", since their paths come from users.
import type { GitHubConfig } from "../config/config.js";
import type { Metrics } from "../metrics.js";

const KNOWN_ENDPOINTS: { method: string; path: RegExp; name: string }[] = [
  { method: "POST", path: /^\/login\/oauth\/access_token$/, name: "POST /login/oauth/access_token" },
  { method: "GET", path: /^\/user$/, name: "GET /user" },
  { method: "GET", path: /^\/user\/emails$/, name: "GET /user/emails" },
  { method: "GET", path: /^\/user\/memberships\/orgs\/[^/]+$/, name: "GET /user/memberships/orgs/{org}" },
  {
    method: "GET",
    path: /^\/orgs\/[^/]+\/teams\/[^/]+\/memberships\/[^/]+$/,
    name: "GET /orgs/{org}/teams/{team_slug}/memberships/{username}",
  },
  { method: "GET", path: /^\/repos\/[^/]+\/[^/]+$/, name: "GET /repos/{owner}/{repo}" },
  { method: "GET", path: /^\/users\/[^/]+$/, name: "GET /users/{username}" },
  { method: "DELETE", path: /^\/applications\/[^/]+\/token$/, name: "DELETE /applications/{client_id}/token" },
  { method: "DELETE", path: /^\/applications\/[^/]+\/grant$/, name: "DELETE /applications/{client_id}/grant" },
];

export function meteredGitHubFetch(
  metrics: Metrics,
  github: Pick<GitHubConfig, "serverBaseUrl" | "serverApiUrl">,
  fetchImpl: typeof fetch = globalThis.fetch,
): typeof fetch {
  return async (input, init) => {
    const method = (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
    const endpoint = endpointName(method, urlOf(input), github);
    let response: Response;
    try {
      response = await fetchImpl(input, init);
    } catch (error) {
      metrics.githubRequests.inc({ endpoint, status: "network_error" });
      throw error;
    }
    metrics.githubRequests.inc({ endpoint, status: String(response.status) });
    const remaining = Number(response.headers.get("x-ratelimit-remaining") ?? Number.NaN);
    if (Number.isFinite(remaining)) {
      metrics.githubRateLimitRemaining.set({ resource: response.headers.get("x-ratelimit-resource") ?? "core" }, remaining);
    }
    return response;
  };
}

function urlOf(input: string | URL | Request): string {
  return typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
}

export function endpointName(method: string, url: string, github: Pick<GitHubConfig, "serverBaseUrl" | "serverApiUrl">): string {
  const path = new URL(url).pathname;
  // The API base may carry a path (/api/v3 on GitHub Enterprise Server and the emulator).
  const apiBasePath = new URL(github.serverApiUrl).pathname.replace(/\/+$/, "");
  const webBasePath = new URL(github.serverBaseUrl).pathname.replace(/\/+$/, "");
  const candidates = [
    path.startsWith(`${apiBasePath}/`) ? path.slice(apiBasePath.length) : null,
    path.startsWith(`${webBasePath}/`) ? path.slice(webBasePath.length) : null,
  ];
  for (const candidate of candidates) {
    const known =
      candidate === null ? undefined : KNOWN_ENDPOINTS.find((endpoint) => endpoint.method === method && endpoint.path.test(candidate));
    if (known) return known.name;
  }
  return `${method} (other)`;
}
