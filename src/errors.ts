// Typed errors, one mapping to HTTP (http/error-handler.ts). `code` is the stable machine name API
// callers see; `publicMessage` is safe to show; `cause` is only ever logged.
export interface PageAction {
  href: string;
  label: string;
}

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly publicMessage: string,
    options: { cause?: unknown; heading?: string; retryAfterSeconds?: number; notice?: boolean; next?: PageAction } = {},
  ) {
    super(publicMessage, { cause: options.cause });
    this.heading = options.heading ?? null;
    this.retryAfterSeconds = options.retryAfterSeconds ?? null;
    this.notice = options.notice ?? false;
    this.next = options.next ?? null;
  }
  /** Page title for browsers; null uses a generic one for the status. */
  readonly heading: string | null;
  readonly retryAfterSeconds: number | null;
  /** An outcome the visitor chose or nothing to worry about: the page tells it calmly, not as an error. */
  readonly notice: boolean;
  /** Where the page's main button leads; null lets the handler choose (sign in again, or home). */
  readonly next: PageAction | null;
}

export const unauthenticated = () =>
  new AppError(401, "unauthenticated", "Sign in with GitHub to continue.", { heading: "Not signed in" });

export const notFound = () => new AppError(404, "not_found", "There is nothing at this address.", { heading: "Page not found" });

export const badRequest = (message: string) => new AppError(400, "bad_request", message, { heading: "Bad request" });

export const forbiddenCrossOrigin = () =>
  new AppError(403, "cross_origin_request", "This request did not come from this site, so it was refused.", {
    heading: "Request refused",
  });

export const sessionStoreUnavailable = (cause: unknown) =>
  new AppError(503, "session_store_unavailable", "Sessions are unavailable for a moment. Please try again shortly.", {
    cause,
    heading: "Temporarily unavailable",
    retryAfterSeconds: 5,
  });

export const reauthenticationRequired = () =>
  new AppError(401, "reauthentication_required", "GitHub no longer accepts this sign-in. Please sign in again.", {
    heading: "Please sign in again",
  });

export const sessionEnded = () => new AppError(401, "unauthenticated", "This session has ended. Please sign in again.", { heading: "Not signed in" });
