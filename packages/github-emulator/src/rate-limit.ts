// GitHub's primary rate limit for user tokens: one hourly budget per user, shared by every app and
// token of that user [docs: rate-limits-for-the-rest-api]. The window starts at the first request.
import type { Response } from "express";
import type { Clock } from "./clock.js";

const WINDOW_MS = 60 * 60 * 1000;

interface Window {
  resetAt: number;
  used: number;
}

export class RateLimiter {
  private readonly windows = new Map<number, Window>();

  constructor(
    private readonly clock: Clock,
    readonly limit: number,
  ) {}

  remaining(userId: number): number {
    return Math.max(0, this.limit - this.window(userId).used);
  }

  consume(userId: number): void {
    this.window(userId).used += 1;
  }

  setRemaining(userId: number, remaining: number): void {
    this.window(userId).used = this.limit - Math.max(0, Math.min(this.limit, remaining));
  }

  /** x-ratelimit-* as GitHub sends them; reset is in UTC epoch seconds. */
  setHeaders(response: Response, userId: number): void {
    const window = this.window(userId);
    response.setHeader("X-RateLimit-Limit", String(this.limit));
    response.setHeader("X-RateLimit-Remaining", String(this.remaining(userId)));
    response.setHeader("X-RateLimit-Used", String(Math.min(window.used, this.limit)));
    response.setHeader("X-RateLimit-Reset", String(Math.ceil(window.resetAt / 1000)));
    response.setHeader("X-RateLimit-Resource", "core");
  }

  private window(userId: number): Window {
    const now = this.clock.now();
    let window = this.windows.get(userId);
    if (!window || now >= window.resetAt) {
      window = { resetAt: now + WINDOW_MS, used: 0 };
      this.windows.set(userId, window);
    }
    return window;
  }
}
