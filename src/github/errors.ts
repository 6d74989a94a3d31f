// GitHub failures, sorted by what the caller can do about them. Classifying here, next to the
// client, keeps routes free of HTTP-status guesswork about GitHub.
import { AppError } from "../errors.js";

/** GitHub could not be reached, timed out, or answered 5xx / nonsense. Keep the session; try later. */
export class GitHubUnavailableError extends AppError {
  constructor(detail: string, cause?: unknown) {
    super(502, "github_unavailable", "GitHub could not be reached. Please try again in a moment.", {
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

/** 403/429 with an exhausted primary budget, or a secondary rate limit. */
export class GitHubRateLimitedError extends AppError {
  constructor(
    readonly kind: "primary" | "secondary",
    retryAfterSeconds: number | null,
  ) {
    super(429, "github_rate_limited", "GitHub's rate limit for this account is used up. Please try again later.", {
      heading: "GitHub rate limit reached",
      ...(retryAfterSeconds === null ? {} : { retryAfterSeconds }),
    });
  }
}
