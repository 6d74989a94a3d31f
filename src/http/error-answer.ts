// The one place errors become HTTP answers, on any node:http answer: Express's error handler
// (error-handler.ts), the read paths (read-paths.ts) and the front door's host refusals all write
// them here. AppErrors carry their status and a message that is safe to show; the session store
// not answering is 503 with Retry-After, wherever it shows; anything else a client caused
// (malformed body, oversized payload) becomes a 4xx; everything unexpected is a 500 with a generic
// message. Causes are logged, never sent. JSON for programs, `{"error": code, "message": …}` and
// the error's safe details (SPEC §3); a page for browsers, with a tone: what the visitor chose
// (cancelling the sign-in on GitHub) is told as a calm notice, not as a failure, while its status
// stays what SPEC §3 says for programs reading it.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "pino";
import { AppError, sessionStoreUnavailable } from "../errors.js";
import type { Metrics } from "../metrics.js";
import { isRedisUnavailable } from "../store/redis-client.js";
import { noteErrorCode } from "./error-outcomes.js";
import { wantsJson } from "./negotiation.js";
import type { PageRenderer } from "./render.js";
import { loggedPath } from "./request-logging.js";
import { requestPath } from "./route-label.js";
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

/** Answers `error` (anything thrown or passed on while answering `request`), or ends an answer already under way. */
export type WriteError = (request: IncomingMessage, response: ServerResponse, error: unknown) => void;

export function errorWriter(logger: Logger, pages: PageRenderer, metrics: Metrics): WriteError {
  const answer = errorAnswer(logger, pages, metrics);
  return (request, response, thrown) => {
    try {
      answer(request, response, thrown);
    } catch (failure) {
      // The last resort, never a crash (nothing is in front of the read paths to catch it): a bare 500.
      logger.error(
        { cause: failure instanceof Error ? { name: failure.name, message: failure.message } : String(failure) },
        "could not write an error answer",
      );
      if (response.headersSent) return void response.destroy();
      response.statusCode = 500;
      response.removeHeader("Content-Length");
      response.setHeader("Content-Type", "text/plain; charset=utf-8");
      response.end("Internal Server Error");
    }
  };
}

function errorAnswer(logger: Logger, pages: PageRenderer, metrics: Metrics): WriteError {
  return (request, response, thrown) => {
    const error = isRedisUnavailable(thrown) ? sessionStoreUnavailable(thrown) : thrown;
    const code = error instanceof AppError ? error.code : "internal_error";
    noteErrorCode(response, code);
    if (code === "session_store_unavailable") metrics.sessionStoreErrors.inc();
    const appError = toAppError(error);
    const path = requestPath(request) ?? "";
    logError(logger, appError, error, `${request.method} ${loggedPath(path)}`);
    if (response.headersSent) {
      response.end();
      return;
    }
    if (appError.retryAfterSeconds !== null) response.setHeader("Retry-After", String(appError.retryAfterSeconds));
    response.setHeader("Cache-Control", "no-store");
    if (wantsJson(request))
      return writeJson(response, appError.status, { ...appError.details, error: appError.code, message: appError.publicMessage });
    // Failures of the sign-in itself offer a fresh sign-in; anything else leads home.
    const duringSignIn = isPartOfSignIn(path) || appError.status === 401;
    const heading = appError.heading ?? GENERIC_HEADINGS[appError.status] ?? "Error";
    const tone: PageTone = appError.notice ? "notice" : "error";
    pages.render(response, appError.status, "error", {
      title: heading,
      status: appError.status,
      tone,
      heading,
      message: appError.publicMessage,
      retryUrl: appError.next?.href ?? (duringSignIn ? "/auth/github" : "/"),
      retryLabel:
        appError.next?.label ??
        (duringSignIn ? (tone === "notice" ? "Sign in with GitHub" : "Try signing in again") : "Go to the home page"),
      homeUrl: "/",
      also: appError.also,
    });
  };
}

function writeJson(response: ServerResponse, status: number, value: unknown): void {
  const body = Buffer.from(JSON.stringify(value));
  response.statusCode = status;
  response.setHeader("Content-Type", "application/json; charset=utf-8");
  response.setHeader("Content-Length", body.length);
  response.end(body);
}

function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const status = (error as { status?: unknown; statusCode?: unknown })?.status ?? (error as { statusCode?: unknown })?.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    // body-parser, express and friends: client errors whose own messages may name internals.
    return new AppError(status === 413 ? "payload_too_large" : "bad_request", clientErrorMessage(status), {
      cause: error,
      requestStatus: status,
    });
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
