// Acting as the user: one request forwarded to GitHub's REST API with the user's token. Only an
// allow-list of request headers goes out (never the browser's cookies), only an allow-list of
// response headers comes back, and the path can only ever name something under GITHUB_API_URL.
import type { GitHubConfig } from "../config/config.js";
import { GitHubBadCredentialsError, GitHubUnavailableError } from "./errors.js";

const FORWARDED_REQUEST_HEADERS = [
  "accept",
  "accept-language",
  "if-none-match",
  "if-modified-since",
  "x-github-api-version",
  "content-type",
];
export const RETURNED_RESPONSE_HEADERS = [
  "content-type",
  "etag",
  "last-modified",
  "link",
  "retry-after",
  "x-github-request-id",
  "x-github-media-type",
  "x-oauth-scopes",
  "x-accepted-oauth-scopes",
  "x-accepted-github-permissions",
  "x-ratelimit-limit",
  "x-ratelimit-remaining",
  "x-ratelimit-used",
  "x-ratelimit-reset",
  "x-ratelimit-resource",
];

// eslint-disable-next-line no-control-regex
const UNSAFE_PATH_CHARACTERS = /[\u0000-\u001f\u007f\\]/;

/**
 * The API path to forward, from the part of the URL after /api/github (still percent-encoded), or
 * null when it could leave the API: dot segments (also encoded), encoded slashes or backslashes,
 * empty segments, control characters.
 */
export function safeApiPath(rawPath: string): string | null {
  if (!rawPath.startsWith("/") || rawPath.length > 2048) return null;
  const segments = rawPath.slice(1).split("/");
  for (const [index, segment] of segments.entries()) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return null;
    }
    const lastAndEmpty = index === segments.length - 1 && segment === "";
    if ((segment === "" && !lastAndEmpty) || decoded === "." || decoded === ".." || decoded.includes("/")) return null;
    if (UNSAFE_PATH_CHARACTERS.test(decoded)) return null;
  }
  return rawPath;
}

export interface ForwardedRequest {
  method: string;
  /** A path accepted by safeApiPath. */
  apiPath: string;
  /** The query string, with its leading "?", or "". */
  search: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer | undefined;
}

export async function forwardToGitHub(
  config: GitHubConfig,
  request: ForwardedRequest,
  accessToken: string,
  fetchImpl: typeof fetch = globalThis.fetch,
): Promise<Response> {
  const base = new URL(`${config.serverApiUrl}/`);
  const target = new URL(`${config.serverApiUrl}${request.apiPath}${request.search}`);
  if (target.origin !== base.origin || !target.pathname.startsWith(base.pathname)) {
    throw new Error(`refusing to forward outside the API: ${target.origin}`);
  }
  const headers = new Headers({ "user-agent": "github-login-server", authorization: `token ${accessToken}` });
  for (const name of FORWARDED_REQUEST_HEADERS) {
    const value = request.headers[name];
    if (typeof value === "string") headers.set(name, value);
  }
  let response: Response;
  try {
    response = await fetchImpl(target, {
      method: request.method,
      headers,
      body: request.body && request.body.length > 0 ? request.body : undefined,
      redirect: "manual",
      signal: AbortSignal.timeout(config.timeoutMs),
    });
  } catch (error) {
    throw new GitHubUnavailableError(`${request.method} ${request.apiPath}: ${(error as Error).message}`, error);
  }
  if (response.status === 401) {
    await response.body?.cancel();
    throw new GitHubBadCredentialsError();
  }
  return response;
}
