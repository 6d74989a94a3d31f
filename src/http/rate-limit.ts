// Limits how often one client address may hit the sign-in routes (/auth/*), across every instance:
// slows down state/code guessing and keeps a single client from flooding GitHub through us. The
// address is clientAddressKey(req.ip), so behind a proxy TRUST_PROXY decides which hop counts.
// Device sign-in has budgets of its own (device-limits.ts); sign-out has none (route-table.ts).
import type { RequestHandler } from "express";
import { RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import { AppError } from "../errors.js";
import { clientAddressKey } from "./client-address.js";

/** Retry-After, in whole seconds and at least one. */
export const retryAfterSeconds = (waitMs: number) => Math.max(1, Math.ceil(waitMs / 1000));

/**
 * Spends one point of `key`'s budget. Null when spent (or when the budget store itself failed: an
 * outage of it must not block everyone); otherwise how long until the budget has room again.
 */
export async function spendPoint(limiter: RateLimiterAbstract, key: string): Promise<number | null> {
  try {
    await limiter.consume(key);
    return null;
  } catch (rejection) {
    return rejection instanceof RateLimiterRes ? rejection.msBeforeNext : null;
  }
}

export function rateLimitByIp(limiter: RateLimiterAbstract): RequestHandler {
  return async (request, _response, next) => {
    const waitMs = await spendPoint(limiter, clientAddressKey(request.ip));
    if (waitMs === null) return next();
    next(
      new AppError("too_many_requests", "Too many sign-in requests from your address. Please wait a moment and try again.", {
        heading: "Too many requests",
        retryAfterSeconds: retryAfterSeconds(waitMs),
      }),
    );
  };
}
