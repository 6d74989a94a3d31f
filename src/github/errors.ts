// GitHub failures, sorted by what the caller can do about them. Classifying here, next to the
// client, keeps routes free of HTTP-status guesswork about GitHub.
import { AppError } from "../errors.js";

/** GitHub could not be reached, timed out, or answered 5xx / nonsense. Keep the session; try later. */
export class GitHubUnavailableError extends AppError {
  constructor(detail: string, cause?: unknown) {
    super("github_unavailable", "GitHub could not be reached. Please try again in a moment.", {
      cause: cause ?? new Error(detail),
      heading: "GitHub is unavailable",
    });
  }
}

/** The token endpoint answered with an OAuth `error` (GitHub sends these with HTTP 200). */
export class GitHubOAuthError extends Error {
  constructor(
    readonly oauthError: string,
    readonly description: string,
  ) {
    super(`GitHub refused the request: ${oauthError}`);
  }
}

/** 401 Bad credentials: the token is expired or revoked. */
export class GitHubBadCredentialsError extends Error {
  constructor() {
    super("GitHub answered 401 Bad credentials");
  }
}

/**
 * 403/429 from GitHub's rate limiting, told apart as GitHub does: the primary budget is used up
 * (`x-ratelimit-remaining: 0`, wait until the reset), or a secondary limit tripped (a message saying
 * "secondary rate limit", wait `retry-after` or a minute).
 */
export class GitHubRateLimitedError extends AppError {
  constructor(
    readonly kind: "primary" | "secondary",
    retryAfterSeconds: number | null,
  ) {
    super(
      kind === "primary" ? "github_rate_limited" : "github_secondary_rate_limited",
      kind === "primary"
        ? "GitHub's hourly request budget for this account is used up. Please try again after it resets."
        : "GitHub is limiting how fast requests may be made right now (a secondary rate limit). Please try again in a minute.",
      { heading: "GitHub rate limit reached", ...(retryAfterSeconds === null ? {} : { retryAfterSeconds }) },
    );
  }
}
