// Limits how often one client IP may hit the sign-in routes (/auth/*), across every instance:
// slows down state/code guessing and keeps a single client from flooding GitHub through us.
// The client IP is Express's req.ip, so behind a proxy TRUST_PROXY decides which hop counts.
import type { RequestHandler } from "express";
import { RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import { AppError } from "../errors.js";

export function rateLimitByIp(limiter: RateLimiterAbstract): RequestHandler {
  return async (request, response, next) => {
    try {
      await limiter.consume(request.ip ?? "unknown");
      next();
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) return next(); // the budget store failed: do not block sign-in on it
      const retryAfterSeconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      next(
        new AppError("too_many_requests", "Too many sign-in requests from your address. Please wait a moment and try again.", {
          heading: "Too many requests",
          retryAfterSeconds,
        }),
      );
    }
  };
}
