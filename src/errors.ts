// Typed errors, one mapping to HTTP (http/error-handler.ts). `code` is the stable machine name API
// callers see, from the one catalogue (error-codes.ts) that also gives the status; `publicMessage`
// is safe to show; `cause` is only ever logged.
import { statusOf, type ErrorCode } from "./error-codes.js";

export type { ErrorCode } from "./error-codes.js";

export interface PageAction {
  href: string;
  label: string;
}

export interface AppErrorOptions {
  cause?: unknown;
  heading?: string;
  retryAfterSeconds?: number;
  notice?: boolean;
  next?: PageAction;
  /** A second action on the page, beside `next` (e.g. "try again" beside a link to single sign-on). */
  also?: PageAction;
  /** The 4xx Express or body-parser gave the request, for the codes that keep it (error-codes.ts). */
  requestStatus?: number;
  /** More fields of the JSON answer, beside `error` and `message` (e.g. `ssoUrl`); safe to show. */
  details?: Record<string, string>;
}

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly publicMessage: string,
    options: AppErrorOptions = {},
  ) {
    super(publicMessage, { cause: options.cause });
    this.status = statusOf(code, options.requestStatus);
    this.heading = options.heading ?? null;
    this.retryAfterSeconds = options.retryAfterSeconds ?? null;
    this.notice = options.notice ?? false;
    this.next = options.next ?? null;
    this.also = options.also ?? null;
    this.details = options.details ?? {};
  }
  readonly details: Record<string, string>;
  readonly status: number;
  /** Page title for browsers; null uses a generic one for the status. */
  readonly heading: string | null;
  readonly retryAfterSeconds: number | null;
  /** An outcome the visitor chose or nothing to worry about: the page tells it calmly, not as an error. */
  readonly notice: boolean;
  /** Where the page's main button leads; null lets the handler choose (sign in again, or home). */
  readonly next: PageAction | null;
  /** A second action the page offers, beside `next`; null for none. */
  readonly also: PageAction | null;
}

export const unauthenticated = () => new AppError("unauthenticated", "Sign in with GitHub to continue.", { heading: "Not signed in" });

export const notFound = () => new AppError("not_found", "There is nothing at this address.", { heading: "Page not found" });

export const badRequest = (message: string) => new AppError("bad_request", message, { heading: "Bad request" });

export const forbiddenCrossOrigin = () =>
  new AppError("cross_origin_request", "This request did not come from this site, so it was refused.", {
    heading: "Request refused",
  });

export const sessionStoreUnavailable = (cause: unknown) =>
  new AppError("session_store_unavailable", "Sessions are unavailable for a moment. Please try again shortly.", {
    cause,
    heading: "Temporarily unavailable",
    retryAfterSeconds: 5,
  });

export const reauthenticationRequired = () =>
  new AppError("reauthentication_required", "GitHub no longer accepts this sign-in. Please sign in again.", {
    heading: "Please sign in again",
  });

export const sessionEnded = () =>
  new AppError("unauthenticated", "This session has ended. Please sign in again.", { heading: "Not signed in" });

export const mixedCredentials = () =>
  new AppError("mixed_credentials", "This request carries both a session cookie and a bearer token; send only one of them.", {
    heading: "Bad request",
  });

/** A per-route rule of /auth/check that is not understood (SPEC §7); `summary` names parameters only, never their values. */
export const invalidRule = (message: string, summary: string) =>
  new AppError("invalid_rule", message, { heading: "Bad request", cause: new Error(`invalid_rule: ${summary}`) });
