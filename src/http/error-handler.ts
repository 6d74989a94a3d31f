// The one place errors become HTTP answers. AppErrors carry their status and a message that is
// safe to show; anything else a client caused (malformed body, oversized payload) becomes a 4xx;
// everything unexpected is a 500 with a generic message. Causes are logged, never sent. Pages also
// get a tone: what the visitor chose (cancelling the sign-in on GitHub) is told as a calm notice,
// not as a failure, while its status stays what SPEC §3 says for programs reading it.
import type { ErrorRequestHandler, RequestHandler } from "express";
import type { Logger } from "pino";
import { AppError, notFound } from "../errors.js";
import { wantsJson } from "./negotiation.js";
import type { PageRenderer } from "./render.js";
import { loggedPath } from "./request-logging.js";
import { isPartOfSignIn } from "./route-table.js";

const GENERIC_HEADINGS: Record<number, string> = {
  400: "Bad request",
  401: "Not signed in",
  403: "Not allowed",
  404: "Page not found",
  405: "Method not allowed",
  413: "Request too large",
  415: "Unsupported content type",
  429: "Too many requests",
  500: "Something went wrong",
  502: "GitHub is unavailable",
  503: "Temporarily unavailable",
};

type PageTone = "notice" | "error";

export const notFoundHandler: RequestHandler = (_request, _response, next) => next(notFound());

export function createErrorHandler(logger: Logger, pages: PageRenderer): ErrorRequestHandler {
  return (error, request, response, _next) => {
    const appError = toAppError(error);
    logError(logger, appError, error, `${request.method} ${loggedPath(request.path)}`);
    if (response.headersSent) {
      response.end();
      return;
    }
    if (appError.retryAfterSeconds !== null) response.setHeader("Retry-After", String(appError.retryAfterSeconds));
    response.setHeader("Cache-Control", "no-store");
    if (wantsJson(request)) {
      response.status(appError.status).json({ ...appError.details, error: appError.code, message: appError.publicMessage });
      return;
    }
    // Failures of the sign-in itself offer a fresh sign-in; anything else leads home.
    const duringSignIn = isPartOfSignIn(request.path) || appError.status === 401;
    const heading = appError.heading ?? GENERIC_HEADINGS[appError.status] ?? "Error";
    const tone: PageTone = appError.notice ? "notice" : "error";
    pages.render(response, appError.status, "error", {
      title: heading,
      status: appError.status,
      tone,
      heading,
      message: appError.publicMessage,
      retryUrl: appError.next?.href ?? (duringSignIn ? "/auth/github" : "/"),
      retryLabel: appError.next?.label ?? (duringSignIn ? (tone === "notice" ? "Sign in with GitHub" : "Try signing in again") : "Go to the home page"),
      homeUrl: "/",
      also: appError.also,
    });
  };
}

function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const status = (error as { status?: unknown; statusCode?: unknown })?.status ?? (error as { statusCode?: unknown })?.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    // body-parser, express and friends: client errors whose own messages may name internals.
    return new AppError(status === 413 ? "payload_too_large" : "bad_request", clientErrorMessage(status), { cause: error, requestStatus: status });
  }
  return new AppError("internal_error", "Something went wrong on our side. Please try again.", { cause: error });
}

function clientErrorMessage(status: number): string {
  if (status === 413) return "The request is too large.";
  if (status === 415) return "The request body has a content type this route does not accept.";
  return "The request could not be understood.";
}

/** Logs what happened without the cause's attached request (octokit errors carry request bodies). */
function logError(logger: Logger, appError: AppError, original: unknown, where: string): void {
  const cause = appError.cause ?? original;
  const summary = {
    where,
    status: appError.status,
    errorCode: appError.code, // not "code": that name is redacted from logs (OAuth codes)
    cause: cause instanceof Error ? { name: cause.name, message: cause.message } : String(cause),
  };
  if (appError.status >= 500) logger.error({ ...summary, stack: cause instanceof Error ? cause.stack : undefined }, "request failed");
  else logger.info(summary, "request refused");
}
