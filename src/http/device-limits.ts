// Anonymous device sign-in, bounded (SPEC §5), across every instance through Redis. Each
// POST /auth/device spends one of GitHub's device codes, 50 an hour per app for every instance and
// deployment using that app; past them GitHub refuses everyone. So starts are counted per client
// address and in all, over a rolling hour (a fixed one would let twice the budget pass where two
// windows meet), and the server answers 429 with Retry-After before GitHub would refuse.
// POST /auth/device/token is counted per address too: a flood of polls is refused before it reaches
// a lock, the store or GitHub (each poll that passes asks GitHub at most once, paced per code).
import type { RequestHandler, Request } from "express";
import { AppError } from "../errors.js";
import type { RateLimiterFactory } from "../store/rate-limiters.js";
import { clientAddressKey } from "./client-address.js";
import { retryAfterSeconds, spendPoint } from "./rate-limit.js";

const HOUR_MS = 3_600_000;

/** GitHub's 50 an hour, less 5 kept for the app's other users (another deployment, an operator's test). */
export const DEVICE_STARTS_IN_ALL_PER_HOUR = 45;
/** A busy morning at an office behind one address: 20 programs signing in, a few of them twice. */
export const DEVICE_STARTS_PER_ADDRESS_PER_HOUR = 25;
/**
 * Twice what every sign-in one address can have under way needs (25 an hour, each code living 15
 * minutes and polled every 5 s): generous for programs, a wall for a flood.
 */
export const DEVICE_POLLS_PER_ADDRESS = { points: 50, durationMs: 5_000 };

export interface DeviceLimits {
  /** In front of POST /auth/device: 429 with Retry-After when either budget is spent. */
  starts: RequestHandler;
  /** Spends one poll of this request's address: null when there was room, else seconds to wait. */
  pollWaitSeconds(request: Request): Promise<number | null>;
}

export function deviceLimits(limiters: RateLimiterFactory): DeviceLimits {
  const startBudgets = limiters.rolling("device-starts", HOUR_MS);
  const pollBudget = limiters("device-polls", DEVICE_POLLS_PER_ADDRESS.points, DEVICE_POLLS_PER_ADDRESS.durationMs);
  return {
    starts: async (request, _response, next) => {
      const refusal = await startBudgets.take([
        { key: `address:${clientAddressKey(request.ip)}`, limit: DEVICE_STARTS_PER_ADDRESS_PER_HOUR },
        { key: "all", limit: DEVICE_STARTS_IN_ALL_PER_HOUR },
      ]);
      if (refusal === null) return next();
      next(tooManyStarts(refusal.full === 0 ? "address" : "all", retryAfterSeconds(refusal.retryAfterMs)));
    },
    async pollWaitSeconds(request) {
      const waitMs = await spendPoint(pollBudget, clientAddressKey(request.ip));
      return waitMs === null ? null : retryAfterSeconds(waitMs);
    },
  };
}

function tooManyStarts(spent: "address" | "all", waitSeconds: number): AppError {
  const message =
    spent === "address"
      ? "Too many device sign-ins were started from your address in the last hour. Please try again later."
      : "This server has started as many device sign-ins as GitHub allows it in an hour. Please try again later.";
  // RFC 6749 §5.2's field beside our own, as on the token endpoint, for standard device clients.
  return new AppError("too_many_requests", message, {
    heading: "Too many requests",
    retryAfterSeconds: waitSeconds,
    details: { error_description: message },
  });
}
